package wssec

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// ErrUnsigned is returned (wrapped) by Verifier.Verify for a message that
// carries no ds:Signature in a wsse:Security header.
var ErrUnsigned = errors.New("the message is not signed: no ds:Signature in a wsse:Security header")

// Verifier checks the WS-Security X.509 signature of SOAP messages (the
// responses of an upstream): that a ds:Signature in the wsse:Security
// header verifies with a trusted certificate, that the soap:Body and the
// wsu:Timestamp (when there is one) are covered by its references and
// unchanged, and that the Timestamp has not expired.
//
// References must point by Id (wsu:Id, or an unqualified Id or ID
// attribute) to elements of the same message, and every Id must be unique
// in it, so that a signed element cannot be moved aside and replaced
// (signature wrapping). Canonicalization (exclusive or inclusive XML
// 1.0/1.1 c14n) is goxmldsig's. Signature methods: RSA and ECDSA with
// SHA-1, SHA-256, SHA-384 or SHA-512 (SHA-1 because many servers, WCF's
// default algorithm suite among them, still sign with it); digests the same.
//
// The signing certificate is the one KeyInfo names: a
// wsse:SecurityTokenReference to a BinarySecurityToken (X509v3) in the
// message, or a ds:X509Data certificate, which must then be one of
// Trusted or be issued (directly or through the message's other
// certificates) by one of them at the time of the check; or a key
// identifier (subject key identifier, SHA-1 thumbprint, issuer and serial)
// of one of Trusted. Without KeyInfo, each of Trusted is tried.
//
// A Verifier is a plain value; Verify may be called from several
// goroutines at once.
type Verifier struct {
	// Trusted are the certificates responses may be signed with, or the
	// CAs that issue those.
	Trusted []*x509.Certificate
	// ClockOffset is added to the time passed to Verify before the
	// Timestamp is checked: the upstream's clock minus ours.
	ClockOffset time.Duration
	// Leeway is how far a Timestamp may be past its Expires, or its
	// Created be in the future, and still pass.
	Leeway time.Duration
}

// Verify checks the signature of a SOAP envelope at time now. Errors are
// prefixed "wssec: verify: " and say what failed; a message without a
// signature gives an error that wraps ErrUnsigned.
func (v *Verifier) Verify(envelope []byte, now time.Time) error {
	if err := v.verify(envelope, now); err != nil {
		return fmt.Errorf("wssec: verify: %w", err)
	}
	return nil
}

