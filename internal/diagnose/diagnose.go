package diagnose

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/wwwauth"
)

// Target describes an endpoint and how soapbridge is configured to call it.
type Target struct {
	Endpoint    string
	SOAPVersion string // "1.1" or "1.2"
	// Auth is the configured upstream auth type: "none", "basic", "wsse"...
	Auth string
	// ClientCertificate reports whether a client certificate is configured.
	ClientCertificate bool
	// UsernameToken reports that an x509 auth also sends a UsernameToken,
	// which satisfies a UsernameToken assertion (a signed supporting token).
	UsernameToken bool
	// TLS is the TLS configuration calls use (roots, client certificate);
	// nil means the system's roots and no client certificate.
	TLS *tls.Config
	// Policies are the WS-Policy assertion kinds of the port and its
	// operations ("UsernameToken", "HttpsToken", "KerberosToken"...).
	Policies []string
	// Authenticate, when set, sends req with the service's configured
	// HTTP authentication as calls send it (HTTP Basic, an NTLM handshake
	// on a new connection of its own, a Kerberos ticket, the configured
	// HTTP headers) and returns the answer. It is used only when the
	// unauthenticated probe gets 401 or 403: the auth check tells
	// accepted credentials from refused ones by it, and the soap_version
	// check reads the authenticated answer. req is always an empty SOAP
	// envelope (a Body without content, SOAPAction ""), which names no
	// operation for the upstream to run; Authenticate must send it as it
	// is and return at most 64 KiB of the answer's body.
	Authenticate func(*http.Request) AuthResult
	// Timeout bounds each network step; 0 means 10 s.
	Timeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Kerberos, when set (auth kerberos), is logged in to its KDC and
	// asked for a service ticket for SPN: the kerberos and spn checks.
	Kerberos KerberosProbe
	SPN      string
}

// Severity grades a finding.
type Severity string

const (
	OK      Severity = "ok"
	Info    Severity = "info"
	Warning Severity = "warning"
	Error   Severity = "error"
	Skipped Severity = "skipped"
)

// Finding is the result of one check.
type Finding struct {
	Check    string   `json:"check"` // dns, tcp, tls, auth, soap_version, policy, clock, kerberos, spn
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence,omitempty"`
	Fix      string   `json:"fix,omitempty"`
}

// Report is the outcome of Run.
type Report struct {
	Endpoint string    `json:"endpoint"`
	Findings []Finding `json:"findings"`
	// ClockSkew is the upstream's clock minus this machine's, in seconds,
	// when a Date header was seen.
	ClockSkew *float64 `json:"clock_skew_seconds,omitempty"`
}

// Worst returns the most severe severity of the report.
func (r *Report) Worst() Severity {
	worst := OK
	for _, f := range r.Findings {
		if rank(f.Severity) > rank(worst) {
			worst = f.Severity
		}
	}
	return worst
}

func rank(s Severity) int {
	return map[Severity]int{Skipped: 0, OK: 0, Info: 1, Warning: 2, Error: 3}[s]
}

// SkewThreshold is the clock difference past which a WS-Security
// Timestamp is likely refused (most stacks allow five minutes; soapbridge
// compensates beyond this).
const SkewThreshold = 30 * time.Second

// Run runs the checks in order. A check that cannot run because an earlier
// one failed is reported as skipped.
func Run(ctx context.Context, t Target) *Report {
	d := &run{t: t, rep: &Report{Endpoint: t.Endpoint, Findings: []Finding{}}}
	if d.t.Timeout <= 0 {
		d.t.Timeout = 10 * time.Second
	}
	if d.t.Now == nil {
		d.t.Now = time.Now
	}
	d.all(ctx)
	d.kerberos(ctx)
	return d.rep
}

type run struct {
	t     Target
	rep   *Report
	u     *url.URL
	host  string
	port  string
	addrs []string
	// offered is what an unauthenticated probe's WWW-Authenticate offered.
	offered []string
	// authFits reports that the endpoint asked for credentials of the
	// configured kind (or did not say which), so that the authenticated
	// probe may read its SOAP answer.
	authFits bool
	// authed holds the authenticated probes' answers by SOAP version.
	authed map[string]AuthResult
}

func (d *run) add(f Finding) { d.rep.Findings = append(d.rep.Findings, f) }

func (d *run) skip(check, why string) {
	d.add(Finding{Check: check, Severity: Skipped, Summary: why})
}

