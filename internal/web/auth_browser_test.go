package web

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/soapbridge/soapbridge/internal/gateway"
	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// normJSON turns v (a JSON text or a value) into its decoded form, for
// comparing exactly.
func normJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, ok := v.(string)
	if !ok {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b = string(raw)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(b), &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return m
}

// sameJSON fails unless got and want are the same JSON object.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, w := normJSON(t, got), normJSON(t, want)
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.MarshalIndent(g, "", "  ")
		wb, _ := json.MarshalIndent(w, "", "  ")
		t.Errorf("%s:\n got %s\nwant %s", what, gb, wb)
	}
}

// authOf is the service's auth view, read through the admin API.
func authOf(t *testing.T, d *dash, service string) map[string]any {
	t.Helper()
	st, b := d.call("GET", "/v1/admin/services/"+service+"/auth", d.admin, "")
	if st != http.StatusOK {
		t.Fatalf("GET auth: HTTP %d %s", st, b)
	}
	return normJSON(t, b)
}

// writeFile writes a file for an upload and returns its path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// saveAuth submits the auth form and waits for its saved notice.
func saveAuth(p *page, want string) {
	p.t.Helper()
	eval[bool](p, `(document.getElementById('auth-result').replaceChildren(), true)`)
	p.click("#auth-save")
	p.waitText("#auth-saved", want)
	if id := eval[string](p, `document.activeElement.id`); id != "auth-saved" {
		p.t.Errorf("after saving, the focus is on %q, not on the outcome", id)
	}
}

// goFresh sets the page's hash route and waits for a heading drawn after
// it (every page draws a new h1), so that the old page, whose heading may
// contain the same words, is never taken for the new one.
func (p *page) goFresh(hash, heading string) {
	p.t.Helper()
	eval[bool](p, fmt.Sprintf(`(document.querySelector('h1').dataset.old = '1', location.hash = %q, true)`, hash))
	p.waitJS(fmt.Sprintf(`(() => { const e = document.querySelector('h1'); return !!e && !e.dataset.old && e.textContent.includes(%q); })()`, heading))
}

// tryReserve calls Reserve through the operation page's Try it and waits
// for the status.
func tryReserve(p *page, sku, status string) string {
	p.t.Helper()
	p.goFresh("#/services/inventory/operations/Reserve", "Reserve")
	p.fill(`[data-path="/sku"]`, sku)
	p.fill(`[data-path="/quantity"]`, "1")
	p.click("#try-it")
	p.waitText("#try-status", status)
	return p.text("#try-body")
}

// reopenAuth opens the auth page anew (the form drawn from the API's view).
func reopenAuth(p *page) {
	p.t.Helper()
	p.goFresh("#/services/inventory", "inventory")
	p.goFresh("#/services/inventory/auth", "upstream auth")
	p.waitText("#auth-save", "Save")
}

