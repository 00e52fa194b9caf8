package gateway

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/upstream"
	"github.com/soapbridge/soapbridge/internal/wssec"
)

// AuthX509 is the auth type that signs every request with an X.509
// certificate (WS-Security X.509 Token Profile), and optionally checks the
// signature of the answers.
const AuthX509 = "x509"

// fieldSigningCert is the sealed field of an x509 signing certificate: its
// chain and private key, PEM.
const fieldSigningCert = "signing_cert"

// x509SchemeName names the auth in diagnoses.
const x509SchemeName = "WS-Security X.509 signature"

// responseLeeway is how far an answer's wsu:Timestamp may be past its
// Expires, or its Created ahead of the upstream's clock as measured.
const responseLeeway = time.Minute

// x509Config is the stored, secret-free part of type x509.
type x509Config struct {
	// VerifyResponse requires answers signed by ResponseCert.
	VerifyResponse bool `json:"verify_response,omitempty"`
	// ResponseCert is PEM: the upstream's signing certificate, or the CAs
	// that issue it.
	ResponseCert string `json:"response_cert,omitempty"`
}

// X509View is what reads show of type x509 (inlined in AuthView).
type X509View struct {
	// SigningCertificate describes the signing certificate (never its key).
	SigningCertificate      *CertView  `json:"signing_certificate,omitempty"`
	VerifyResponseSignature bool       `json:"verify_response_signature"`
	ResponseCertificate     []CertView `json:"response_certificate,omitempty"`
}

// x509Auth is type x509 opened for calls.
type x509Auth struct {
	pem      string // the signing certificate chain and key, as sealed
	cert     *x509.Certificate
	key      crypto.Signer
	verifier *wssec.Verifier // nil: answers are not checked
}

// usesWSSTimestamps reports whether the auth sends wsu:Timestamps, which
// clock skew compensation shifts.
func (a *upstreamAuth) usesWSSTimestamps() bool {
	return a.cfg.Type == AuthWSSE || a.cfg.Type == AuthX509
}

// applyX509Input validates the x509 members of in into cfg and secrets
// (type x509), or checks that they are absent (other types).
func applyX509Input(in *AuthInput, cur *upstreamAuth, cfg *authConfig, secrets map[string][]byte, bad func(string, ...any)) {
	rawCert := strings.TrimSpace(string(in.SigningCertificate))
	if in.Type != AuthX509 {
		if rawCert != "" && rawCert != "null" {
			bad("/signing_certificate: only type x509 signs messages (for mutual TLS, use client_certificate)")
		}
		if in.VerifyResponseSignature || in.ResponseCertificate != nil && *in.ResponseCertificate != "" {
			bad("/verify_response_signature: only type x509 checks signed answers")
		}
		return
	}
	x := &x509Config{VerifyResponse: in.VerifyResponseSignature}
	cfg.X509 = x
	var curX *x509Auth
	if cur != nil && cur.cfg.Type == AuthX509 {
		curX = cur.x509
	}
	switch {
	case (rawCert == "" || rawCert == "null") && curX != nil:
		secrets[fieldSigningCert] = []byte(curX.pem) // write-only: left out means unchanged
	case rawCert == "" || rawCert == "null":
		bad(`/signing_certificate: required for type x509: {"cert_pem": "...", "key_pem": "..."} or {"pkcs12": "<base64>", "password": "..."}`)
	default:
		pemText, err := certInputPEM(rawCert)
		if err == nil {
			_, _, err = signingPair(pemText)
		}
		if err != nil {
			bad("/signing_certificate: %v", err)
			break
		}
		secrets[fieldSigningCert] = []byte(pemText)
	}

	// An optional UsernameToken, signed with the rest.
	cfg.Username = in.Username
	switch {
	case in.Username != "":
		pw := in.Password
		if pw == "" && cur != nil && cur.cfg.Type == AuthX509 && cur.password != "" {
			pw = cur.password
		}
		if pw == "" {
			bad("/password: required with a username (type x509 sends them in a UsernameToken)")
		}
		secrets[fieldPassword] = []byte(pw)
		cfg.PasswordType = in.PasswordType
		if cfg.PasswordType == "" {
			cfg.PasswordType = "text"
		}
		if cfg.PasswordType != "text" && cfg.PasswordType != "digest" {
			bad("/password_type: %q is not text or digest", in.PasswordType)
		}
	case in.Password != "":
		bad("/username: required with a password (type x509 sends them in a UsernameToken)")
	case in.PasswordType != "":
		bad("/password_type: takes a username and password")
	}
	cfg.TimestampTTL = defaultTTL
	if in.TimestampTTL != nil {
		cfg.TimestampTTL = *in.TimestampTTL
	}
	if cfg.TimestampTTL < 0 || cfg.TimestampTTL > 86400 {
		bad("/timestamp_ttl_seconds: %d is not between 0 and 86400", cfg.TimestampTTL)
	}

	switch {
	case in.ResponseCertificate != nil:
		x.ResponseCert = *in.ResponseCertificate
	case cur != nil && cur.cfg.X509 != nil:
		x.ResponseCert = cur.cfg.X509.ResponseCert
	}
	if x.ResponseCert != "" {
		if _, err := parseCerts(x.ResponseCert); err != nil {
			bad("/response_certificate: %v", err)
		}
	} else if x.VerifyResponse {
		bad("/response_certificate: required when verify_response_signature is true: the upstream's signing certificate, or the CA that issues it (PEM)")
	}
}