func (d *run) all(ctx context.Context) {
	u, err := url.Parse(d.t.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		d.add(Finding{Check: "dns", Severity: Error, Summary: fmt.Sprintf("the endpoint %q is not an http(s) URL", d.t.Endpoint),
			Fix: "set the service's endpoint to the URL of the SOAP service"})
		return
	}
	d.u, d.host, d.port = u, u.Hostname(), u.Port()
	if d.port == "" {
		d.port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if !d.dns(ctx) {
		for _, c := range []string{"tcp", "tls", "auth", "soap_version"} {
			d.skip(c, "skipped: the host name does not resolve")
		}
		d.policy()
		d.skip("clock", "skipped: no answer from the upstream")
		return
	}
	if !d.tcp(ctx) {
		for _, c := range []string{"tls", "auth", "soap_version"} {
			d.skip(c, "skipped: the endpoint's port is not reachable")
		}
		d.policy()
		d.skip("clock", "skipped: no answer from the upstream")
		return
	}
	tlsOK := true
	if u.Scheme == "https" {
		tlsOK = d.tls(ctx)
	} else {
		d.add(Finding{Check: "tls", Severity: Info, Summary: "the endpoint is plain HTTP: no TLS",
			Evidence: []string{"scheme http"}})
	}
	if !tlsOK {
		for _, c := range []string{"auth", "soap_version"} {
			d.skip(c, "skipped: the TLS handshake fails")
		}
		d.policy()
		d.skip("clock", "skipped: no answer from the upstream")
		return
	}
	skew, ok := d.probe(ctx)
	d.policy()
	d.clock(skew, ok)
}

func (d *run) dns(ctx context.Context) bool {
	if ip := net.ParseIP(d.host); ip != nil {
		d.addrs = []string{ip.String()}
		d.add(Finding{Check: "dns", Severity: OK, Summary: "the endpoint is an IP address; no DNS lookup", Evidence: d.addrs})
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, d.t.Timeout)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, d.host)
	if err != nil {
		var dnsErr *net.DNSError
		why := err.Error()
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			why = "no such host"
		}
		d.add(Finding{Check: "dns", Severity: Error, Summary: fmt.Sprintf("the host name %s does not resolve (%s)", d.host, why),
			Evidence: []string{err.Error()},
			Fix:      "check the endpoint's host name; from inside a company network it may need the internal DNS or a hosts entry"})
		return false
	}
	d.addrs = addrs
	d.add(Finding{Check: "dns", Severity: OK, Summary: fmt.Sprintf("%s resolves to %s", d.host, strings.Join(addrs, ", ")), Evidence: addrs})
	return true
}

func (d *run) tcp(ctx context.Context) bool {
	addr := net.JoinHostPort(d.host, d.port)
	dialer := net.Dialer{Timeout: d.t.Timeout}
	start := time.Now()
	c, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		f := Finding{Check: "tcp", Severity: Error, Evidence: []string{err.Error()}}
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			f.Summary = fmt.Sprintf("no answer from %s within %s: a firewall probably drops the connection", addr, d.t.Timeout)
			f.Fix = "ask for this machine's address to be allowed through to the endpoint, or check the port"
		case strings.Contains(err.Error(), "refused"):
			f.Summary = fmt.Sprintf("%s refuses connections: nothing listens on port %s", addr, d.port)
			f.Fix = "check the endpoint's port, and that the service is running"
		default:
			f.Summary = fmt.Sprintf("cannot connect to %s", addr)
			f.Fix = "check the endpoint's host and port and the network between this machine and it"
		}
		d.add(f)
		return false
	}
	c.Close()
	d.add(Finding{Check: "tcp", Severity: OK, Summary: fmt.Sprintf("%s accepts connections (%s)", addr, time.Since(start).Round(time.Millisecond))})
	return true
}