// invalid reports whether the control matching css is marked invalid, and
// the text of its error, which its aria-describedby must name.
func invalid(p *page, css string) (bool, string) {
	p.t.Helper()
	var r struct {
		Invalid   bool
		Error     string
		Described bool
	}
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); const err = document.getElementById(e.id + '-error');
		return JSON.stringify({invalid: e.getAttribute('aria-invalid') === 'true', error: err ? err.textContent : '',
		described: (e.getAttribute('aria-describedby') || '').split(' ').includes(e.id + '-error')}); })()`, css)
	if err := json.Unmarshal([]byte(eval[string](p, js)), &r); err != nil {
		p.t.Fatal(err)
	}
	if r.Invalid && !r.Described {
		p.t.Errorf("%s is invalid but its error is not in its aria-describedby", css)
	}
	return r.Invalid, r.Error
}

// noSecrets checks that none of secrets is in any answer the page got or
// anywhere in the page (its HTML and every field's value).
func noSecrets(t *testing.T, p *page, d *dash, secrets map[string]string) {
	t.Helper()
	answers, dom := d.pages.String(), p.dom()
	if !strings.Contains(answers, `"password_set"`) {
		t.Fatal("the recorder saw no auth view; the check proves nothing")
	}
	for what, s := range secrets {
		if strings.Contains(answers, s) {
			t.Errorf("an answer to the page held the %s", what)
		}
		if strings.Contains(dom, s) {
			t.Errorf("the page holds the %s", what)
		}
	}
}

// TestAuthFormKnowsEveryViewMember: the members the auth form knows
// (VIEW_MEMBERS of assets/auth.js) are those of gateway.AuthView. A member
// added to the view must be handled by the form, which otherwise refuses
// to save over such an auth.
func TestAuthFormKnowsEveryViewMember(t *testing.T) {
	var api []string
	var walk func(reflect.Type)
	walk = func(rt reflect.Type) {
		for i := range rt.NumField() {
			f := rt.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch {
			case f.Anonymous && tag == "":
				ft := f.Type
				if ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				walk(ft)
			case tag != "-" && f.IsExported():
				api = append(api, tag)
			}
		}
	}
	walk(reflect.TypeFor[gateway.AuthView]())
	src, err := assetFS.ReadFile("assets/auth.js")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)export const VIEW_MEMBERS = \[(.*?)\];`).FindSubmatch(src)
	if m == nil {
		t.Fatal("no VIEW_MEMBERS in auth.js")
	}
	var form []string
	for _, q := range regexp.MustCompile(`'([a-z_0-9]+)'`).FindAllSubmatch(m[1], -1) {
		form = append(form, string(q[1]))
	}
	slices.Sort(api)
	slices.Sort(form)
	if !slices.Equal(api, form) {
		t.Errorf("gateway.AuthView has %v,\nthe auth form knows %v", api, form)
	}
	types := regexp.MustCompile(`(?s)export const AUTH_TYPES = \{(.*?)\};`).FindSubmatch(src)
	for _, typ := range []string{gateway.AuthNone, gateway.AuthBasic, gateway.AuthWSSE, gateway.AuthNTLM, gateway.AuthKerberos, gateway.AuthX509} {
		if types == nil || !regexp.MustCompile(`\b`+typ+`:`).Match(types[1]) {
			t.Errorf("the auth form does not offer type %s", typ)
		}
	}
}

