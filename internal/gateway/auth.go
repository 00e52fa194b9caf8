package gateway

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/kerberos"
	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/store"
	"github.com/soapbridge/soapbridge/internal/upstream"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/wssec"
	"software.sslmate.com/src/go-pkcs12"
)

// Auth types of PUT /v1/admin/services/{service}/auth.
const (
	AuthNone  = "none"
	AuthBasic = "basic"
	AuthWSSE  = "wsse"
	AuthNTLM  = "ntlm"
)

// AuthInput is the body of PUT /v1/admin/services/{service}/auth. Secrets
// (password, header values, SOAP header blocks) are write-only: a PUT that
// leaves out the password, or gives a header's value as null, keeps the
// stored value.
type AuthInput struct {
	Type         string `json:"type"`
	Username     string `json:"username,omitempty"`
	Password     string `json:"password,omitempty"`
	PasswordType string `json:"password_type,omitempty"`
	// Domain is the NTLM domain, for a username without one.
	Domain string `json:"domain,omitempty"`
	// TimestampTTL is the life of the wsu:Timestamp; omitted means 300
	// seconds, 0 sends no Timestamp.
	TimestampTTL *int               `json:"timestamp_ttl_seconds,omitempty"`
	HTTPHeaders  map[string]*string `json:"http_headers,omitempty"`
	// SOAPHeaders replaces the stored header blocks; left out (or null),
	// the stored ones are kept; [] removes them.
	SOAPHeaders *[]string `json:"soap_headers,omitempty"`
	Endpoint    string    `json:"endpoint,omitempty"`
	Timeout     int       `json:"timeout_seconds,omitempty"`
	// CABundle is PEM: the CAs that sign the upstream's certificate,
	// instead of the system's.
	// Left out, the stored bundle is kept; "" removes it.
	CABundle *string `json:"ca_bundle,omitempty"`
	// ClientCertificate is the client certificate for mutual TLS, with
	// any type. Left out, a stored one is kept; null removes it.
	ClientCertificate json.RawMessage `json:"client_certificate,omitempty"`
	// CompensateClockSkew shifts WS-Security timestamps by the upstream's
	// measured clock skew when it exceeds 30 s; omitted means true.
	CompensateClockSkew *bool `json:"compensate_clock_skew,omitempty"`
	kerberosInput
	// SigningCertificate (type x509) signs the requests, in the form of
	// ClientCertificateInput. Left out, the stored one is kept.
	SigningCertificate json.RawMessage `json:"signing_certificate,omitempty"`
	// VerifyResponseSignature (type x509) refuses answers that are not
	// signed by ResponseCertificate.
	VerifyResponseSignature bool `json:"verify_response_signature,omitempty"`
	// ResponseCertificate (type x509) is PEM: the upstream's signing
	// certificate or its CA. Left out, the stored one is kept; "" removes it.
	ResponseCertificate *string `json:"response_certificate,omitempty"`
}

// ClientCertificateInput is a client certificate: PEM certificate (chain)
// and key, or a PKCS#12 bundle (base64) with its password. The key, the
// bundle and the password are secret.
type ClientCertificateInput struct {
	CertPEM  string `json:"cert_pem,omitempty"`
	KeyPEM   string `json:"key_pem,omitempty"`
	PKCS12   string `json:"pkcs12,omitempty"`
	Password string `json:"password,omitempty"`
}

// authConfig is the stored, secret-free part of a service's auth.
type authConfig struct {
	Type         string   `json:"type"`
	Username     string   `json:"username,omitempty"`
	PasswordType string   `json:"password_type,omitempty"`
	Domain       string   `json:"domain,omitempty"` // NTLM
	TimestampTTL int      `json:"timestamp_ttl_seconds,omitempty"`
	HTTPHeaders  []string `json:"http_headers,omitempty"` // names; values are sealed
	SOAPHeaders  int      `json:"soap_headers,omitempty"` // count; blocks are sealed
	Endpoint     string   `json:"endpoint,omitempty"`
	Timeout      int      `json:"timeout_seconds,omitempty"`
	CABundle     string   `json:"ca_bundle,omitempty"`
	// ClientCert is set when a client certificate is stored (sealed as
	// client_cert PEM: certificate chain and key).
	ClientCert bool `json:"client_cert,omitempty"`
	// NoSkewCompensation turns clock skew compensation off.
	NoSkewCompensation bool `json:"no_clock_skew_compensation,omitempty"`
	// FetchWSDL is set when the service was registered with this auth:
	// its WSDL URL's server is lent the auth too (see fetchOrigins).
	FetchWSDL bool `json:"fetch_wsdl,omitempty"`
	kerberosConfig
	// X509 is set for type x509 (whose signing certificate is sealed as
	// signing_cert).
	X509 *x509Config `json:"x509,omitempty"`
}

