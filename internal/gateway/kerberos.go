package gateway

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/soapbridge/soapbridge/internal/kerberos"
	"github.com/soapbridge/soapbridge/internal/upstream"
)

// AuthKerberos is Kerberos through SPNEGO (HTTP Negotiate), with a password
// or a keytab.
const AuthKerberos = "kerberos"

// fieldKeytab is the credential field of a sealed keytab.
const fieldKeytab = "keytab"

// kerberosInput holds the members of AuthInput for type kerberos (with
// username and password).
type kerberosInput struct {
	// Keytab is the base64 of a keytab file holding the user's keys:
	// secret and write-only, instead of password.
	Keytab string `json:"keytab,omitempty"`
	// Realm is the Kerberos realm (the AD domain in capitals); required.
	Realm string `json:"realm,omitempty"`
	// KDC is host[:port]; left out, the realm's KDCs come from DNS SRV.
	KDC string `json:"kdc,omitempty"`
	// SPN is the upstream's service principal; left out, HTTP/<endpoint
	// host>.
	SPN string `json:"spn,omitempty"`
}

// kerberosConfig is the stored, secret-free part of a Kerberos auth.
type kerberosConfig struct {
	Realm string `json:"realm,omitempty"`
	KDC   string `json:"kdc,omitempty"`
	SPN   string `json:"spn,omitempty"`
	// Keytab is set when the credential is a keytab (sealed as keytab)
	// instead of a password.
	Keytab bool `json:"keytab,omitempty"`
}

// KerberosView is what reads show of a Kerberos auth.
type KerberosView struct {
	Realm string `json:"realm"`
	// KDC is empty when the realm's KDCs come from DNS.
	KDC string `json:"kdc,omitempty"`
	// SPN is the configured SPN; SPNDerived the one calls use when none
	// is configured (HTTP/ and the endpoint's host).
	SPN        string `json:"spn,omitempty"`
	SPNDerived string `json:"spn_derived,omitempty"`
	KeytabSet  bool   `json:"keytab_set"`
}