func (v *Verifier) verify(envelope []byte, now time.Time) error {
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(envelope); err != nil {
		return fmt.Errorf("the message is not well-formed XML: %v", err)
	}
	root := doc.Root()
	if root == nil || root.Tag != "Envelope" || root.NamespaceURI() != NSSOAP11 && root.NamespaceURI() != NSSOAP12 {
		return errors.New("the message is not a SOAP envelope")
	}
	ns := root.NamespaceURI()
	header, err := onlyChild(root, ns, "Header")
	if err != nil {
		return err
	}
	body, err := onlyChild(root, ns, "Body")
	if err != nil {
		return err
	}
	if body == nil {
		return errors.New("the envelope has no Body")
	}
	var sec, sigEl *etree.Element
	if header != nil {
		for _, s := range children(header, NSSecExt, "Security") {
			sigs := children(s, NSDSig, "Signature")
			if len(sigs) > 1 || len(sigs) == 1 && sigEl != nil {
				return errors.New("the message has more than one ds:Signature in its wsse:Security headers")
			}
			if len(sigs) == 1 {
				sec, sigEl = s, sigs[0]
			}
		}
	}
	if sigEl == nil {
		return ErrUnsigned
	}
	ids, err := indexIDs(root)
	if err != nil {
		return err
	}
	si, err := onlyChild(sigEl, NSDSig, "SignedInfo")
	if err != nil || si == nil {
		return errors.New("the ds:Signature has no (or more than one) ds:SignedInfo")
	}
	sv, err := onlyChild(sigEl, NSDSig, "SignatureValue")
	if err != nil || sv == nil {
		return errors.New("the ds:Signature has no (or more than one) ds:SignatureValue")
	}
	sigValue, err := decodeBase64(sv.Text())
	if err != nil {
		return fmt.Errorf("the ds:SignatureValue is not base64: %v", err)
	}

	// SignedInfo: its canonical form, signed with a trusted key.
	cm, err := onlyChild(si, NSDSig, "CanonicalizationMethod")
	if err != nil || cm == nil {
		return errors.New("ds:SignedInfo has no (or more than one) ds:CanonicalizationMethod")
	}
	csi, err := canonicalize(si, cm.SelectAttrValue("Algorithm", ""), prefixList(cm))
	if err != nil {
		return fmt.Errorf("canonicalizing ds:SignedInfo: %v", err)
	}
	smEl, err := onlyChild(si, NSDSig, "SignatureMethod")
	if err != nil || smEl == nil {
		return errors.New("ds:SignedInfo has no (or more than one) ds:SignatureMethod")
	}
	sm, ok := signatureMethods[smEl.SelectAttrValue("Algorithm", "")]
	if !ok {
		return fmt.Errorf("unsupported signature method %q", smEl.SelectAttrValue("Algorithm", ""))
	}
	keyInfo, _ := onlyChild(sigEl, NSDSig, "KeyInfo")
	candidates, err := v.signingCerts(keyInfo, ids, now)
	if err != nil {
		return err
	}
	h := sm.hash.New()
	h.Write(csi)
	digest := h.Sum(nil)
	var signer *x509.Certificate
	for _, c := range candidates {
		if checkSignature(c.PublicKey, sm.ecdsa, sm.hash, digest, sigValue) == nil {
			signer = c
			break
		}
	}
	if signer == nil {
		if len(candidates) == 1 {
			return fmt.Errorf("the signature does not verify with the key of %s: the message was signed by another key, or ds:SignedInfo was changed", describe(candidates[0]))
		}
		return fmt.Errorf("the signature verifies with none of the %d trusted certificates", len(candidates))
	}

	// References: each digest, and what they cover.
	covered := map[*etree.Element]bool{}
	for _, ref := range children(si, NSDSig, "Reference") {
		el, err := checkReference(ref, ids, sigEl)
		if err != nil {
			return err
		}
		covered[el] = true
	}
	if !covered[body] {
		return errors.New("the signature does not cover the soap:Body")
	}
	ts, err := onlyChild(sec, NSUtility, "Timestamp")
	if err != nil {
		return err
	}
	if ts != nil {
		if !covered[ts] {
			return errors.New("the signature does not cover the wsu:Timestamp")
		}
		if err := v.checkTimestamp(ts, now.Add(v.ClockOffset)); err != nil {
			return err
		}
	}
	return nil
}

type sigMethod struct {
	hash  crypto.Hash
	ecdsa bool
}

var signatureMethods = map[string]sigMethod{
	dsig.RSASHA1SignatureMethod:     {crypto.SHA1, false},
	dsig.RSASHA256SignatureMethod:   {crypto.SHA256, false},
	dsig.RSASHA384SignatureMethod:   {crypto.SHA384, false},
	dsig.RSASHA512SignatureMethod:   {crypto.SHA512, false},
	dsig.ECDSASHA1SignatureMethod:   {crypto.SHA1, true},
	dsig.ECDSASHA256SignatureMethod: {crypto.SHA256, true},
	dsig.ECDSASHA384SignatureMethod: {crypto.SHA384, true},
	dsig.ECDSASHA512SignatureMethod: {crypto.SHA512, true},
}

var digestMethods = map[string]crypto.Hash{
	"http://www.w3.org/2000/09/xmldsig#sha1":        crypto.SHA1,
	"http://www.w3.org/2001/04/xmlenc#sha256":       crypto.SHA256,
	"http://www.w3.org/2001/04/xmldsig-more#sha384": crypto.SHA384,
	"http://www.w3.org/2001/04/xmlenc#sha512":       crypto.SHA512,
}

func checkSignature(pub crypto.PublicKey, isECDSA bool, hash crypto.Hash, digest, sig []byte) error {
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		if isECDSA {
			return errors.New("an ECDSA signature method with an RSA key")
		}
		return rsa.VerifyPKCS1v15(pub, hash, digest, sig)
	case *ecdsa.PublicKey:
		if !isECDSA || len(sig)%2 != 0 {
			return errors.New("not an ECDSA signature")
		}
		r := new(big.Int).SetBytes(sig[:len(sig)/2])
		s := new(big.Int).SetBytes(sig[len(sig)/2:])
		if !ecdsa.Verify(pub, digest, r, s) {
			return errors.New("ECDSA verification failed")
		}
		return nil
	}
	return fmt.Errorf("unsupported key %T", pub)
}