// TestAuthFormKerberosInChromium sets Kerberos through the form (a
// password, then a keytab file) for PHP's SoapServer behind Apache's
// mod_auth_gssapi and an MIT KDC, calls it through Try it each time, checks
// the exact JSON the page sent and the view the API stored, that a save
// with no change keeps everything, that errors are tied to their fields,
// and that the password and the keytab never came back to the page.
func TestAuthFormKerberosInChromium(t *testing.T) {
	php := testpeer.PHPServer(t)
	realm := testpeer.KerberosRealm(t)
	base := testpeer.ApacheServer(t, testpeer.ApacheConfig{
		Modules: []string{"proxy", "proxy_http", "auth_gssapi"},
		Env:     []string{"KRB5_CONFIG=" + realm.Krb5Conf, "KRB5RCACHETYPE=none"},
		Directives: fmt.Sprintf(`
<Location /krb/>
	AuthType GSSAPI
	AuthName "soap"
	GssapiCredStore keytab:%s
	GssapiAllowedMech krb5
	Require valid-user
</Location>
ProxyPass /krb/ %s/
`, realm.ServiceKeytab, php),
	})
	endpoint := base + "/krb/inventory"
	keytab := realm.UserKeytab(t)
	keytabB64 := base64.StdEncoding.EncodeToString(keytab)
	keytabFile := writeFile(t, t.TempDir(), "alice.keytab", keytab)

	d := newDash(t)
	p := &page{t: t, ctx: browser(t, 3*time.Minute, 1280, 900)}
	loginAndRegisterInventory(t, p, d)
	p.goTo("#/services/inventory/auth", "upstream auth")
	p.choose("#auth-type", "kerberos")
	if shown := eval[string](p, `['auth-kerberos', 'auth-x509', 'auth-ntlm', 'auth-wsse', 'auth-keytab-row', 'auth-password-row']
		.filter((id) => !document.getElementById(id).hidden).join(' ')`); shown != "auth-kerberos auth-password-row" {
		t.Errorf("with type kerberos the shown parts are %q", shown)
	}
	if hint := p.text("#auth-kdc-hint"); !strings.Contains(hint, "DNS SRV") {
		t.Errorf("the KDC hint does not say DNS SRV is used: %q", hint)
	}

	// An account name with the realm in it: the API's error is tied to
	// the user name field.
	p.fill("#auth-username", realm.User+"@"+realm.Realm)
	p.fill("#auth-password", realm.Password)
	p.fill("#auth-realm", realm.Realm)
	p.fill("#auth-kdc", realm.KDC)
	p.fill("#auth-endpoint", endpoint)
	p.click("#auth-save")
	p.waitText("#auth-errors", "Not saved")
	if bad, msg := invalid(p, "#auth-username"); !bad || !strings.Contains(msg, "account name alone") {
		t.Errorf("the username's error is not on its field: invalid %v, %q", bad, msg)
	}
	if id := eval[string](p, `document.activeElement.id`); id != "auth-username" {
		t.Errorf("after the refused save the focus is on %q", id)
	}

	// A password: Try it goes through Kerberos.
	p.fill("#auth-username", realm.User)
	p.fill("#auth-password", realm.Password)
	saveAuth(p, "kerberos as alice, password stored")
	sameJSON(t, "the page sent", d.puts.last(), map[string]any{"type": "kerberos", "username": realm.User, "password": realm.Password,
		"realm": realm.Realm, "kdc": realm.KDC, "endpoint": endpoint, "timeout_seconds": 60, "compensate_clock_skew": true})
	stored := map[string]any{"type": "kerberos", "username": realm.User, "password_set": true, "keytab_set": false, "realm": realm.Realm,
		"kdc": realm.KDC, "spn_derived": "HTTP/localhost", "endpoint": endpoint, "timeout_seconds": 60, "ca_bundle_set": false,
		"http_headers_set": []any{}, "soap_headers_set": 0, "compensate_clock_skew": true}
	sameJSON(t, "the stored auth", authOf(t, d, "inventory"), stored)
	if ph := eval[string](p, `document.getElementById('auth-spn').placeholder`); ph != "HTTP/localhost" {
		t.Errorf("the SPN's placeholder is %q, want the derived HTTP/localhost", ph)
	}
	if hint := p.text("#auth-spn-hint"); !strings.Contains(hint, "HTTP/localhost") {
		t.Errorf("the SPN's hint does not name the derived SPN: %q", hint)
	}
	if body := tryReserve(p, "A-1", "200"); !strings.Contains(body, "R-A-1-1") {
		t.Errorf("Try it through Kerberos with a password:\n%s", body)
	}

	// A keytab file instead.
	reopenAuth(p)
	if h := p.text("#auth-password-hint"); !strings.Contains(h, "A password is stored: leave this empty to keep it") {
		t.Errorf("the password's hint: %q", h)
	}
	p.click("#auth-krb-credential-keytab")
	if eval[bool](p, `document.getElementById('auth-keytab-row').hidden || !document.getElementById('auth-password-row').hidden`) {
		t.Error("choosing a keytab does not show the keytab field instead of the password")
	}
	p.click("#auth-save") // no file: the page says so, on the field
	p.waitText("#auth-errors", "need fixing")
	if bad, msg := invalid(p, "#auth-keytab"); !bad || !strings.Contains(msg, "Choose the keytab file") {
		t.Errorf("no keytab chosen: invalid %v, %q", bad, msg)
	}
	p.do("choose the keytab", uploadFiles("#auth-keytab", keytabFile))
	saveAuth(p, "kerberos as alice, keytab stored")
	sameJSON(t, "the page sent", d.puts.last(), map[string]any{"type": "kerberos", "username": realm.User, "keytab": keytabB64,
		"realm": realm.Realm, "kdc": realm.KDC, "endpoint": endpoint, "timeout_seconds": 60, "compensate_clock_skew": true})
	stored["password_set"], stored["keytab_set"] = false, true
	sameJSON(t, "the stored auth", authOf(t, d, "inventory"), stored)
	if body := tryReserve(p, "A-2", "200"); !strings.Contains(body, "R-A-2-1") {
		t.Errorf("Try it through Kerberos with a keytab:\n%s", body)
	}

	// Reopened, the form shows the keytab stored; the password choice
	// without a password is refused rather than silently keeping the
	// keytab.
	reopenAuth(p)
	if v := eval[string](p, `document.getElementById('auth-type').value + ' ' + document.querySelector('input[name=auth-krb-credential]:checked').value + ' ' + document.getElementById('auth-realm').value`); v != "kerberos keytab "+realm.Realm {
		t.Errorf("the reopened form shows %q", v)
	}
	if h := p.text("#auth-keytab-hint"); !strings.Contains(h, "A keytab is stored: leave this empty to keep it") {
		t.Errorf("the keytab's hint: %q", h)
	}
	p.click("#auth-krb-credential-password")
	p.click("#auth-save")
	p.waitText("#auth-errors", "need fixing")
	if bad, msg := invalid(p, "#auth-password"); !bad || !strings.Contains(msg, "A keytab is stored") {
		t.Errorf("password chosen over a stored keytab, none typed: invalid %v, %q", bad, msg)
	}

	// Saved with no change: the same auth, no secret sent.
	puts := d.puts.count()
	reopenAuth(p)
	saveAuth(p, "kerberos as alice, keytab stored")
	if d.puts.count() != puts+1 {
		t.Errorf("%d saves, want 1", d.puts.count()-puts)
	}
	sameJSON(t, "the page sent with no change", d.puts.last(), map[string]any{"type": "kerberos", "username": realm.User,
		"realm": realm.Realm, "kdc": realm.KDC, "endpoint": endpoint, "timeout_seconds": 60, "compensate_clock_skew": true})
	sameJSON(t, "the auth after a save with no change", authOf(t, d, "inventory"), stored)
	if body := tryReserve(p, "A-3", "200"); !strings.Contains(body, "R-A-3-1") {
		t.Errorf("Try it after a save with no change:\n%s", body)
	}
	p.goFresh("#/services/inventory", "inventory")
	if facts := p.waitText("dl.facts", "kerberos as alice"); !strings.Contains(facts, "realm "+realm.Realm) || !strings.Contains(facts, "keytab set") {
		t.Errorf("the service page's auth:\n%s", facts)
	}

	noSecrets(t, p, d, map[string]string{"password": realm.Password, "keytab": keytabB64[:48]})
}

