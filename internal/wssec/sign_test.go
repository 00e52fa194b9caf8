package wssec_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/wssec"
)

// keys are made once per test binary: RSA key generation is slow.
var (
	rsaKeys = sync.OnceValues(func() ([]*rsa.PrivateKey, error) {
		var out []*rsa.PrivateKey
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				return nil, err
			}
			out = append(out, k)
		}
		return out, nil
	})
)

// rsaKey returns the i-th test RSA key.
func rsaKey(t *testing.T, i int) *rsa.PrivateKey {
	t.Helper()
	ks, err := rsaKeys()
	if err != nil {
		t.Fatal(err)
	}
	return ks[i]
}

// certFor makes a certificate for key, issued by parent (signed with
// parentKey), or self-signed when parent is nil.
func certFor(t testing.TB, cn string, key crypto.Signer, parent *x509.Certificate, parentKey crypto.Signer, ca bool) *x509.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, SubjectKeyId: []byte(cn)}
	if ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func certPEM(c *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// request builds the envelope soapbridge sends: body content with
// characters that need care (escapes, a CR, non-ASCII, xsi:type with a
// prefix in content).
func request(v wsdl.SOAPVersion, headers ...[]byte) []byte {
	body := `<m:GetItems xmlns:m="urn:example:inventory"><m:skuPrefix>A&amp;B &lt;x&gt; &#xD; ä</m:skuPrefix>` +
		`<m:limit xsi:type="xsd:int">3</m:limit><m:note attr="a&#xA;b&quot;c"/></m:GetItems>`
	return soap.NewRequest(v, "urn:op", &codec.Encoded{Body: []byte(body)}, headers...).Envelope
}

func signer(t *testing.T, key crypto.Signer, cert *x509.Certificate) *wssec.Signer {
	return &wssec.Signer{Cert: cert, Key: key, TimestampTTL: 5 * time.Minute}
}

// xmlsecVerify runs xmlsec1 --verify on a signed envelope with the
// certificate's public key, registering wsu:Id as the Id attribute of the
// signed elements. It returns xmlsec1's output and whether it verified.
func xmlsecVerify(t *testing.T, envelope []byte, cert *x509.Certificate) (string, bool) {
	t.Helper()
	xmlsec := testpeer.Require(t, testpeer.Xmlsec1)
	dir := t.TempDir()
	env, pemFile := filepath.Join(dir, "envelope.xml"), filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(env, envelope, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pemFile, certPEM(cert), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"--verify", "--pubkey-cert-pem", pemFile,
		"--id-attr:Id", wssec.NSSOAP11 + ":Body", "--id-attr:Id", wssec.NSSOAP12 + ":Body",
		"--id-attr:Id", wssec.NSUtility + ":Timestamp", "--id-attr:Id", wssec.NSSecExt + ":UsernameToken",
		"--id-attr:Id", wssec.NSSecExt + ":BinarySecurityToken",
		// The signature is detached, in the Security header.
		"--node-xpath", "//*[local-name()='Signature' and namespace-uri()='" + wssec.NSDSig + "']",
		env}
	out, err := exec.Command(xmlsec, args...).CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("xmlsec1: %v", err)
	}
	return string(out), err == nil
}