// tls handshakes with verification as calls do; on failure, it looks at
// the presented chain without verification to say what is wrong with it.
func (d *run) tls(ctx context.Context) bool {
	cfg := d.tlsConfig()
	addr := net.JoinHostPort(d.host, d.port)
	dialer := &tls.Dialer{NetDialer: &net.Dialer{Timeout: d.t.Timeout}, Config: cfg}
	c, err := dialer.DialContext(ctx, "tcp", addr)
	if err == nil {
		// Under TLS 1.3 the server judges a client certificate after the
		// client's side of the handshake is done: make it answer.
		err = exchange(c.(*tls.Conn), d.host, d.t.Timeout)
	}
	if err == nil {
		defer c.Close()
		st := c.(*tls.Conn).ConnectionState()
		leaf := st.PeerCertificates[0]
		f := Finding{Check: "tls", Severity: OK, Evidence: chainEvidence(st.PeerCertificates),
			Summary: fmt.Sprintf("TLS %s with a valid certificate for %s, expiring %s", tlsVersion(st.Version), d.host, leaf.NotAfter.Format("2006-01-02"))}
		if left := leaf.NotAfter.Sub(d.t.Now()); left < 14*24*time.Hour {
			f.Severity = Warning
			f.Summary = fmt.Sprintf("the certificate of %s expires in %d days (%s)", d.host, int(left.Hours()/24), leaf.NotAfter.Format("2006-01-02"))
			f.Fix = "ask the service's owner to renew the certificate"
		}
		d.add(f)
		return true
	}
	if c != nil {
		c.Close()
	}
	f := Finding{Check: "tls", Severity: Error, Evidence: []string{err.Error()}}
	// Look at what the server presents, without trusting it.
	var chain []*x509.Certificate
	var requestedClientCert bool
	insecure := cfg.Clone()
	insecure.InsecureSkipVerify = true
	insecure.VerifyConnection = func(cs tls.ConnectionState) error { chain = cs.PeerCertificates; return nil }
	insecure.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		requestedClientCert = true
		if len(cfg.Certificates) > 0 {
			return &cfg.Certificates[0], nil
		}
		return &tls.Certificate{}, nil
	}
	insecure.Certificates = nil
	if c2, err2 := (&tls.Dialer{NetDialer: &net.Dialer{Timeout: d.t.Timeout}, Config: insecure}).DialContext(ctx, "tcp", addr); err2 == nil {
		c2.Close()
	}
	f.Evidence = append(f.Evidence, chainEvidence(chain)...)
	var hostErr x509.HostnameError
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	now := d.t.Now()
	switch {
	case len(chain) > 0 && now.After(chain[0].NotAfter):
		f.Summary = fmt.Sprintf("the certificate of %s expired on %s", d.host, chain[0].NotAfter.Format("2006-01-02"))
		f.Fix = "ask the service's owner to renew the certificate (or check this machine's clock)"
	case len(chain) > 0 && now.Before(chain[0].NotBefore):
		f.Summary = fmt.Sprintf("the certificate of %s is not valid before %s", d.host, chain[0].NotBefore.Format("2006-01-02 15:04"))
		f.Fix = "check this machine's clock"
	case errors.As(err, &hostErr) || len(chain) > 0 && chain[0].VerifyHostname(d.host) != nil:
		names := []string{}
		if len(chain) > 0 {
			names = append(names, chain[0].DNSNames...)
			for _, ip := range chain[0].IPAddresses {
				names = append(names, ip.String())
			}
		}
		f.Summary = fmt.Sprintf("the certificate is not valid for %s; it names %s", d.host, strings.Join(names, ", "))
		f.Fix = "call the endpoint by a host name the certificate names, or have the certificate reissued"
	case errors.As(err, &unknown) || strings.Contains(err.Error(), "unknown authority"):
		issuer := ""
		if len(chain) > 0 {
			issuer = chain[len(chain)-1].Issuer.String()
		}
		f.Summary = fmt.Sprintf("the certificate of %s is signed by an authority this machine does not trust (%s)", d.host, issuer)
		f.Fix = "add the issuing CA's certificate to the service's ca_bundle (a company CA is the usual cause)"
	case errors.As(err, &invalid):
		f.Summary = fmt.Sprintf("the certificate of %s is not valid: %v", d.host, invalid)
		f.Fix = "check the certificate chain with the service's owner"
	case requestedClientCert && !d.t.ClientCertificate:
		f.Summary = fmt.Sprintf("%s asks for a client certificate and none is configured", d.host)
		f.Fix = "configure the client certificate (PEM or PKCS#12) the service's owner issued to you"
	case requestedClientCert:
		f.Summary = fmt.Sprintf("%s refused the configured client certificate", d.host)
		f.Fix = "check that the client certificate is the one the service expects, is not expired, and chains to a CA it trusts"
	default:
		f.Summary = fmt.Sprintf("the TLS handshake with %s fails", d.host)
		f.Fix = "check the TLS versions and ciphers the service accepts, and that the port speaks TLS"
	}
	d.add(f)
	return false
}

