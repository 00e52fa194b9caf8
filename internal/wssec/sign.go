package wssec

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Namespaces and URIs of XML-DSig and the X.509 Token Profile 1.0.
const (
	NSDSig   = dsig.Namespace
	NSSOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
	NSSOAP12 = "http://www.w3.org/2003/05/soap-envelope"

	ValueTypeX509v3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"

	AlgExcC14N      = string(dsig.CanonicalXML10ExclusiveAlgorithmId)
	AlgRSASHA256    = dsig.RSASHA256SignatureMethod
	AlgECDSASHA256  = dsig.ECDSASHA256SignatureMethod
	AlgDigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
)

// Signer signs SOAP requests with an X.509 certificate, as the
// WS-Security X.509 Token Profile 1.0 describes: a wsse:Security header
// (mustUnderstand="1") holding a wsu:Timestamp, the certificate as a
// wsse:BinarySecurityToken (X509v3, Base64Binary), an optional
// UsernameToken and a ds:Signature. The signature covers the soap:Body
// (which gets a wsu:Id), the Timestamp and the UsernameToken by detached
// references, each transformed with exclusive canonicalization and
// digested with SHA-256; SignedInfo is canonicalized the same way and
// signed with RSA-SHA256 (or ECDSA-SHA256 for an EC key). KeyInfo is a
// wsse:SecurityTokenReference to the BinarySecurityToken.
//
// A Signer is a plain value: Sign does not change it and may be called
// from several goroutines at once.
type Signer struct {
	// Cert is the signing certificate, sent as the BinarySecurityToken.
	Cert *x509.Certificate
	// Key is Cert's private key: *rsa.PrivateKey or *ecdsa.PrivateKey (or
	// another crypto.Signer with such a public key).
	Key crypto.Signer
	// Token, when not nil, adds a signed wsse:UsernameToken.
	Token *UsernameToken
	// TimestampTTL, when positive, adds a signed wsu:Timestamp whose
	// Expires is Created plus TimestampTTL.
	TimestampTTL time.Duration
	// ClockOffset is added to the time passed to Sign before any time is
	// written (see Header.ClockOffset).
	ClockOffset time.Duration
}