// checkReference checks one ds:Reference of signature sig and returns the
// element it covers. Its transforms may be an enveloped-signature
// transform (a no-op here: the element must not hold sig) and one
// canonicalization.
func checkReference(ref *etree.Element, ids map[string]*etree.Element, sig *etree.Element) (*etree.Element, error) {
	uri := ref.SelectAttrValue("URI", "")
	id, ok := strings.CutPrefix(uri, "#")
	if !ok || id == "" {
		return nil, fmt.Errorf("reference URI %q: only references to an element of the message by Id (#id) are accepted", uri)
	}
	el := ids[id]
	if el == nil {
		return nil, fmt.Errorf("reference %s points to no element of the message", uri)
	}
	alg, prefixes := string(dsig.CanonicalXML10RecAlgorithmId), ""
	if tr, err := onlyChild(ref, NSDSig, "Transforms"); err != nil {
		return nil, err
	} else if tr != nil {
		var c14n []*etree.Element
		for _, t := range children(tr, NSDSig, "Transform") {
			if t.SelectAttrValue("Algorithm", "") != string(dsig.EnvelopedSignatureAltorithmId) {
				c14n = append(c14n, t)
				continue
			}
			for p := sig; p != nil; p = p.Parent() {
				if p == el {
					return nil, fmt.Errorf("reference %s: the signed element holds the signature; only detached signatures are accepted", uri)
				}
			}
		}
		switch len(c14n) {
		case 0:
		case 1:
			alg, prefixes = c14n[0].SelectAttrValue("Algorithm", ""), prefixList(c14n[0])
		default:
			return nil, fmt.Errorf("reference %s: %d transforms; one canonicalization is accepted", uri, len(c14n))
		}
	}
	dm, err := onlyChild(ref, NSDSig, "DigestMethod")
	if err != nil || dm == nil {
		return nil, fmt.Errorf("reference %s has no (or more than one) ds:DigestMethod", uri)
	}
	hash, ok := digestMethods[dm.SelectAttrValue("Algorithm", "")]
	if !ok {
		return nil, fmt.Errorf("reference %s: unsupported digest method %q", uri, dm.SelectAttrValue("Algorithm", ""))
	}
	dv, err := onlyChild(ref, NSDSig, "DigestValue")
	if err != nil || dv == nil {
		return nil, fmt.Errorf("reference %s has no (or more than one) ds:DigestValue", uri)
	}
	want, err := decodeBase64(dv.Text())
	if err != nil {
		return nil, fmt.Errorf("reference %s: the digest value is not base64", uri)
	}
	c, err := canonicalize(el, alg, prefixes)
	if err != nil {
		return nil, fmt.Errorf("reference %s: %v", uri, err)
	}
	h := hash.New()
	h.Write(c)
	if !bytes.Equal(h.Sum(nil), want) {
		return nil, fmt.Errorf("the digest of the signed %s (%s) does not match: it was changed after it was signed", el.Tag, uri)
	}
	return el, nil
}

func (v *Verifier) checkTimestamp(ts *etree.Element, now time.Time) error {
	when := func(local string) (time.Time, bool, error) {
		el, err := onlyChild(ts, NSUtility, local)
		if err != nil || el == nil {
			return time.Time{}, false, err
		}
		t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(el.Text()))
		if err != nil {
			return time.Time{}, false, fmt.Errorf("the wsu:Timestamp's %s %q is not a dateTime", local, el.Text())
		}
		return t, true, nil
	}
	created, hasCreated, err := when("Created")
	if err != nil {
		return err
	}
	expires, hasExpires, err := when("Expires")
	if err != nil {
		return err
	}
	if hasExpires && !now.Before(expires.Add(v.Leeway)) {
		return fmt.Errorf("the message's wsu:Timestamp expired at %s (now %s)", expires.UTC().Format(TimeLayout), now.UTC().Format(TimeLayout))
	}
	if hasCreated && created.After(now.Add(v.Leeway)) {
		return fmt.Errorf("the message's wsu:Timestamp was created in the future, at %s (now %s)", created.UTC().Format(TimeLayout), now.UTC().Format(TimeLayout))
	}
	return nil
}