func TestSignVerifiedByXmlsec1(t *testing.T) {
	rk := rsaKey(t, 0)
	rc := certFor(t, "client", rk, nil, nil, false)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec := certFor(t, "client-ec", ek, nil, nil, false)
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12} {
		for _, tc := range []struct {
			name string
			s    *wssec.Signer
			cert *x509.Certificate
			refs int // Body, Timestamp, UsernameToken
		}{
			{"rsa", signer(t, rk, rc), rc, 2},
			{"rsa-usernametoken", &wssec.Signer{Cert: rc, Key: rk, TimestampTTL: time.Minute, Token: &wssec.UsernameToken{Username: "alice", Password: "pw", Digest: true}}, rc, 3},
			{"rsa-no-timestamp", &wssec.Signer{Cert: rc, Key: rk}, rc, 1},
			{"ecdsa", signer(t, ek, ec), ec, 2},
		} {
			t.Run(string(v)+"/"+tc.name, func(t *testing.T) {
				signed, err := tc.s.Sign(request(v, []byte(`<h:Tenant xmlns:h="urn:h">acme</h:Tenant>`)), time.Now(), nil)
				if err != nil {
					t.Fatal(err)
				}
				out, ok := xmlsecVerify(t, signed, tc.cert)
				if !ok {
					t.Fatalf("xmlsec1 refused the signature:\n%s\n%s", out, signed)
				}
				if want := fmt.Sprintf("SignedInfo References (ok/all): %d/%d", tc.refs, tc.refs); !strings.Contains(out, want) {
					t.Fatalf("xmlsec1 says\n%s\nwant %q", out, want)
				}
				// Tampering with the body breaks it.
				tampered := bytes.Replace(signed, []byte(">3<"), []byte(">4<"), 1)
				if out, ok := xmlsecVerify(t, tampered, tc.cert); ok {
					t.Fatalf("xmlsec1 accepted a tampered body:\n%s", out)
				}
				// And our own verifier agrees.
				vf := &wssec.Verifier{Trusted: []*x509.Certificate{tc.cert}}
				if err := vf.Verify(signed, time.Now()); err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if err := vf.Verify(tampered, time.Now()); err == nil || !strings.Contains(err.Error(), "changed after it was signed") {
					t.Fatalf("Verify of a tampered body: %v", err)
				}
			})
		}
	}
}

// signedBy signs a SOAP 1.1 request with key and cert.
func signedBy(t *testing.T, s *wssec.Signer, envelope []byte, now time.Time) []byte {
	t.Helper()
	out, err := s.Sign(envelope, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerify(t *testing.T) {
	now := time.Now()
	caKey := rsaKey(t, 2)
	ca := certFor(t, "upstream CA", caKey, nil, nil, true)
	k, other := rsaKey(t, 0), rsaKey(t, 1)
	leaf := certFor(t, "upstream", k, ca, caKey, false)
	self := certFor(t, "upstream-self", k, nil, nil, false)
	stranger := certFor(t, "stranger", other, nil, nil, false)
	s := &wssec.Signer{Cert: leaf, Key: k, TimestampTTL: time.Minute}
	good := signedBy(t, s, request(wsdl.SOAP11), now)

	cases := []struct {
		name    string
		msg     []byte
		trusted []*x509.Certificate
		at      time.Time
		want    string // "" means valid
	}{
		{"pinned leaf", good, []*x509.Certificate{leaf}, now, ""},
		{"issuing CA", good, []*x509.Certificate{ca}, now, ""},
		{"SOAP 1.2", signedBy(t, s, request(wsdl.SOAP12), now), []*x509.Certificate{ca}, now, ""},
		{"other certificate", good, []*x509.Certificate{stranger}, now, "not a trusted certificate nor issued by one"},
		{"same key, other certificate", good, []*x509.Certificate{self}, now, "not a trusted certificate nor issued by one"},
		{"signed by another key", signedBy(t, &wssec.Signer{Cert: leaf, Key: other, TimestampTTL: time.Minute}, request(wsdl.SOAP11), now),
			[]*x509.Certificate{ca}, now, "does not verify with the key of"},
		{"expired timestamp", good, []*x509.Certificate{ca}, now.Add(2 * time.Minute), "wsu:Timestamp expired at"},
		{"timestamp from the future", good, []*x509.Certificate{ca}, now.Add(-10 * time.Minute), "created in the future"},
		{"certificate expired", good, []*x509.Certificate{ca}, now.Add(48 * time.Hour), "not a trusted certificate"},
		{"unsigned", request(wsdl.SOAP11), []*x509.Certificate{ca}, now, "not signed"},
		{"tampered timestamp", bytes.Replace(good, []byte("<wsu:Expires>2"), []byte("<wsu:Expires>3"), 1), []*x509.Certificate{ca}, now, "digest of the signed Timestamp"},
		{"tampered SignedInfo", bytes.Replace(good, []byte(`<ds:Reference URI="#`), []byte(`<ds:Reference Id="x" URI="#`), 1), []*x509.Certificate{ca}, now, "does not verify"},
		{"no trusted certificate", good, nil, now, "no trusted certificate"},
		{"not XML", []byte("<a>"), []*x509.Certificate{ca}, now, "not well-formed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := (&wssec.Verifier{Trusted: tc.trusted}).Verify(tc.msg, tc.at)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Verify: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Verify: %v, want an error containing %q", err, tc.want)
			case err != nil && !strings.HasPrefix(err.Error(), "wssec: verify: "):
				t.Fatalf("error %q lacks the prefix", err)
			}
		})
	}
	if err := (&wssec.Verifier{Trusted: []*x509.Certificate{ca}}).Verify(request(wsdl.SOAP11), now); !errors.Is(err, wssec.ErrUnsigned) {
		t.Errorf("unsigned: %v, want ErrUnsigned", err)
	}
	// Leeway and clock offset move the Timestamp check.
	if err := (&wssec.Verifier{Trusted: []*x509.Certificate{ca}, Leeway: 2 * time.Minute}).Verify(good, now.Add(2*time.Minute)); err != nil {
		t.Errorf("with leeway: %v", err)
	}
	if err := (&wssec.Verifier{Trusted: []*x509.Certificate{ca}, ClockOffset: -2 * time.Minute}).Verify(good, now.Add(2*time.Minute)); err != nil {
		t.Errorf("with a clock offset: %v", err)
	}
}