// TestAuthFormX509InChromium signs requests to node-soap's X.509 server
// with a certificate saved through the form, first as PEM files (with the
// answers' signature verified against a CA loaded from a file), then as a
// PKCS#12 file (a wrong password refused on its field) with a signed
// UsernameToken; Try it succeeds each time. The stored certificate shows
// its subject, issuer and expiry, with a warning as it expires in days; a
// save with no change keeps the type and every setting; the key, the
// PKCS#12 file and the passwords never come back to the page.
func TestAuthFormX509InChromium(t *testing.T) {
	now := time.Now()
	ca := testpeer.NewCA(t, "test CA")
	client := ca.IssueRSA("soapbridge client", now.Add(-time.Hour), now.Add(10*24*time.Hour))
	server := ca.IssueRSA("upstream", now.Add(-time.Hour), now.Add(time.Hour))
	clientCert, clientKey := testpeer.CertPEM(client)
	serverCert, serverKey := testpeer.CertPEM(server)
	signed := testpeer.X509Server(t, clientCert, serverCert, serverKey)
	const p12Password = "p12-pass-UNIQUE"
	const utPassword = "ut-pässword-UNIQUE"
	p12, err := pkcs12.Modern.Encode(client.PrivateKey, client.Leaf, []*x509.Certificate{ca.Cert}, p12Password)
	if err != nil {
		t.Fatal(err)
	}
	p12B64 := base64.StdEncoding.EncodeToString(p12)
	dir := t.TempDir()
	certFile := writeFile(t, dir, "client.crt", []byte(clientCert))
	keyFile := writeFile(t, dir, "client.key", []byte(clientKey))
	p12File := writeFile(t, dir, "client.p12", p12)
	caFile := writeFile(t, dir, "ca.pem", []byte(ca.PEM()))
	endpoint := signed + "/soap"

	d := newDash(t)
	p := &page{t: t, ctx: browser(t, 3*time.Minute, 1280, 900)}
	loginAndRegisterInventory(t, p, d)

	// PEM files; answers verified against the CA, loaded from a file.
	p.goTo("#/services/inventory/auth", "upstream auth")
	p.choose("#auth-type", "x509")
	if shown := eval[string](p, `['auth-kerberos', 'auth-x509', 'auth-ntlm', 'auth-wsse']
		.filter((id) => !document.getElementById(id).hidden).join(' ')`); shown != "auth-x509 auth-wsse" {
		t.Errorf("with type x509 the shown parts are %q", shown)
	}
	p.do("choose the PEM files", uploadFiles("#auth-signing-cert", certFile), uploadFiles("#auth-signing-key", keyFile))
	p.fill("#auth-ttl", "120")
	p.fill("#auth-endpoint", endpoint)
	p.click("#auth-verify")
	p.do("load the CA", uploadFiles("#auth-response-cert-file", caFile))
	p.waitText("#auth-response-cert", "BEGIN CERTIFICATE")
	saveAuth(p, "signing as CN=soapbridge client, answers verified")
	sameJSON(t, "the page sent", d.puts.last(), map[string]any{"type": "x509",
		"signing_certificate": map[string]any{"cert_pem": clientCert, "key_pem": clientKey}, "timestamp_ttl_seconds": 120,
		"verify_response_signature": true, "response_certificate": ca.PEM(), "endpoint": endpoint, "timeout_seconds": 60, "compensate_clock_skew": true})
	view := authOf(t, d, "inventory")
	if sc, _ := view["signing_certificate"].(map[string]any); sc == nil || sc["subject"] != "CN=soapbridge client" || sc["issuer"] != "CN=test CA" {
		t.Errorf("the stored signing certificate: %v", view)
	}
	stored := p.text("#auth-signing-stored")
	for _, want := range []string{"CN=soapbridge client", "CN=test CA", "Warning: expires in 9 days"} {
		if !strings.Contains(stored, want) {
			t.Errorf("the stored signing certificate lacks %q: %q", want, stored)
		}
	}
	if rc := p.text("#auth-response"); !strings.Contains(rc, "CN=test CA") {
		t.Errorf("the stored response certificate is not shown: %q", rc)
	}
	if body := tryReserve(p, "A-1", "200"); !strings.Contains(body, "CN=soapbridge client/A-1") {
		t.Errorf("Try it signed with the PEM pair:\n%s", body)
	}
	if req := p.text("#try-soap-request"); !strings.Contains(req, "SignatureValue") {
		t.Errorf("the request is not signed:\n%s", req)
	}

	// PKCS#12: a wrong password is refused on the file's field.
	reopenAuth(p)
	if keep := p.text("#auth-signing"); !strings.Contains(keep, "Leave the files empty to keep the stored certificate") {
		t.Errorf("the signing certificate does not say how to keep it: %q", keep)
	}
	p.click("#auth-signing-mode-pkcs12")
	p.do("choose the PKCS#12 file", uploadFiles("#auth-signing-p12", p12File))
	p.fill("#auth-signing-p12-password", "wrong")
	p.click("#auth-save")
	p.waitText("#auth-errors", "Not saved")
	if bad, msg := invalid(p, "#auth-signing-p12"); !bad || !strings.Contains(msg, "PKCS#12") {
		t.Errorf("a wrong PKCS#12 password: invalid %v, %q", bad, msg)
	}
	p.fill("#auth-signing-p12-password", p12Password)
	p.fill("#auth-username", "alice")
	p.fill("#auth-password", utPassword)
	p.choose("#auth-password-type", "digest")
	saveAuth(p, "x509 as alice, password stored")
	sameJSON(t, "the page sent", d.puts.last(), map[string]any{"type": "x509", "username": "alice", "password": utPassword, "password_type": "digest",
		"signing_certificate": map[string]any{"pkcs12": p12B64, "password": p12Password}, "timestamp_ttl_seconds": 120,
		"verify_response_signature": true, "endpoint": endpoint, "timeout_seconds": 60, "compensate_clock_skew": true})
	if body := tryReserve(p, "B-1", "200"); !strings.Contains(body, "CN=soapbridge client+alice/B-1") {
		t.Errorf("Try it signed with the PKCS#12 bundle and a UsernameToken:\n%s", body)
	}

	// Reopened and saved with no change: the same auth, nothing secret
	// sent, calls still signed.
	view = authOf(t, d, "inventory")
	reopenAuth(p)
	if v := eval[string](p, `['auth-type', 'auth-username', 'auth-password-type', 'auth-ttl'].map((id) => document.getElementById(id).value).join(' ') + ' ' + document.getElementById('auth-verify').checked`); v != "x509 alice digest 120 true" {
		t.Errorf("the reopened form shows %q", v)
	}
	saveAuth(p, "x509 as alice")
	sameJSON(t, "the page sent with no change", d.puts.last(), map[string]any{"type": "x509", "username": "alice", "password_type": "digest",
		"timestamp_ttl_seconds": 120, "verify_response_signature": true, "endpoint": endpoint, "timeout_seconds": 60, "compensate_clock_skew": true})
	sameJSON(t, "the auth after a save with no change", authOf(t, d, "inventory"), view)
	if body := tryReserve(p, "C-1", "200"); !strings.Contains(body, "CN=soapbridge client+alice/C-1") {
		t.Errorf("Try it after a save with no change:\n%s", body)
	}

	keyLine := strings.Split(strings.TrimSpace(clientKey), "\n")[1]
	noSecrets(t, p, d, map[string]string{"private key": keyLine, "PKCS#12 password": p12Password, "PKCS#12 file": p12B64[:48], "UsernameToken password": utPassword})
}