// Sign returns envelope, a SOAP 1.1 or 1.2 envelope as soap.NewRequest
// builds it, with the signed wsse:Security header added as the first
// header block (a soapenv:Header is added when there is none) and a wsu:Id
// on its Body. The bytes of the envelope are otherwise kept as they are:
// the header is spliced in, not re-serialized. rnd supplies the random Ids
// and nonces, and the randomness of the signature; nil means crypto/rand.
// The envelope must not already carry a wsse:Security header. Errors never
// contain the password or the key.
func (s *Signer) Sign(envelope []byte, now time.Time, rnd io.Reader) ([]byte, error) {
	if s == nil || s.Cert == nil || s.Key == nil {
		return nil, errors.New("wssec: sign: no signing certificate and key")
	}
	if s.TimestampTTL < 0 {
		return nil, fmt.Errorf("wssec: sign: negative timestamp TTL %s", s.TimestampTTL)
	}
	sigAlg, hash, err := signatureMethod(s.Key.Public())
	if err != nil {
		return nil, err
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	env, err := scanEnvelope(envelope)
	if err != nil {
		return nil, err
	}
	var idBytes [8]byte
	if _, err := io.ReadFull(rnd, idBytes[:]); err != nil {
		return nil, fmt.Errorf("wssec: sign: reading random ids: %w", err)
	}
	sfx := hex.EncodeToString(idBytes[:])
	bodyID := env.bodyID
	if bodyID == "" {
		bodyID = "Body-" + sfx
	}
	tsID, bstID, utID := "TS-"+sfx, "X509-"+sfx, "UT-"+sfx
	created := now.Add(s.ClockOffset).UTC()

	// The security header without its signature.
	var sec strings.Builder
	sec.WriteString(`<wsse:Security xmlns:wsse="` + NSSecExt + `" xmlns:wsu="` + NSUtility + `" xmlns:` + env.prefix + `="` + env.ns + `" ` + env.prefix + `:mustUnderstand="1">`)
	refs := []string{}
	if s.TimestampTTL > 0 {
		sec.WriteString(`<wsu:Timestamp wsu:Id="` + tsID + `"><wsu:Created>`)
		sec.WriteString(created.Format(TimeLayout))
		sec.WriteString(`</wsu:Created><wsu:Expires>`)
		sec.WriteString(created.Add(s.TimestampTTL).Format(TimeLayout))
		sec.WriteString(`</wsu:Expires></wsu:Timestamp>`)
		refs = append(refs, tsID)
	}
	sec.WriteString(`<wsse:BinarySecurityToken EncodingType="` + EncodingBase64Binary + `" ValueType="` + ValueTypeX509v3 + `" wsu:Id="` + bstID + `">`)
	sec.WriteString(base64.StdEncoding.EncodeToString(s.Cert.Raw))
	sec.WriteString(`</wsse:BinarySecurityToken>`)
	if s.Token != nil {
		var ut strings.Builder
		if err := s.Token.write(&ut, created, rnd); err != nil {
			return nil, err
		}
		sec.WriteString(strings.Replace(ut.String(), "<wsse:UsernameToken>", `<wsse:UsernameToken wsu:Id="`+utID+`">`, 1))
		refs = append(refs, utID)
	}
	refs = append(refs, bodyID)
	head := sec.String()

	// Digest the referenced elements in the envelope as it will be sent.
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(env.assemble(head+`</wsse:Security>`, bodyID)); err != nil {
		return nil, fmt.Errorf("wssec: sign: reading the envelope back: %w", err)
	}
	ids, err := indexIDs(doc.Root())
	if err != nil {
		return nil, fmt.Errorf("wssec: sign: %w", err)
	}
	var si strings.Builder
	si.WriteString(`<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="` + AlgExcC14N + `"/><ds:SignatureMethod Algorithm="` + sigAlg + `"/>`)
	for _, id := range refs {
		el := ids[id]
		if el == nil {
			return nil, fmt.Errorf("wssec: sign: element %q not found after assembling the envelope", id)
		}
		c, err := canonicalize(el, AlgExcC14N, "")
		if err != nil {
			return nil, fmt.Errorf("wssec: sign: canonicalizing %s: %w", el.Tag, err)
		}
		d := crypto.SHA256.New()
		d.Write(c)
		si.WriteString(`<ds:Reference URI="#` + id + `"><ds:Transforms><ds:Transform Algorithm="` + AlgExcC14N + `"/></ds:Transforms>`)
		si.WriteString(`<ds:DigestMethod Algorithm="` + AlgDigestSHA256 + `"/><ds:DigestValue>`)
		si.WriteString(base64.StdEncoding.EncodeToString(d.Sum(nil)))
		si.WriteString(`</ds:DigestValue></ds:Reference>`)
	}
	si.WriteString(`</ds:SignedInfo>`)

	// SignedInfo uses no prefix but ds, which the Signature declares, so
	// its exclusive canonical form is the same on its own as in place.
	sigOpen := `<ds:Signature xmlns:ds="` + NSDSig + `">`
	sdoc := etree.NewDocument()
	if err := sdoc.ReadFromString(sigOpen + si.String() + `</ds:Signature>`); err != nil {
		return nil, fmt.Errorf("wssec: sign: reading SignedInfo back: %w", err)
	}
	c, err := canonicalize(sdoc.Root().ChildElements()[0], AlgExcC14N, "")
	if err != nil {
		return nil, fmt.Errorf("wssec: sign: canonicalizing SignedInfo: %w", err)
	}
	h := hash.New()
	h.Write(c)
	value, err := s.Key.Sign(rnd, h.Sum(nil), hash)
	if err != nil {
		return nil, fmt.Errorf("wssec: sign: signing with the %s key: %w", keyKind(s.Key.Public()), err)
	}
	if pub, ok := s.Key.Public().(*ecdsa.PublicKey); ok {
		// XML-DSig's ECDSA signature value is r||s, each as long as the
		// curve's order, not ASN.1.
		if value, err = ecdsaRaw(value, pub); err != nil {
			return nil, fmt.Errorf("wssec: sign: %w", err)
		}
	}
	var sig strings.Builder
	sig.WriteString(sigOpen)
	sig.WriteString(si.String())
	sig.WriteString(`<ds:SignatureValue>`)
	sig.WriteString(base64.StdEncoding.EncodeToString(value))
	sig.WriteString(`</ds:SignatureValue><ds:KeyInfo><wsse:SecurityTokenReference><wsse:Reference URI="#` + bstID + `" ValueType="` + ValueTypeX509v3 + `"/></wsse:SecurityTokenReference></ds:KeyInfo></ds:Signature>`)
	return env.assemble(head+sig.String()+`</wsse:Security>`, bodyID), nil
}

// signatureMethod returns the XML-DSig signature method and hash for a
// public key.
func signatureMethod(pub crypto.PublicKey) (string, crypto.Hash, error) {
	switch pub.(type) {
	case *rsa.PublicKey:
		return AlgRSASHA256, crypto.SHA256, nil
	case *ecdsa.PublicKey:
		return AlgECDSASHA256, crypto.SHA256, nil
	}
	return "", 0, fmt.Errorf("wssec: sign: a %s key cannot sign: use an RSA or ECDSA key", keyKind(pub))
}

func keyKind(pub crypto.PublicKey) string {
	switch pub.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "ECDSA"
	}
	return fmt.Sprintf("%T", pub)
}

// ecdsaRaw turns an ASN.1 ECDSA signature into r||s.
func ecdsaRaw(der []byte, pub *ecdsa.PublicKey) ([]byte, error) {
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		return nil, fmt.Errorf("reading the ECDSA signature: %w", err)
	}
	n := (pub.Curve.Params().BitSize + 7) / 8
	out := make([]byte, 2*n)
	rs.R.FillBytes(out[:n])
	rs.S.FillBytes(out[n:])
	return out, nil
}