// signingCerts returns the certificates whose key may have made the
// signature, each trusted.
func (v *Verifier) signingCerts(keyInfo *etree.Element, ids map[string]*etree.Element, now time.Time) ([]*x509.Certificate, error) {
	if len(v.Trusted) == 0 {
		return nil, errors.New("no trusted certificate is configured")
	}
	var embedded []*x509.Certificate
	var match func(*x509.Certificate) bool
	if keyInfo != nil {
		if str, _ := onlyChild(keyInfo, NSSecExt, "SecurityTokenReference"); str != nil {
			switch ref, key, data := first(str, NSSecExt, "Reference"), first(str, NSSecExt, "KeyIdentifier"), first(str, NSDSig, "X509Data"); {
			case ref != nil:
				uri := ref.SelectAttrValue("URI", "")
				id, ok := strings.CutPrefix(uri, "#")
				bst := ids[id]
				if !ok || bst == nil {
					return nil, fmt.Errorf("the signature's key reference %q points to no token in the message", uri)
				}
				if bst.Tag != "BinarySecurityToken" || bst.NamespaceURI() != NSSecExt {
					return nil, fmt.Errorf("the signature's key reference %q points to a %s, not a wsse:BinarySecurityToken", uri, bst.Tag)
				}
				if vt := bst.SelectAttrValue("ValueType", ValueTypeX509v3); vt != ValueTypeX509v3 {
					return nil, fmt.Errorf("the signing token is of type %q; X509v3 is supported", vt)
				}
				c, err := parseCert(bst.Text())
				if err != nil {
					return nil, fmt.Errorf("the signing wsse:BinarySecurityToken: %v", err)
				}
				embedded = append(embedded, c)
			case key != nil:
				raw, err := decodeBase64(key.Text())
				if err != nil {
					return nil, errors.New("the signature's wsse:KeyIdentifier is not base64")
				}
				vt := key.SelectAttrValue("ValueType", "")
				switch {
				case strings.HasSuffix(vt, "#X509SubjectKeyIdentifier"):
					match = func(c *x509.Certificate) bool { return bytes.Equal(c.SubjectKeyId, raw) }
				case strings.HasSuffix(vt, "#ThumbprintSHA1"):
					match = func(c *x509.Certificate) bool { s := sha1.Sum(c.Raw); return bytes.Equal(s[:], raw) }
				case strings.HasSuffix(vt, "#X509v3"):
					c, err := x509.ParseCertificate(raw)
					if err != nil {
						return nil, fmt.Errorf("the signature's wsse:KeyIdentifier: %v", err)
					}
					embedded = append(embedded, c)
				default:
					return nil, fmt.Errorf("unsupported key identifier type %q", vt)
				}
			case data != nil:
				m, err := issuerSerial(data)
				if err != nil {
					return nil, err
				}
				match = m
			}
		} else if data, _ := onlyChild(keyInfo, NSDSig, "X509Data"); data != nil {
			for _, el := range children(data, NSDSig, "X509Certificate") {
				c, err := parseCert(el.Text())
				if err != nil {
					return nil, fmt.Errorf("the signature's ds:X509Certificate: %v", err)
				}
				embedded = append(embedded, c)
			}
			if len(embedded) == 0 {
				m, err := issuerSerial(data)
				if err != nil {
					return nil, err
				}
				match = m
			}
		}
	}
	if len(embedded) > 0 {
		if err := v.trust(embedded[0], embedded[1:], now); err != nil {
			return nil, err
		}
		return embedded[:1], nil
	}
	var out []*x509.Certificate
	for _, c := range v.Trusted {
		if match == nil || match(c) {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("the signature names a key that is none of the trusted certificates")
	}
	return out, nil
}

// issuerSerial matches certificates by the serial number of a
// ds:X509IssuerSerial. The issuer name is not compared: Trusted is small,
// and a serial with a key that verifies is as good as a match.
func issuerSerial(data *etree.Element) (func(*x509.Certificate) bool, error) {
	is := first(data, NSDSig, "X509IssuerSerial")
	sn := first(is, NSDSig, "X509SerialNumber")
	if sn == nil {
		return nil, errors.New("the signature's key reference is of an unsupported kind")
	}
	serial, ok := new(big.Int).SetString(strings.TrimSpace(sn.Text()), 10)
	if !ok {
		return nil, fmt.Errorf("the signature's X509SerialNumber %q is not a number", sn.Text())
	}
	return func(c *x509.Certificate) bool { return c.SerialNumber.Cmp(serial) == 0 }, nil
}

// trust checks that a certificate from the message is trusted at now.
func (v *Verifier) trust(cert *x509.Certificate, intermediates []*x509.Certificate, now time.Time) error {
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	for _, t := range v.Trusted {
		if t.Equal(cert) {
			if now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
				return fmt.Errorf("the signing certificate %s is valid from %s to %s, not now", describe(cert), cert.NotBefore.UTC().Format(time.RFC3339), cert.NotAfter.UTC().Format(time.RFC3339))
			}
			return nil
		}
		roots.AddCert(t)
	}
	for _, c := range intermediates {
		inter.AddCert(c)
	}
	_, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return fmt.Errorf("the message is signed by %s, which is not a trusted certificate nor issued by one: %v", describe(cert), err)
	}
	return nil
}