// AuthView is what reads show of a service's auth: no secret, only whether
// each is set.
type AuthView struct {
	Type           string   `json:"type"`
	Username       string   `json:"username,omitempty"`
	PasswordSet    bool     `json:"password_set"`
	PasswordType   string   `json:"password_type,omitempty"`
	Domain         string   `json:"domain,omitempty"`
	TimestampTTL   *int     `json:"timestamp_ttl_seconds,omitempty"`
	HTTPHeadersSet []string `json:"http_headers_set"`
	SOAPHeadersSet int      `json:"soap_headers_set"`
	Endpoint       string   `json:"endpoint,omitempty"`
	Timeout        int      `json:"timeout_seconds"`
	CABundleSet    bool     `json:"ca_bundle_set"`
	// ClientCertificate describes the stored client certificate (never
	// its key).
	ClientCertificate   *CertView `json:"client_certificate,omitempty"`
	CompensateClockSkew bool      `json:"compensate_clock_skew"`
	// WSDLFetched says that the service's WSDL is fetched with this auth
	// from the WSDL URL's server too (it was registered with it).
	WSDLFetched bool `json:"wsdl_fetched_with_auth,omitempty"`
	*KerberosView
	*X509View
}

// CertView describes a client certificate.
type CertView struct {
	Subject  string    `json:"subject"`
	Issuer   string    `json:"issuer"`
	NotAfter time.Time `json:"not_after"`
}

// Credential fields, the names sealed values are stored under.
const (
	fieldPassword = "password"
	fieldHeader   = "http_header:"
	fieldSOAP     = "soap_header:"
	fieldCert     = "client_cert"
)

// sealContext is the associated data of a sealed credential: it binds the
// ciphertext to its service and field.
func sealContext(service, field string) string { return "soapbridge/v1\x00" + service + "\x00" + field }

// Bounds of an auth configuration: more headers are a mistake, and
// each is sent with every call.
const (
	maxHTTPHeaders = 100
	maxSOAPHeaders = 100
)

const (
	defaultTimeout = 60 * time.Second
	maxTimeout     = 600
	defaultTTL     = 300
)

// reservedHeaders are set by soapbridge and cannot be configured.
var reservedHeaders = map[string]bool{
	"Content-Type": true, "Content-Length": true, "Soapaction": true, "Host": true,
	"Transfer-Encoding": true, "Connection": true, "Accept-Encoding": true, "Te": true,
	"Upgrade": true, "Trailer": true, "Keep-Alive": true, "Proxy-Connection": true,
}

// upstreamAuth is a service's auth with its secrets opened, ready for calls.
type upstreamAuth struct {
	cfg         authConfig
	password    string
	headers     http.Header
	soapHeaders [][]byte
	timeout     time.Duration
	client      *upstream.Client // nil: the gateway's shared client
	certPEM     string           // the client certificate chain and key, PEM
	cert        *x509.Certificate
	krb         *kerberos.Client // type kerberos: its login and tickets
	krbConfig   kerberos.Config
	krbKeytab   []byte
	x509        *x509Auth // type x509
}