// exchange sends a HEAD request on a fresh TLS connection and reads the
// first bytes of the answer, which surfaces a refusal the server sends
// after the handshake.
func exchange(c *tls.Conn, host string, timeout time.Duration) error {
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := io.WriteString(c, "HEAD / HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n"); err != nil {
		return err
	}
	var b [1]byte
	if _, err := c.Read(b[:]); err != nil && !errors.Is(err, io.EOF) {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil // it is thinking, not refusing
		}
		return err
	}
	return nil
}

func (d *run) tlsConfig() *tls.Config {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if d.t.TLS != nil {
		cfg = d.t.TLS.Clone()
	}
	cfg.ServerName = d.host
	return cfg
}

func tlsVersion(v uint16) string {
	return strings.TrimPrefix(tls.VersionName(v), "TLS ")
}

func chainEvidence(chain []*x509.Certificate) []string {
	var out []string
	for i, c := range chain {
		out = append(out, fmt.Sprintf("certificate %d: subject %q, issuer %q, valid %s to %s, names %v",
			i, c.Subject.String(), c.Issuer.String(), c.NotBefore.Format("2006-01-02"), c.NotAfter.Format("2006-01-02"), c.DNSNames))
	}
	return out
}

// answer is what a probe got.
type answer struct {
	status int
	header http.Header
	body   string
	err    error
}

// own is the port's SOAP version, "1.1" unless it is "1.2".
func (d *run) own() string {
	if d.t.SOAPVersion == "1.2" {
		return "1.2"
	}
	return "1.1"
}

// probeRequest is the POST of an empty SOAP envelope of a version: a Body
// without content, which names no operation, so no service can act on it.
func probeRequest(ctx context.Context, endpoint, version string) (*http.Request, error) {
	env, ct := envelope(version)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(env))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ct)
	if version == "1.1" {
		req.Header.Set("SOAPAction", `""`)
	}
	return req, nil
}