// TestVerifyWrapping moves the signed Body aside and puts another Body in
// its place (XML signature wrapping): the references still resolve, but
// not to the Body, or an Id is doubled.
func TestVerifyWrapping(t *testing.T) {
	now := time.Now()
	k := rsaKey(t, 0)
	c := certFor(t, "upstream", k, nil, nil, false)
	good := signedBy(t, &wssec.Signer{Cert: c, Key: k, TimestampTTL: time.Minute}, request(wsdl.SOAP11), now)
	v := &wssec.Verifier{Trusted: []*x509.Certificate{c}}
	s := string(good)
	i, j := strings.Index(s, "<soapenv:Body"), strings.Index(s, "</soapenv:Body>")+len("</soapenv:Body>")
	signedBody := s[i:j]
	evil := `<soapenv:Body><m:GetItems xmlns:m="urn:example:inventory"><m:limit>999</m:limit></m:GetItems></soapenv:Body>`
	// The signed body moved into a header, an unsigned one in its place.
	moved := strings.Replace(s[:i]+evil+s[j:], "</soapenv:Header>", "<w:Wrapper xmlns:w=\"urn:w\">"+signedBody+"</w:Wrapper></soapenv:Header>", 1)
	if err := v.Verify([]byte(moved), now); err == nil || !strings.Contains(err.Error(), "does not cover the soap:Body") {
		t.Errorf("moved body: %v", err)
	}
	// The evil body with the same Id.
	id := signedBody[strings.Index(signedBody, `wsu:Id="`):]
	id = id[:strings.Index(id[8:], `"`)+9]
	dup := strings.Replace(moved, "<soapenv:Body>", `<soapenv:Body xmlns:wsu="`+wssec.NSUtility+`" `+id+`>`, 1)
	if err := v.Verify([]byte(dup), now); err == nil || !strings.Contains(err.Error(), "used by more than one element") {
		t.Errorf("doubled Id: %v", err)
	}
}