// applyAuthInput validates in against the current configuration and
// secrets, returning the new configuration and secrets (by field). Every
// problem is listed.
func applyAuthInput(in *AuthInput, cur *upstreamAuth) (authConfig, map[string][]byte, []string) {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	cfg := authConfig{Type: in.Type, Endpoint: in.Endpoint, Timeout: in.Timeout}
	switch {
	case in.CABundle != nil:
		cfg.CABundle = *in.CABundle
	case cur != nil:
		cfg.CABundle = cur.cfg.CABundle
	}
	if in.CompensateClockSkew != nil && !*in.CompensateClockSkew {
		cfg.NoSkewCompensation = true
	}
	cfg.FetchWSDL = cur != nil && cur.cfg.FetchWSDL
	secrets := map[string][]byte{}
	switch in.Type {
	case AuthNone:
		if in.Username != "" || in.Password != "" {
			bad("/username: type none takes no credentials")
		}
	case AuthBasic, AuthWSSE:
		cfg.Username = in.Username
		if in.Username == "" {
			bad("/username: required for type %s", in.Type)
		}
		if in.Type == AuthBasic && strings.ContainsRune(in.Username, ':') {
			bad("/username: HTTP Basic user names cannot contain ':'")
		}
		pw := in.Password
		if pw == "" && cur != nil && cur.cfg.Type == in.Type && cur.password != "" {
			pw = cur.password // write-only: left out means unchanged
		}
		if pw == "" {
			bad("/password: required for type %s", in.Type)
		}
		secrets[fieldPassword] = []byte(pw)
		if in.Type == AuthWSSE {
			cfg.PasswordType = in.PasswordType
			if cfg.PasswordType == "" {
				cfg.PasswordType = "text"
			}
			if cfg.PasswordType != "text" && cfg.PasswordType != "digest" {
				bad("/password_type: %q is not text or digest", in.PasswordType)
			}
			cfg.TimestampTTL = defaultTTL
			if in.TimestampTTL != nil {
				cfg.TimestampTTL = *in.TimestampTTL
			}
			if cfg.TimestampTTL < 0 || cfg.TimestampTTL > 86400 {
				bad("/timestamp_ttl_seconds: %d is not between 0 and 86400", cfg.TimestampTTL)
			}
		} else if in.PasswordType != "" || in.TimestampTTL != nil {
			bad("/password_type: only type wsse takes password_type and timestamp_ttl_seconds")
		}
	case AuthNTLM:
		applyNTLMInput(in, cur, &cfg, secrets, bad)
	case AuthKerberos:
		probs = append(probs, applyKerberos(in, cur, &cfg, secrets)...)
	case AuthX509:
	case "":
		bad("/type: required: none, basic, wsse, ntlm, kerberos or x509")
	default:
		bad("/type: %q is not none, basic, wsse, ntlm, kerberos or x509", in.Type)
	}
	if in.Domain != "" && in.Type != AuthNTLM {
		bad("/domain: only type ntlm takes a domain")
	}
	if in.Type != AuthKerberos && in.kerberosInput != (kerberosInput{}) {
		bad("/realm: only type kerberos takes keytab, realm, kdc and spn")
	}
	applyX509Input(in, cur, &cfg, secrets, bad)
	if len(in.HTTPHeaders) > maxHTTPHeaders {
		bad("/http_headers: %d headers; at most %d", len(in.HTTPHeaders), maxHTTPHeaders)
	}
	if in.SOAPHeaders != nil && len(*in.SOAPHeaders) > maxSOAPHeaders {
		bad("/soap_headers: %d header blocks; at most %d", len(*in.SOAPHeaders), maxSOAPHeaders)
	}
	names := make([]string, 0, len(in.HTTPHeaders))
	for name := range in.HTTPHeaders {
		if len(in.HTTPHeaders) <= maxHTTPHeaders {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		v := in.HTTPHeaders[name]
		canon := http.CanonicalHeaderKey(name)
		ptr := "/http_headers/" + name
		switch {
		case !validHeaderName(name):
			bad("%s: not a valid HTTP header name", ptr)
			continue
		case reservedHeaders[canon]:
			bad("%s: soapbridge sets %s itself", ptr, canon)
			continue
		case canon == "Authorization" && (in.Type == AuthBasic || in.Type == AuthNTLM || in.Type == AuthKerberos):
			bad("%s: type %s already sets Authorization", ptr, in.Type)
			continue
		}
		var value string
		if v != nil {
			value = *v
		} else if cur != nil && cur.headers.Get(canon) != "" {
			value = cur.headers.Get(canon)
		} else {
			bad("%s: null keeps a stored value, and none is stored", ptr)
			continue
		}
		if !validHeaderValue(value) {
			bad("%s: a header value cannot contain line breaks or other control characters", ptr)
			continue
		}
		cfg.HTTPHeaders = append(cfg.HTTPHeaders, canon)
		secrets[fieldHeader+canon] = []byte(value)
	}
	blocks := []string{}
	switch {
	case in.SOAPHeaders != nil && len(*in.SOAPHeaders) > maxSOAPHeaders:
	case in.SOAPHeaders != nil:
		blocks = *in.SOAPHeaders
	case cur != nil:
		for _, b := range cur.soapHeaders {
			blocks = append(blocks, string(b))
		}
	}
	for i, block := range blocks {
		if err := checkHeaderBlock(block); err != nil {
			bad("/soap_headers/%d: %v", i, err)
			continue
		}
		secrets[fieldSOAP+strconv.Itoa(cfg.SOAPHeaders)] = []byte(block)
		cfg.SOAPHeaders++
	}
	if in.Endpoint != "" {
		if u, err := url.Parse(in.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("/endpoint: %q is not an absolute http(s) URL", in.Endpoint)
		} else if u.User != nil {
			bad("/endpoint: put credentials in the auth settings, not in the URL")
		}
	}
	if in.Timeout < 0 || in.Timeout > maxTimeout {
		bad("/timeout_seconds: %d is not between 1 and %d", in.Timeout, maxTimeout)
	}
	if cfg.CABundle != "" {
		if _, err := certPool(cfg.CABundle); err != nil {
			bad("/ca_bundle: %v", err)
		}
	}
	switch raw := strings.TrimSpace(string(in.ClientCertificate)); {
	case raw == "" && cur != nil && cur.certPEM != "":
		secrets[fieldCert], cfg.ClientCert = []byte(cur.certPEM), true
	case raw == "" || raw == "null":
	default:
		pemText, err := certInputPEM(raw)
		if err != nil {
			bad("/client_certificate: %v", err)
			break
		}
		secrets[fieldCert], cfg.ClientCert = []byte(pemText), true
	}
	return cfg, secrets, probs
}

// certInputPEM decodes a certificate member (a ClientCertificateInput in
// JSON, unknown members refused) into one PEM text holding the
// certificate chain and the private key, checking that they match.
func certInputPEM(raw string) (string, error) {
	var cc ClientCertificateInput
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cc); err != nil {
		return "", err
	}
	return clientCertPEM(&cc)
}