// probe posts empty SOAP envelopes without credentials, in the port's SOAP
// version and then the other, to see what the endpoint asks for and which
// version it speaks. When the endpoint answers 401 or 403 and the
// configured authentication fits what it asks for, the soap_version check
// reads the answers to the same envelopes sent with the configured
// authentication (Target.Authenticate). It returns the upstream's clock
// skew (its clock minus ours) when it sent a Date header.
func (d *run) probe(ctx context.Context) (time.Duration, bool) {
	client := &http.Client{Timeout: d.t.Timeout, Transport: &http.Transport{TLSClientConfig: d.tlsConfig(), Proxy: http.ProxyFromEnvironment}}
	defer client.CloseIdleConnections()
	var sent time.Time
	var elapsed time.Duration
	ask := func(version string) answer {
		req, err := probeRequest(ctx, d.t.Endpoint, version)
		if err != nil {
			return answer{err: err}
		}
		start := d.t.Now()
		res, err := client.Do(req)
		if err != nil {
			return answer{err: err}
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
		if sent.IsZero() {
			sent, elapsed = start, d.t.Now().Sub(start)
		}
		return answer{status: res.StatusCode, header: res.Header, body: string(b)}
	}
	own := d.own()
	a := ask(own)
	if a.err != nil {
		d.add(Finding{Check: "auth", Severity: Error, Summary: "the endpoint does not answer an HTTP POST", Evidence: []string{a.err.Error()},
			Fix: "check that the endpoint URL is the SOAP service's"})
		d.skip("soap_version", "skipped: no HTTP answer")
		return 0, false
	}
	d.auth(ctx, a.status, a.header)
	if a.status != http.StatusUnauthorized && a.status != http.StatusForbidden {
		d.soapVersion(a, ask, "")
	} else {
		d.soapVersionAuthenticated(ctx, a, ask)
	}
	date, err := http.ParseTime(a.header.Get("Date"))
	if err != nil {
		return 0, false
	}
	// Date is the server's time, truncated to the second, when it
	// answered: compare it with the middle of the exchange.
	return date.Add(500 * time.Millisecond).Sub(sent.Add(elapsed / 2)), true
}

// soapVersionAuthenticated runs the soap_version check of an endpoint
// that answered the unauthenticated probe a with status 401 or 403: on the
// answers to the authenticated probes when the configured authentication
// fits, else on a when it is a SOAP envelope (a WS-Security fault), or
// skips it saying why it cannot.
func (d *run) soapVersionAuthenticated(ctx context.Context, a answer, unauthenticated func(string) answer) {
	switch {
	case (d.t.Authenticate == nil || !d.authFits) && speaks(a.body) != "":
		d.soapVersion(a, unauthenticated, "")
		return
	case d.t.Authenticate == nil:
		d.skip("soap_version", fmt.Sprintf("skipped: the endpoint wants credentials before it reads a SOAP request (HTTP %d), and no HTTP authentication is configured", a.status))
		return
	case !d.authFits:
		d.skip("soap_version", "skipped: the endpoint wants credentials of another kind than the configured ones (see auth)")
		return
	}
	ask := func(version string) answer {
		r := d.authenticated(ctx, version)
		return answer{status: r.Status, header: r.Header, body: r.Body, err: r.Err}
	}
	r := d.authenticated(ctx, d.own())
	switch {
	case r.refused():
		d.skip("soap_version", fmt.Sprintf("skipped: the endpoint refuses %s (see auth)", r.credentials()))
	case r.Err != nil:
		d.skip("soap_version", "skipped: the authenticated probe got no answer (see auth): "+r.Err.Error())
	case r.Status == http.StatusForbidden:
		d.skip("soap_version", fmt.Sprintf("skipped: the endpoint forbids the request with %s too (HTTP 403)", r.credentials()))
	default:
		d.soapVersion(ask(d.own()), ask, "authenticated ")
	}
}

// soapVersion judges the SOAP version from the answer a of the port's
// version, asking for the other version's when a refuses the port's (a
// 415, a VersionMismatch fault, an envelope of the other version). which
// qualifies the probes in the evidence ("authenticated ").
func (d *run) soapVersion(a answer, ask func(version string) answer, which string) {
	own := d.own()
	other := map[string]string{"1.1": "1.2", "1.2": "1.1"}[own]
	probe := func(version string, x answer) string {
		if x.err != nil {
			return fmt.Sprintf("%sSOAP %s probe: %v", which, version, x.err)
		}
		return fmt.Sprintf("%sSOAP %s probe: HTTP %d %s", which, version, x.status, firstLine(x.body))
	}
	switch {
	case a.status == http.StatusNotFound:
		d.add(Finding{Check: "soap_version", Severity: Error, Summary: "the endpoint answers HTTP 404: there is no service at this URL",
			Evidence: []string{probe(own, a)}, Fix: "check the endpoint URL (path and case)"})
	case a.status == http.StatusUnsupportedMediaType || strings.Contains(a.body, "VersionMismatch") || speaks(a.body) == other:
		b := ask(other)
		ev := []string{probe(own, a), probe(other, b)}
		if b.err == nil && b.status != http.StatusUnsupportedMediaType && !strings.Contains(b.body, "VersionMismatch") && speaks(b.body) != own {
			d.add(Finding{Check: "soap_version", Severity: Error, Evidence: ev,
				Summary: fmt.Sprintf("the endpoint speaks SOAP %s, but the port is SOAP %s", other, own),
				Fix:     fmt.Sprintf("call the WSDL's SOAP %s port (?port=NAME), or check that the endpoint belongs to this WSDL", other)})
		} else {
			d.add(Finding{Check: "soap_version", Severity: Error, Evidence: ev,
				Summary: "the endpoint refuses SOAP requests of both versions", Fix: "check that the endpoint is a SOAP service"})
		}
	case speaks(a.body) == own:
		d.add(Finding{Check: "soap_version", Severity: OK, Summary: fmt.Sprintf("the endpoint answers SOAP %s", own),
			Evidence: []string{probe(own, a)}})
	default:
		d.add(Finding{Check: "soap_version", Severity: Warning, Summary: fmt.Sprintf("the endpoint's answer is not a SOAP envelope (HTTP %d, %s)", a.status, a.header.Get("Content-Type")),
			Evidence: []string{probe(own, a)}, Fix: "check that the endpoint URL is the SOAP service's and not a web page or a proxy"})
	}
}

// envelope is an empty SOAP envelope of a version, with its content type.
func envelope(version string) (string, string) {
	if version == "1.2" {
		return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>`, "application/soap+xml; charset=utf-8"
	}
	return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`, "text/xml; charset=utf-8"
}

// speaks tells the SOAP version of an answer by its envelope namespace.
func speaks(body string) string {
	switch {
	case strings.Contains(body, "http://www.w3.org/2003/05/soap-envelope"):
		return "1.2"
	case strings.Contains(body, "http://schemas.xmlsoap.org/soap/envelope/"):
		return "1.1"
	}
	return ""
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// schemeAuth maps WWW-Authenticate schemes to soapbridge auth types.
var schemeAuth = map[string]string{"basic": "basic", "ntlm": "ntlm", "negotiate": "kerberos", "kerberos": "kerberos", "digest": "digest", "bearer": "bearer"}

func (d *run) auth(ctx context.Context, status int, h http.Header) {
	offered := wwwauth.Schemes(h, "WWW-Authenticate")
	d.offered = offered
	ev := []string{fmt.Sprintf("unauthenticated probe: HTTP %d", status)}
	if len(offered) > 0 {
		ev = append(ev, "WWW-Authenticate: "+strings.Join(offered, ", "))
	}
	if status != http.StatusUnauthorized {
		// A 403 may be lifted by the configured credentials (an API
		// token header, an account): the soap_version check tries them.
		d.authFits = status == http.StatusForbidden
		if d.t.Auth == "basic" || d.t.Auth == "ntlm" || d.t.Auth == "kerberos" {
			d.add(Finding{Check: "auth", Severity: Info, Evidence: ev,
				Summary: fmt.Sprintf("the endpoint does not ask for HTTP authentication, but %s is configured (it may ask only for some operations)", d.t.Auth)})
			return
		}
		d.add(Finding{Check: "auth", Severity: OK, Evidence: ev, Summary: "the endpoint does not ask for HTTP authentication"})
		return
	}
	var wants []string
	match := false
	for _, o := range offered {
		a := schemeAuth[strings.ToLower(o)]
		if a == "" {
			a = strings.ToLower(o)
		}
		wants = append(wants, a)
		if a == d.t.Auth || a == "kerberos" && d.t.Auth == "ntlm" {
			// Negotiate carries NTLM as well as Kerberos.
			match = true
		}
	}
	d.authFits = match || len(offered) == 0
	switch {
	case len(offered) == 0 && d.t.Authenticate != nil && d.authenticated(ctx, d.own()).accepted():
		r := d.authenticated(ctx, d.own())
		d.add(Finding{Check: "auth", Severity: OK, Evidence: append(ev, fmt.Sprintf("authenticated probe: HTTP %d", r.Status)),
			Summary: fmt.Sprintf("the endpoint answers 401 without saying which scheme it wants (no WWW-Authenticate), and accepts %s", r.credentials())})
	case len(offered) == 0:
		d.add(Finding{Check: "auth", Severity: Warning, Evidence: ev,
			Summary: "the endpoint answers 401 without saying which scheme it wants (no WWW-Authenticate)",
			Fix:     "message-level security (WS-Security) is likely: check the WSDL's policy and the service's documentation"})
	case match && d.t.Authenticate != nil:
		d.authFinding(ctx, ev, offered)
	case match:
		d.add(Finding{Check: "auth", Severity: OK, Evidence: ev,
			Summary: fmt.Sprintf("the endpoint asks for %s, and %s is configured", strings.Join(offered, " or "), d.t.Auth)})
	default:
		d.add(Finding{Check: "auth", Severity: Error, Evidence: ev,
			Summary: fmt.Sprintf("the endpoint asks for %s, but the configured auth is %s", strings.Join(offered, " or "), d.t.Auth),
			Fix:     fmt.Sprintf("set the service's auth type to one the endpoint offers (%s)", strings.Join(dedupe(wants), ", "))})
	}
}

func dedupe(s []string) []string {
	var out []string
	for _, v := range s {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// policy compares the WSDL's security policy with the configuration.
func (d *run) policy() {
	has := func(kinds ...string) bool {
		for _, k := range kinds {
			if slices.Contains(d.t.Policies, k) {
				return true
			}
		}
		return false
	}
	if len(d.t.Policies) == 0 {
		d.add(Finding{Check: "policy", Severity: Info, Summary: "the WSDL states no security policy"})
		return
	}
	ev := []string{"policy assertions: " + strings.Join(d.t.Policies, ", ")}
	var problems []Finding
	if has("HttpsToken", "TransportBinding") && d.u != nil && d.u.Scheme != "https" {
		problems = append(problems, Finding{Check: "policy", Severity: Error, Evidence: ev,
			Summary: "the policy asks for HTTPS (TransportBinding/HttpsToken), but the endpoint is http",
			Fix:     "use the service's https:// endpoint"})
	}
	type need struct {
		kinds []string
		auth  string
		what  string
	}
	for _, n := range []need{
		{[]string{"UsernameToken"}, "wsse", "a WS-Security UsernameToken"},
		{[]string{"KerberosToken", "SpnegoContextToken", "KerberosV5APREQToken11"}, "kerberos", "Kerberos (SPNEGO)"},
		{[]string{"NegotiateAuthentication", "HttpNtlmAuthentication", "NtlmAuthentication"}, "ntlm", "Windows authentication (NTLM/Negotiate)"},
		{[]string{"HttpBasicAuthentication"}, "basic", "HTTP Basic"},
		{[]string{"X509Token", "AsymmetricBinding"}, "x509", "X.509 message signing"},
	} {
		if has(n.kinds...) && d.t.Auth != n.auth && !(n.auth == "ntlm" && d.t.Auth == "kerberos") &&
			!(n.auth == "wsse" && d.t.Auth == "x509" && d.t.UsernameToken) {
			problems = append(problems, Finding{Check: "policy", Severity: Error, Evidence: ev,
				Summary: fmt.Sprintf("the policy asks for %s, but the configured auth is %s", n.what, d.t.Auth),
				Fix:     fmt.Sprintf("set the service's auth type to %s", n.auth)})
		}
	}
	if has("RequireClientCertificate", "HttpsRequireClientCertificate") && !d.t.ClientCertificate {
		problems = append(problems, Finding{Check: "policy", Severity: Error, Evidence: ev,
			Summary: "the policy asks for a client certificate, and none is configured",
			Fix:     "configure the client certificate the service's owner issued to you"})
	}
	if has("SymmetricBinding") && !has("KerberosToken", "SpnegoContextToken") {
		problems = append(problems, Finding{Check: "policy", Severity: Warning, Evidence: ev,
			Summary: "the policy asks for message-level security with a negotiated context (SymmetricBinding): WCF's wsHttpBinding with message security",
			Fix:     "ask the service's owner for a basicHttpBinding endpoint with transport security, which soapbridge can call"})
	}
	if len(problems) == 0 {
		d.add(Finding{Check: "policy", Severity: OK, Evidence: ev, Summary: fmt.Sprintf("the configured auth (%s) fits the WSDL's security policy", d.t.Auth)})
		return
	}
	for _, p := range problems {
		d.add(p)
	}
}

func (d *run) clock(skew time.Duration, measured bool) {
	if !measured {
		d.add(Finding{Check: "clock", Severity: Info, Summary: "the upstream sends no Date header: clock skew cannot be measured"})
		return
	}
	secs := skew.Round(time.Second).Seconds()
	d.rep.ClockSkew = &secs
	now := d.t.Now().UTC()
	ev := []string{fmt.Sprintf("upstream time about %s, local time %s", now.Add(skew).Format(time.RFC1123), now.Format(time.RFC1123))}
	abs := skew.Abs()
	switch {
	case abs < SkewThreshold:
		d.add(Finding{Check: "clock", Severity: OK, Evidence: ev, Summary: fmt.Sprintf("the clocks agree (skew %s)", skew.Round(time.Second))})
	default:
		sev, side := Warning, "ahead of"
		if skew < 0 {
			side = "behind"
		}
		if abs >= 5*time.Minute {
			sev = Error
		}
		f := Finding{Check: "clock", Severity: sev, Evidence: ev,
			Summary: fmt.Sprintf("the upstream's clock is %s %s this machine's", abs.Round(time.Second), side),
			Fix:     "synchronize this machine's clock (NTP); soapbridge shifts its WS-Security timestamps by the measured skew meanwhile"}
		if d.t.Auth != "wsse" && d.t.Auth != "x509" && d.t.Auth != "kerberos" {
			f.Severity = Info
			f.Summary += " (harmless without WS-Security timestamps or Kerberos)"
		}
		d.add(f)
	}
}