// envelopeParts is where a signature's pieces go into an envelope.
type envelopeParts struct {
	src    []byte
	ns     string // the envelope namespace
	prefix string // the prefix the security header binds to ns
	// headerAt is the offset where the Security block goes: right after
	// the Header's start tag, or (noHeader) before the Body's start tag,
	// wrapped in a new Header.
	headerAt  int
	noHeader  bool
	emptyHead bool // the Header is <Header/>: headerAt is at its "/>"
	headerTag string
	// bodyAttrAt is the offset, in the Body's start tag, where its wsu:Id
	// goes; bodyID is the Id the Body already has ("" when none).
	bodyAttrAt int
	bodyID     string
	bodyHasWSU bool // the Body's start tag declares xmlns:wsu already
}

// scanEnvelope finds the Header and Body of a SOAP envelope.
func scanEnvelope(b []byte) (*envelopeParts, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	p := &envelopeParts{src: b, headerAt: -1}
	depth := 0
	var inHeader bool
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("wssec: sign: the envelope is not well-formed XML: %w", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			end := int(d.InputOffset())
			raw := b[start:end]
			switch {
			case depth == 1:
				if tok.Name.Local != "Envelope" || tok.Name.Space != NSSOAP11 && tok.Name.Space != NSSOAP12 {
					return nil, fmt.Errorf("wssec: sign: the document is not a SOAP envelope but {%s}%s", tok.Name.Space, tok.Name.Local)
				}
				p.ns = tok.Name.Space
			case depth == 2 && tok.Name.Space == p.ns && tok.Name.Local == "Header":
				inHeader = true
				p.headerTag = rawPrefix(raw)
				if bytes.HasSuffix(raw, []byte("/>")) {
					p.headerAt, p.emptyHead = end-2, true
				} else {
					p.headerAt = end
				}
			case depth == 2 && tok.Name.Space == p.ns && tok.Name.Local == "Body":
				p.prefix = rawPrefix(raw)
				if p.headerAt < 0 {
					p.headerAt, p.noHeader = int(start), true
				}
				p.bodyAttrAt = end - 1
				if bytes.HasSuffix(raw, []byte("/>")) {
					p.bodyAttrAt = end - 2
				}
				for _, a := range tok.Attr {
					switch {
					case a.Name.Space == NSUtility && a.Name.Local == "Id":
						p.bodyID = a.Value
					case a.Name.Space == "xmlns" && a.Name.Local == "wsu":
						if a.Value != NSUtility {
							return nil, errors.New("wssec: sign: the Body binds the prefix wsu to another namespace")
						}
						p.bodyHasWSU = true
					}
				}
				if p.prefix == "" {
					p.prefix = "soapenv"
				}
				return p, nil
			case depth == 3 && inHeader && tok.Name.Space == NSSecExt && tok.Name.Local == "Security":
				return nil, errors.New("wssec: sign: the envelope already has a wsse:Security header; remove it from the configured SOAP headers")
			}
			if depth >= 3 {
				if err := d.Skip(); err != nil {
					return nil, fmt.Errorf("wssec: sign: the envelope is not well-formed XML: %w", err)
				}
				depth--
			}
		case xml.EndElement:
			depth--
			inHeader = inHeader && depth >= 2
		}
	}
	return nil, errors.New("wssec: sign: the envelope has no Body")
}

// rawPrefix returns the prefix of a raw start tag ("" when none).
func rawPrefix(tag []byte) string {
	name := tag[1:]
	if i := bytes.IndexAny(name, " \t\r\n/>"); i >= 0 {
		name = name[:i]
	}
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return string(name[:i])
	}
	return ""
}

// assemble returns the envelope with the security block and the Body's
// wsu:Id.
func (p *envelopeParts) assemble(security, bodyID string) []byte {
	var b bytes.Buffer
	b.Grow(len(p.src) + len(security) + 256)
	b.Write(p.src[:p.headerAt])
	switch {
	case p.noHeader:
		b.WriteString(`<` + p.prefix + `:Header xmlns:` + p.prefix + `="` + p.ns + `">`)
		b.WriteString(security)
		b.WriteString(`</` + p.prefix + `:Header>`)
	case p.emptyHead:
		b.WriteString(`>`)
		b.WriteString(security)
		tag := "Header"
		if p.headerTag != "" {
			tag = p.headerTag + ":Header"
		}
		b.WriteString(`</` + tag + `>`)
	default:
		b.WriteString(security)
	}
	rest := p.headerAt
	if p.emptyHead {
		rest += 2
	}
	if p.bodyID != "" {
		b.Write(p.src[rest:])
		return b.Bytes()
	}
	b.Write(p.src[rest:p.bodyAttrAt])
	if !p.bodyHasWSU {
		b.WriteString(` xmlns:wsu="` + NSUtility + `"`)
	}
	b.WriteString(` wsu:Id="` + bodyID + `"`)
	b.Write(p.src[p.bodyAttrAt:])
	return b.Bytes()
}