// clientCertPEM turns a client certificate input into one PEM text holding
// the certificate chain and the private key, checking that they match.
func clientCertPEM(cc *ClientCertificateInput) (string, error) {
	switch {
	case cc.PKCS12 != "" && (cc.CertPEM != "" || cc.KeyPEM != ""):
		return "", errors.New("give either cert_pem and key_pem, or pkcs12")
	case cc.PKCS12 != "":
		der, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cc.PKCS12))
		if err != nil {
			return "", errors.New("pkcs12 must be the base64 of a .p12/.pfx file")
		}
		key, leaf, chain, err := pkcs12.DecodeChain(der, cc.Password)
		if err != nil {
			return "", fmt.Errorf("reading the PKCS#12 bundle: %v (is the password right?)", err)
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return "", fmt.Errorf("the PKCS#12 key: %v", err)
		}
		var b strings.Builder
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
		for _, c := range chain {
			pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		pem.Encode(&b, &pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
		return b.String(), nil
	case cc.CertPEM == "" || cc.KeyPEM == "":
		return "", errors.New("give cert_pem and key_pem, or pkcs12 (with password)")
	}
	if _, err := tls.X509KeyPair([]byte(cc.CertPEM), []byte(cc.KeyPEM)); err != nil {
		return "", fmt.Errorf("the certificate and key do not make a key pair: %v", err)
	}
	return strings.TrimSpace(cc.CertPEM) + "\n" + strings.TrimSpace(cc.KeyPEM) + "\n", nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// checkHeaderBlock checks that a SOAP header block is one namespace-
// qualified element that can be copied into an envelope as it is (see
// codec.CheckElement): it may use the envelope's prefixes (soapenv, xsi,
// xsd, soapenc) without declaring them. Its errors never quote the
// block's text, which may be a credential.
func checkHeaderBlock(block string) error {
	ns, err := codec.CheckElement(block, wsdl.SOAP11)
	switch {
	case err != nil:
		return fmt.Errorf("not well-formed XML: %v", err)
	case ns == "":
		return errors.New("a SOAP header block must be a namespace-qualified element")
	}
	return nil
}

// validHeaderValue reports whether v can be sent as an HTTP header value:
// no control character but tab (RFC 9110, field-value).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func certPool(pem string) (*x509.CertPool, error) {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM([]byte(pem)) {
		return nil, errors.New("no PEM certificate found")
	}
	return p, nil
}