func describe(c *x509.Certificate) string {
	return fmt.Sprintf("%q (issuer %q)", c.Subject.String(), c.Issuer.String())
}

func parseCert(text string) (*x509.Certificate, error) {
	der, err := decodeBase64(text)
	if err != nil {
		return nil, errors.New("not base64")
	}
	return x509.ParseCertificate(der)
}

// decodeBase64 decodes base64 text that may hold line breaks and spaces.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}

// canonicalize returns the canonical form of el, in the namespace context
// of its place in the document, by algorithm alg (exclusive with the
// InclusiveNamespaces prefixes, or inclusive c14n 1.0 or 1.1).
func canonicalize(el *etree.Element, alg, prefixes string) ([]byte, error) {
	var c dsig.Canonicalizer
	switch dsig.AlgorithmID(alg) {
	case dsig.CanonicalXML10ExclusiveAlgorithmId:
		c = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixes)
	case dsig.CanonicalXML10ExclusiveWithCommentsAlgorithmId:
		c = dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(prefixes)
	case dsig.CanonicalXML10RecAlgorithmId:
		c = dsig.MakeC14N10RecCanonicalizer()
	case dsig.CanonicalXML10WithCommentsAlgorithmId:
		c = dsig.MakeC14N10WithCommentsCanonicalizer()
	case dsig.CanonicalXML11AlgorithmId:
		c = dsig.MakeC14N11Canonicalizer()
	case dsig.CanonicalXML11WithCommentsAlgorithmId:
		c = dsig.MakeC14N11WithCommentsCanonicalizer()
	default:
		return nil, fmt.Errorf("unsupported canonicalization or transform %q", alg)
	}
	// The namespace context of el's ancestors, without goxmldsig's
	// default limit of 1000 elements (a Body can be larger).
	var chain []*etree.Element
	for p := el.Parent(); p != nil; p = p.Parent() {
		chain = append(chain, p)
	}
	ctx := etreeutils.EmptyNSContext
	for i := len(chain) - 1; i >= 0; i-- {
		var err error
		if ctx, err = ctx.SubContext(chain[i]); err != nil {
			return nil, err
		}
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	return c.Canonicalize(detached)
}

// prefixList returns the PrefixList of an ec:InclusiveNamespaces child.
func prefixList(el *etree.Element) string {
	for _, c := range el.ChildElements() {
		if c.Tag == "InclusiveNamespaces" {
			return c.SelectAttrValue("PrefixList", "")
		}
	}
	return ""
}

// indexIDs maps every Id of the document (wsu:Id, or an unqualified Id or
// ID attribute) to its element; an Id used twice is an error.
func indexIDs(root *etree.Element) (map[string]*etree.Element, error) {
	ids := map[string]*etree.Element{}
	stack := []*etree.Element{root}
	for len(stack) > 0 {
		el := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for i := range el.Attr {
			a := &el.Attr[i]
			isID := a.Space == "" && (a.Key == "Id" || a.Key == "ID") ||
				a.Space != "" && a.Space != "xmlns" && a.Key == "Id" && a.NamespaceURI() == NSUtility
			if !isID {
				continue
			}
			if prev, ok := ids[a.Value]; ok && prev != el {
				return nil, fmt.Errorf("the Id %q is used by more than one element", a.Value)
			}
			ids[a.Value] = el
		}
		stack = append(stack, el.ChildElements()...)
	}
	return ids, nil
}

// children returns el's child elements in namespace ns named local.
func children(el *etree.Element, ns, local string) []*etree.Element {
	var out []*etree.Element
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if c.Tag == local && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

// first returns the first child of el in ns named local, or nil.
func first(el *etree.Element, ns, local string) *etree.Element {
	if cs := children(el, ns, local); len(cs) > 0 {
		return cs[0]
	}
	return nil
}

// onlyChild returns the child of el in ns named local: nil when there is
// none, an error when there are several.
func onlyChild(el *etree.Element, ns, local string) (*etree.Element, error) {
	cs := children(el, ns, local)
	switch len(cs) {
	case 0:
		return nil, nil
	case 1:
		return cs[0], nil
	}
	return nil, fmt.Errorf("%s has %d %s children", el.Tag, len(cs), local)
}