func TestSignEnvelopeShapes(t *testing.T) {
	k := rsaKey(t, 0)
	c := certFor(t, "client", k, nil, nil, false)
	s := &wssec.Signer{Cert: c, Key: k, TimestampTTL: time.Minute}
	v := &wssec.Verifier{Trusted: []*x509.Certificate{c}}
	const ns11 = `xmlns:soapenv="` + wssec.NSSOAP11 + `"`
	for _, tc := range []struct{ name, env, want string }{
		{"no header", `<soapenv:Envelope ` + ns11 + `><soapenv:Body><a xmlns="urn:a"/></soapenv:Body></soapenv:Envelope>`, ""},
		{"empty header", `<soapenv:Envelope ` + ns11 + `><soapenv:Header/><soapenv:Body><a xmlns="urn:a"/></soapenv:Body></soapenv:Envelope>`, ""},
		{"default namespace", `<Envelope xmlns="` + wssec.NSSOAP11 + `"><Body><a xmlns="urn:a">x</a></Body></Envelope>`, ""},
		{"other prefix", `<e:Envelope xmlns:e="` + wssec.NSSOAP12 + `"><e:Header><h xmlns="urn:h"/></e:Header><e:Body><a xmlns="urn:a"/></e:Body></e:Envelope>`, ""},
		{"body with an Id", `<soapenv:Envelope ` + ns11 + `><soapenv:Body xmlns:wsu="` + wssec.NSUtility + `" wsu:Id="mine"><a xmlns="urn:a"/></soapenv:Body></soapenv:Envelope>`, ""},
		{"empty body", `<soapenv:Envelope ` + ns11 + `><soapenv:Body/></soapenv:Envelope>`, ""},
		{"security present", `<soapenv:Envelope ` + ns11 + `><soapenv:Header><wsse:Security xmlns:wsse="` + wssec.NSSecExt + `"/></soapenv:Header><soapenv:Body/></soapenv:Envelope>`, "already has a wsse:Security header"},
		{"not SOAP", `<a/>`, "not a SOAP envelope"},
		{"no body", `<soapenv:Envelope ` + ns11 + `/>`, "no Body"},
		{"not XML", `<soapenv:Envelope ` + ns11 + `>`, "not well-formed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := s.Sign([]byte(tc.env), time.Now(), nil)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "wssec: sign: ") {
					t.Fatalf("Sign: %v, want %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := v.Verify(out, time.Now()); err != nil {
				t.Fatalf("Verify: %v\n%s", err, out)
			}
			if tc.name == "body with an Id" && !strings.Contains(string(out), `URI="#mine"`) {
				t.Errorf("the Body's own Id is not referenced:\n%s", out)
			}
			if out, ok := xmlsecVerify(t, out, c); !ok {
				t.Errorf("xmlsec1: %s", out)
			}
		})
	}
}

func TestSignErrors(t *testing.T) {
	k := rsaKey(t, 0)
	c := certFor(t, "client", k, nil, nil, false)
	env := request(wsdl.SOAP11)
	if _, err := (&wssec.Signer{Cert: c}).Sign(env, time.Now(), nil); err == nil {
		t.Error("no key: no error")
	}
	if _, err := (&wssec.Signer{Cert: c, Key: k, TimestampTTL: -1}).Sign(env, time.Now(), nil); err == nil {
		t.Error("negative TTL: no error")
	}
	const secret = "s3cret\x01"
	_, err := (&wssec.Signer{Cert: c, Key: k, Token: &wssec.UsernameToken{Username: "u", Password: secret}}).Sign(env, time.Now(), nil)
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("bad password: %v", err)
	}
}

// TestSignTimes checks the Timestamp: TTL and clock offset.
func TestSignTimes(t *testing.T) {
	k := rsaKey(t, 0)
	c := certFor(t, "client", k, nil, nil, false)
	now := time.Date(2030, 1, 2, 3, 4, 5, 6e6, time.UTC)
	out := signedBy(t, &wssec.Signer{Cert: c, Key: k, TimestampTTL: 90 * time.Second, ClockOffset: time.Hour}, request(wsdl.SOAP11), now)
	for _, want := range []string{"<wsu:Created>2030-01-02T04:04:05.006Z</wsu:Created>", "<wsu:Expires>2030-01-02T04:05:35.006Z</wsu:Expires>"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %s in\n%s", want, out)
		}
	}
}