// applyKerberos validates the members of a type kerberos input into cfg and
// secrets, keeping the stored password or keytab when both are left out.
func applyKerberos(in *AuthInput, cur *upstreamAuth, cfg *authConfig, secrets map[string][]byte) []string {
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	cfg.Username = in.Username
	cfg.kerberosConfig = kerberosConfig{Realm: in.Realm, KDC: in.KDC, SPN: in.SPN}
	switch {
	case in.Username == "":
		bad("/username: required for type kerberos")
	case strings.ContainsAny(in.Username, `@\`):
		bad("/username: give the account name alone (alice, not alice@REALM or DOMAIN\\alice); the realm goes in realm")
	}
	switch {
	case in.Realm == "":
		bad("/realm: required for type kerberos (for Active Directory the DNS domain in capitals: EXAMPLE.COM)")
	case strings.ContainsAny(in.Realm, " /@\\:"):
		bad("/realm: %q is not a realm name", in.Realm)
	}
	if in.KDC != "" && !validHostPort(in.KDC) {
		bad("/kdc: %q is not host or host:port", in.KDC)
	}
	if in.SPN != "" {
		if svc, host, ok := strings.Cut(in.SPN, "/"); !ok || svc == "" || host == "" || strings.ContainsAny(in.SPN, "@ ") {
			bad("/spn: %q is not a service principal name such as HTTP/host.example.com (without @REALM)", in.SPN)
		}
	}
	if in.PasswordType != "" || in.TimestampTTL != nil {
		bad("/password_type: only type wsse takes password_type and timestamp_ttl_seconds")
	}
	var keytab []byte
	switch {
	case in.Password != "" && in.Keytab != "":
		bad("/keytab: give a password or a keytab, not both")
		return probs
	case in.Keytab != "":
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(in.Keytab))
		if err != nil {
			bad("/keytab: not base64 (give the base64 of the keytab file: base64 -w0 svc.keytab)")
			return probs
		}
		keytab = b
	case in.Password != "":
		secrets[fieldPassword] = []byte(in.Password)
		return probs
	case cur != nil && cur.cfg.Type == AuthKerberos && cur.krbKeytab != nil:
		keytab = cur.krbKeytab // write-only: left out means unchanged
	case cur != nil && cur.cfg.Type == AuthKerberos && cur.password != "":
		secrets[fieldPassword] = []byte(cur.password)
		return probs
	default:
		bad("/password: type kerberos needs a password or a keytab")
		return probs
	}
	if len(probs) == 0 {
		if _, err := kerberos.ParseKeytab(keytab, in.Username, in.Realm); err != nil {
			bad("/keytab: %v", err)
		}
	}
	secrets[fieldKeytab], cfg.Keytab = keytab, true
	return probs
}

// validHostPort reports whether s is host or host:port.
func validHostPort(s string) bool {
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return false
		}
	}
	return host != "" && !strings.ContainsAny(host, " /@:?#")
}

// openKerberos opens the password or keytab of a Kerberos auth and puts
// its SPNEGO transport in front of the service's client (made from tc
// when the service has none of its own).
func (a *upstreamAuth) openKerberos(open func(string) (string, error), tc *tls.Config) error {
	kc := kerberos.Config{Realm: a.cfg.Realm, KDC: a.cfg.KDC, Username: a.cfg.Username, SPN: a.cfg.SPN}
	if a.cfg.Keytab {
		kt, err := open(fieldKeytab)
		if err != nil {
			return err
		}
		a.krbKeytab, kc.Keytab = []byte(kt), []byte(kt)
	} else {
		pw, err := open(fieldPassword)
		if err != nil {
			return err
		}
		a.password, kc.Password = pw, pw
	}
	krb, err := kerberos.New(kc)
	if err != nil {
		return fmt.Errorf("kerberos auth: %w", err)
	}
	a.krb, a.krbConfig = krb, kc
	if a.client == nil {
		a.client = upstream.NewClientTLS(0, tc)
	}
	a.client = a.client.WithTransport(krb.Transport)
	return nil
}

// kerberosView is the Kerberos part of the auth's view, or nil.
func (a *upstreamAuth) kerberosView() *KerberosView {
	if a.cfg.Type != AuthKerberos {
		return nil
	}
	v := &KerberosView{Realm: a.cfg.Realm, KDC: a.cfg.KDC, SPN: a.cfg.SPN, KeytabSet: a.krbKeytab != nil}
	if v.SPN == "" && a.cfg.Endpoint != "" {
		v.SPNDerived = spnOf(a.cfg.Endpoint)
	}
	return v
}

// close releases what the auth holds beyond memory: the Kerberos client's
// ticket renewal and idle upstream connections. Calls still running on
// it may fail.
func (a *upstreamAuth) close() {
	if a.krb != nil {
		a.krb.Close()
	}
	if a.client != nil {
		a.client.CloseIdle()
	}
}

// authView is the service's auth view, with the derived SPN of a Kerberos
// auth without spn and endpoint override: the one of the first port.
func (s *service) authView() AuthView {
	v := s.auth.view()
	if v.KerberosView != nil && v.SPN == "" && v.SPNDerived == "" {
		for _, sv := range s.model.Services {
			for _, p := range sv.Ports {
				if v.SPNDerived == "" && p.Address != "" {
					v.SPNDerived = spnOf(p.Address)
				}
			}
		}
	}
	return v
}

// spnOf returns the SPN derived from an endpoint URL, or "".
func spnOf(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return ""
	}
	return kerberos.DeriveSPN(u.Host)
}

// kerberosProbe returns, for a Kerberos auth, a fresh client of the same
// identity (so that diagnose logs in anew rather than reading the cache),
// the SPN calls to endpoint use, and the client's Close; nil otherwise.
func (a *upstreamAuth) kerberosProbe(endpoint string) (*kerberos.Client, string, func()) {
	if a.krb == nil {
		return nil, "", func() {}
	}
	c, err := kerberos.New(a.krbConfig)
	if err != nil {
		return nil, "", func() {}
	}
	spn := a.cfg.SPN
	if spn == "" {
		spn = spnOf(endpoint)
	}
	return c, spn, c.Close
}

// closeAuths closes the auth of every service, when the gateway closes.
func (g *Gateway) closeAuths() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, s := range g.services {
		s.auth.close()
	}
}