// signingPair reads a signing certificate and its key from PEM.
func signingPair(pemText string) (*x509.Certificate, crypto.Signer, error) {
	pair, err := tls.X509KeyPair([]byte(pemText), []byte(pemText))
	if err != nil {
		return nil, nil, fmt.Errorf("the certificate and key do not make a key pair: %v", err)
	}
	switch k := pair.PrivateKey.(type) {
	case *rsa.PrivateKey:
		return pair.Leaf, k, nil
	case *ecdsa.PrivateKey:
		return pair.Leaf, k, nil
	}
	return nil, nil, fmt.Errorf("the key is %T: XML signatures need an RSA (or ECDSA) key", pair.PrivateKey)
}

// parseCerts reads every certificate of a PEM text.
func parseCerts(text string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	rest := []byte(text)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("a certificate does not parse: %v", err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate found")
	}
	return out, nil
}

// openX509 opens type x509's secrets.
func (a *upstreamAuth) openX509(open func(field string) (string, error)) error {
	if a.cfg.Type != AuthX509 {
		return nil
	}
	pemText, err := open(fieldSigningCert)
	if err != nil {
		return err
	}
	cert, key, err := signingPair(pemText)
	if err != nil {
		return fmt.Errorf("signing certificate: %w", err)
	}
	x := &x509Auth{pem: pemText, cert: cert, key: key}
	if a.cfg.Username != "" {
		if a.password, err = open(fieldPassword); err != nil {
			return err
		}
	}
	if c := a.cfg.X509; c != nil && c.VerifyResponse {
		trusted, err := parseCerts(c.ResponseCert)
		if err != nil {
			return fmt.Errorf("response_certificate: %w", err)
		}
		x.verifier = &wssec.Verifier{Trusted: trusted, Leeway: responseLeeway}
	}
	a.x509 = x
	return nil
}

// x509View is what reads show of type x509; nil for other types.
func (a *upstreamAuth) x509View() *X509View {
	if a.cfg.Type != AuthX509 || a.x509 == nil {
		return nil
	}
	c := a.x509.cert
	v := &X509View{SigningCertificate: &CertView{Subject: c.Subject.String(), Issuer: c.Issuer.String(), NotAfter: c.NotAfter.UTC()}}
	if x := a.cfg.X509; x != nil {
		v.VerifyResponseSignature = x.VerifyResponse
		if certs, err := parseCerts(x.ResponseCert); err == nil {
			for _, c := range certs {
				v.ResponseCertificate = append(v.ResponseCertificate, CertView{Subject: c.Subject.String(), Issuer: c.Issuer.String(), NotAfter: c.NotAfter.UTC()})
			}
		}
	}
	return v
}

// applyX509 sets the signing of one call on t: a fresh Timestamp (shifted
// by clockOffset), Ids and UsernameToken for every call, and the check of
// the answer. Answers that are not 2xx and carry no signature (faults
// from servers that sign only results) are not refused: they are read as
// faults, whose content soapbridge never passes on as data.
func (a *upstreamAuth) applyX509(t *upstream.Target, now time.Time, clockOffset time.Duration) {
	x := a.x509
	s := &wssec.Signer{Cert: x.cert, Key: x.key, TimestampTTL: time.Duration(a.cfg.TimestampTTL) * time.Second, ClockOffset: clockOffset}
	if a.cfg.Username != "" {
		s.Token = &wssec.UsernameToken{Username: a.cfg.Username, Password: a.password, Digest: a.cfg.PasswordType == "digest"}
	}
	t.Sign = func(envelope []byte) ([]byte, error) { return s.Sign(envelope, now, rand.Reader) }
	t.AuthScheme = x509SchemeName
	if x.verifier != nil {
		v := *x.verifier
		v.ClockOffset = clockOffset
		t.VerifyResponse = func(body []byte, status int) error {
			err := v.Verify(body, now)
			if errors.Is(err, wssec.ErrUnsigned) && status/100 != 2 {
				return nil
			}
			return err
		}
	}
}

// wssFaultFix is the fix of a WS-Security fault's diagnosis.
func wssFaultFix(t *upstream.Target) string {
	if t.AuthScheme == x509SchemeName {
		return "check that the upstream trusts the signing certificate (or the CA that issued it) and that it is valid; if the reason is about time, check this machine's clock"
	}
	return "check the username, password and password_type (text or digest) of the service's auth; if the reason is about time, check this machine's clock"
}

// signatureProblem turns a refused answer signature into its problem.
func signatureProblem(ue *upstream.Error, t *upstream.Target) *Problem {
	p := problem(http.StatusBadGateway, "upstream", "Upstream Signature Refused", ue.Msg)
	p.Diagnosis = &Diagnosis{Kind: string(ue.Kind), Summary: ue.Msg, Fix: ue.Fix, UpstreamStatus: ue.Status, Endpoint: t.Endpoint}
	return p
}