// TestAuthFormTLSInChromium: a client certificate and a CA bundle set
// through the form for PHP's SoapServer behind a TLS server that requires
// a client certificate. Without the CA, and then without the client
// certificate, Try it fails; with both it succeeds; left empty they are
// kept; their remove actions send null and "" and the calls fail again.
// An expired certificate is shown with a warning; the clock skew box is
// saved. An auth whose type or members the page does not know cannot be
// saved over.
func TestAuthFormTLSInChromium(t *testing.T) {
	now := time.Now()
	php := testpeer.PHPServer(t)
	phpURL, err := url.Parse(php)
	if err != nil {
		t.Fatal(err)
	}
	ca := testpeer.NewCA(t, "mTLS CA")
	tlsURL := testpeer.TLSServer(t, ca.Issue("upstream", []string{"127.0.0.1"}, now.Add(-time.Hour), now.Add(time.Hour), false), ca.Pool,
		httputil.NewSingleHostReverseProxy(phpURL))
	client := ca.Issue("soapbridge mtls", nil, now.Add(-time.Hour), now.Add(5*24*time.Hour+time.Hour), true)
	expired := ca.Issue("old mtls", nil, now.Add(-48*time.Hour), now.Add(-24*time.Hour), true)
	clientCert, clientKey := testpeer.CertPEM(client)
	expiredCert, expiredKey := testpeer.CertPEM(expired)
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.pem", []byte(ca.PEM()))
	endpoint := tlsURL + "/inventory"

	d := newDash(t)
	p := &page{t: t, ctx: browser(t, 3*time.Minute, 1280, 900)}
	loginAndRegisterInventory(t, p, d)

	// No CA: the upstream's certificate is not trusted.
	p.goTo("#/services/inventory/auth", "upstream auth")
	if none := p.text("#auth-client-cert"); !strings.Contains(none, "None stored") {
		t.Errorf("no client certificate stored: %q", none)
	}
	p.fill("#auth-endpoint", endpoint)
	saveAuth(p, "Saved: none")
	tryReserve(p, "A-1", "502")

	// The CA from a file: TLS is trusted, but no client certificate.
	reopenAuth(p)
	p.do("load the CA", uploadFiles("#auth-ca-file", caFile))
	p.waitText("#auth-ca", "BEGIN CERTIFICATE")
	saveAuth(p, "CA bundle stored")
	sameJSON(t, "the page sent", d.puts.last(), map[string]any{"type": "none", "endpoint": endpoint, "ca_bundle": ca.PEM(),
		"timeout_seconds": 60, "compensate_clock_skew": true})
	if body := tryReserve(p, "A-2", "502"); !strings.Contains(body, "certificate") {
		t.Errorf("without a client certificate:\n%s", body)
	}

	// The client certificate as PEM files: the call goes through. The CA
	// bundle, left empty, is kept.
	reopenAuth(p)
	if h := p.text("#auth-ca-hint"); !strings.Contains(h, "A CA bundle is stored: leave this empty to keep it") {
		t.Errorf("the CA bundle's hint: %q", h)
	}
	p.do("choose the PEM files", uploadFiles("#auth-client-cert-cert", writeFile(t, dir, "c.crt", []byte(clientCert))),
		uploadFiles("#auth-client-cert-key", writeFile(t, dir, "c.key", []byte(clientKey))))
	saveAuth(p, "client certificate CN=soapbridge mtls, CA bundle stored")
	sameJSON(t, "the page sent", d.puts.last(), map[string]any{"type": "none", "endpoint": endpoint,
		"client_certificate": map[string]any{"cert_pem": clientCert, "key_pem": clientKey}, "timeout_seconds": 60, "compensate_clock_skew": true})
	if s := p.text("#auth-client-cert-stored"); !strings.Contains(s, "CN=soapbridge mtls") || !strings.Contains(s, "CN=mTLS CA") || !strings.Contains(s, "Warning: expires in 5 days") {
		t.Errorf("the stored client certificate: %q", s)
	}
	if body := tryReserve(p, "A-3", "200"); !strings.Contains(body, "R-A-3-1") {
		t.Errorf("with the client certificate and the CA bundle:\n%s", body)
	}
	// Saved with no change: both kept.
	reopenAuth(p)
	saveAuth(p, "client certificate CN=soapbridge mtls, CA bundle stored")
	sameJSON(t, "the page sent with no change", d.puts.last(), map[string]any{"type": "none", "endpoint": endpoint, "timeout_seconds": 60, "compensate_clock_skew": true})
	tryReserve(p, "A-4", "200")

	// The clock skew box.
	reopenAuth(p)
	p.click("#auth-skew")
	saveAuth(p, "Saved")
	if v := authOf(t, d, "inventory"); v["compensate_clock_skew"] != false {
		t.Errorf("clock skew compensation after unchecking it: %v", v)
	}
	reopenAuth(p)
	if eval[bool](p, `document.getElementById('auth-skew').checked`) {
		t.Error("the clock skew box is checked after saving it unchecked")
	}

	// Remove the client certificate: null; the call fails again.
	p.click("#auth-client-cert-remove")
	saveAuth(p, "CA bundle stored")
	if last := normJSON(t, d.puts.last()); last["client_certificate"] != nil || !strings.Contains(d.puts.last(), `"client_certificate":null`) {
		t.Errorf("removing the client certificate sent %s", d.puts.last())
	}
	if v := authOf(t, d, "inventory"); v["client_certificate"] != nil {
		t.Errorf("the client certificate is still stored: %v", v)
	}
	tryReserve(p, "A-5", "502")

	// An expired certificate is shown as such.
	reopenAuth(p)
	p.do("choose the expired PEM files", uploadFiles("#auth-client-cert-cert", writeFile(t, dir, "old.crt", []byte(expiredCert))),
		uploadFiles("#auth-client-cert-key", writeFile(t, dir, "old.key", []byte(expiredKey))))
	saveAuth(p, "client certificate CN=old mtls")
	if w := p.text("#auth-client-cert-stored-warning"); !strings.Contains(w, "Warning: expired on") {
		t.Errorf("an expired certificate's warning: %q", w)
	}

	// Remove the CA bundle: "".
	p.click("#auth-ca-remove")
	saveAuth(p, "Saved")
	if !strings.Contains(d.puts.last(), `"ca_bundle":""`) {
		t.Errorf("removing the CA bundle sent %s", d.puts.last())
	}
	if v := authOf(t, d, "inventory"); v["ca_bundle_set"] != false {
		t.Errorf("the CA bundle is still stored: %v", v)
	}

	// An auth the page does not understand (as a newer server would
	// answer): a message, the settings, and no way to save.
	puts := d.puts.count()
	for _, tc := range []struct{ patch, want string }{
		{`v.type = 'saml'`, `Its type "saml" is not one this page knows`},
		{`v.future_member = true`, "It has settings this page does not know: future_member"},
	} {
		eval[bool](p, fmt.Sprintf(`(() => {
			window.realFetch = window.realFetch || window.fetch;
			window.fetch = async (u, o) => {
				const r = await window.realFetch(u, o);
				if (!String(u).endsWith('/services/inventory/auth') || (o && o.method && o.method !== 'GET')) return r;
				const v = await r.json();
				%s;
				return new Response(JSON.stringify(v), { status: 200, headers: { 'Content-Type': 'application/json' } });
			};
			return true; })()`, tc.patch))
		p.goFresh("#/services/inventory", "inventory")
		p.goFresh("#/services/inventory/auth", "upstream auth")
		p.waitText("#auth-unknown", tc.want)
		if ok := eval[bool](p, `document.getElementById('auth-save').disabled && !document.getElementById('auth-type') && !document.querySelector('form#auth-form')`); !ok {
			t.Errorf("%s: the page still offers to save", tc.patch)
		}
		if v := p.text("#auth-unknown-view"); !strings.Contains(v, endpoint) {
			t.Errorf("%s: the stored settings are not shown: %q", tc.patch, v)
		}
		eval[bool](p, `(document.getElementById('auth-save').click(), true)`)
	}
	eval[bool](p, `(window.fetch = window.realFetch, true)`)
	if d.puts.count() != puts {
		t.Errorf("an auth the page does not understand was saved over")
	}

	keyLine := strings.Split(strings.TrimSpace(clientKey), "\n")[1]
	noSecrets(t, p, d, map[string]string{"client key": keyLine})
}