// openAuth opens a stored configuration and its sealed secrets.
func openAuth(service string, raw []byte, sealed map[string]secret.Sealed, ring *secret.Keyring) (*upstreamAuth, error) {
	a := &upstreamAuth{headers: http.Header{}, cfg: authConfig{Type: AuthNone}}
	if len(raw) == 0 {
		raw = []byte(`{"type":"none"}`)
	}
	if err := json.Unmarshal(raw, &a.cfg); err != nil {
		return nil, fmt.Errorf("auth configuration: %w", err)
	}
	open := func(field string) (string, error) {
		s, ok := sealed[field]
		if !ok {
			return "", fmt.Errorf("credential %s is missing", field)
		}
		p, err := ring.Open(s, sealContext(service, field))
		return string(p), err
	}
	var err error
	if a.cfg.Type == AuthBasic || a.cfg.Type == AuthWSSE || a.cfg.Type == AuthNTLM {
		if a.password, err = open(fieldPassword); err != nil {
			return nil, err
		}
	}
	if err := a.openX509(open); err != nil {
		return nil, err
	}
	for _, name := range a.cfg.HTTPHeaders {
		v, err := open(fieldHeader + name)
		if err != nil {
			return nil, err
		}
		a.headers.Set(name, v)
	}
	for i := range a.cfg.SOAPHeaders {
		v, err := open(fieldSOAP + strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		a.soapHeaders = append(a.soapHeaders, []byte(v))
	}
	a.timeout = defaultTimeout
	if a.cfg.Timeout > 0 {
		a.timeout = time.Duration(a.cfg.Timeout) * time.Second
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	custom := false
	if a.cfg.CABundle != "" {
		pool, err := certPool(a.cfg.CABundle)
		if err != nil {
			return nil, fmt.Errorf("ca_bundle: %w", err)
		}
		tc.RootCAs, custom = pool, true
	}
	if a.cfg.ClientCert {
		if a.certPEM, err = open(fieldCert); err != nil {
			return nil, err
		}
		pair, err := tls.X509KeyPair([]byte(a.certPEM), []byte(a.certPEM))
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		a.cert = pair.Leaf
		tc.Certificates, custom = []tls.Certificate{pair}, true
	}
	switch {
	case a.cfg.Type == AuthNTLM:
		// NTLM authenticates connections: the service's own pool.
		a.client = upstream.NewClientNTLM(0, tc, a.ntlmCredentials())
	case custom:
		a.client = upstream.NewClientTLS(0, tc)
	}
	if a.cfg.Type == AuthKerberos {
		if err := a.openKerberos(open, tc); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// view is what reads show.
func (a *upstreamAuth) view() AuthView {
	v := AuthView{
		Type: a.cfg.Type, Username: a.cfg.Username, PasswordSet: a.password != "", PasswordType: a.cfg.PasswordType,
		Domain: a.cfg.Domain, HTTPHeadersSet: append([]string{}, a.cfg.HTTPHeaders...), SOAPHeadersSet: a.cfg.SOAPHeaders,
		Endpoint: a.cfg.Endpoint, Timeout: int(a.timeout / time.Second), CABundleSet: a.cfg.CABundle != "",
		CompensateClockSkew: !a.cfg.NoSkewCompensation, WSDLFetched: a.cfg.FetchWSDL,
	}
	if a.usesWSSTimestamps() {
		ttl := a.cfg.TimestampTTL
		v.TimestampTTL = &ttl
	}
	v.KerberosView = a.kerberosView()
	v.X509View = a.x509View()
	if a.cert != nil {
		v.ClientCertificate = &CertView{Subject: a.cert.Subject.String(), Issuer: a.cert.Issuer.String(), NotAfter: a.cert.NotAfter.UTC()}
	}
	return v
}

// apply sets the auth of one call on t: fresh WS-Security headers (a new
// nonce and timestamp every call, their times shifted by clockOffset),
// Basic, headers, SOAP header blocks.
func (a *upstreamAuth) apply(t *upstream.Target, now time.Time, clockOffset time.Duration) error {
	t.Headers = a.headers
	switch a.cfg.Type {
	case AuthBasic:
		t.Basic = &upstream.BasicAuth{User: a.cfg.Username, Password: a.password}
	case AuthWSSE:
		h := wssec.Header{
			Token:        &wssec.UsernameToken{Username: a.cfg.Username, Password: a.password, Digest: a.cfg.PasswordType == "digest"},
			TimestampTTL: time.Duration(a.cfg.TimestampTTL) * time.Second,
			ClockOffset:  clockOffset,
		}
		block, err := h.Block(now, rand.Reader)
		if err != nil {
			return err
		}
		t.SOAPHeaders = append(t.SOAPHeaders, block)
		t.AuthScheme = "WS-Security UsernameToken"
	case AuthNTLM:
		t.AuthScheme = "NTLM" // the service's client does the handshake
	case AuthKerberos:
		t.AuthScheme = "Kerberos ticket (SPNEGO)" // sent by the client's transport
	case AuthX509:
		a.applyX509(t, now, clockOffset)
	}
	t.SOAPHeaders = append(t.SOAPHeaders, a.soapHeaders...)
	return nil
}

// Reseal re-encrypts every stored credential that is not sealed under the
// ring's current key (a master key rotation), returning how many it did.
func Reseal(ctx context.Context, st *store.Store, ring *secret.Keyring) (int, error) {
	return st.Reseal(ctx, ring.Current().ID, func(service, field string, old secret.Sealed) (secret.Sealed, error) {
		p, err := ring.Open(old, sealContext(service, field))
		if err != nil {
			return secret.Sealed{}, err
		}
		return ring.Seal(p, sealContext(service, field)), nil
	})
}
