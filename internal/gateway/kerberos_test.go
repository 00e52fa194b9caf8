package gateway

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// kerberosUpstream starts an MIT KDC with a throw-away realm and Apache
// with mod_auth_gssapi (the service keytab) in front of PHP's SoapServer,
// and returns the realm and the endpoint of the inventory service.
func kerberosUpstream(t *testing.T) (*testpeer.Realm, string) {
	t.Helper()
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
	return realm, base + "/krb/inventory"
}

// findings maps "check/severity" to the summary of a diagnose report.
func findings(t *testing.T, rep map[string]any) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, f := range rep["findings"].([]any) {
		f := f.(map[string]any)
		got[f["check"].(string)+"/"+f["severity"].(string)] = fmt.Sprint(f["summary"], " | fix: ", f["fix"])
	}
	return got
}

// TestKerberosAgainstApacheGSSAPI calls PHP's SoapServer behind Apache's
// mod_auth_gssapi through the gateway with Kerberos (password, then
// keytab), and checks each failure's problem and diagnosis: a wrong SPN, a
// wrong password, a stale server keytab; the secrets are nowhere.
func TestKerberosAgainstApacheGSSAPI(t *testing.T) {
	realm, endpoint := kerberosUpstream(t)
	e := newEnv(t)
	e.registerInventory("krb", endpoint)
	const reserve = `{"sku": "A-1", "quantity": 1}`
	const want = `{"reservationId": "R-A-1-1", "expires": "2026-12-01T10:00:00Z"}`
	call := func() *resp { return e.do("POST", "/v1/services/krb/Reserve", e.admin, reserve) }
	setAuth := func(m map[string]any) *resp {
		t.Helper()
		body := map[string]any{"type": "kerberos", "username": realm.User, "realm": realm.Realm, "kdc": realm.KDC, "endpoint": endpoint}
		for k, v := range m {
			body[k] = v
		}
		return e.do("PUT", "/v1/admin/services/krb/auth", e.admin, body)
	}
	diagnosis := func(r *resp) map[string]any {
		t.Helper()
		d, _ := r.must(t, http.StatusBadGateway).json(t)["diagnosis"].(map[string]any)
		if d == nil {
			t.Fatalf("no diagnosis: %s", r.body)
		}
		return d
	}

	// Without credentials: the upstream asks for Negotiate.
	if d := diagnosis(call()); fmt.Sprint(d["offered_auth"]) != "[Negotiate]" {
		t.Errorf("without credentials: %v", d)
	}

	// A password; the SPN is derived from the endpoint: HTTP/localhost.
	v := setAuth(map[string]any{"password": realm.Password}).must(t, http.StatusOK).json(t)
	if v["type"] != "kerberos" || v["password_set"] != true || v["keytab_set"] != false || v["realm"] != realm.Realm ||
		v["kdc"] != realm.KDC || v["spn_derived"] != "HTTP/localhost" || v["spn"] != nil || v["username"] != realm.User {
		t.Errorf("auth view: %v", v)
	}
	// Eight calls at once, then one more.
	var wg sync.WaitGroup
	answers := make([]*http.Response, 8)
	for i := range answers {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", e.srv.URL+"/v1/services/krb/Reserve", strings.NewReader(reserve))
			req.Header.Set("X-API-Key", e.admin)
			req.Header.Set("Content-Type", "application/json")
			if res, err := e.srv.Client().Do(req); err == nil {
				res.Body.Close()
				answers[i] = res
			}
		})
	}
	wg.Wait()
	for i, a := range answers {
		if a == nil || a.StatusCode != http.StatusOK {
			t.Errorf("concurrent call %d: %v", i, a)
		}
	}
	wantJSON(t, "with a password", call().must(t, http.StatusOK).body, want)
	// One login and one service ticket served all nine calls.
	if log, _ := os.ReadFile(filepath.Join(realm.Dir, "kdc.log")); bytes.Count(log, []byte("TGS_REQ")) != 1 {
		t.Errorf("%d TGS requests for 9 calls:\n%s", bytes.Count(log, []byte("TGS_REQ")), log)
	}
	got := findings(t, e.do("POST", "/v1/admin/services/krb/diagnose", e.admin, nil).must(t, http.StatusOK).json(t))
	for _, w := range []string{"auth/ok", "soap_version/ok", "kerberos/ok", "spn/ok"} {
		if _, ok := got[w]; !ok {
			t.Errorf("no %s finding: %v", w, got)
		}
	}

	// A wrong SPN: the KDC has no such principal.
	setAuth(map[string]any{"spn": "HTTP/wrong.example"}).must(t, http.StatusOK) // the password is kept
	d := diagnosis(call())
	wantSPN := "has no principal HTTP/wrong.example@" + realm.Realm
	if d["kind"] != "kerberos" || d["reason"] != "spn_unknown" || !strings.Contains(fmt.Sprint(d["summary"]), wantSPN) ||
		!strings.Contains(fmt.Sprint(d["fix"]), "setspn -S HTTP/wrong.example") {
		t.Errorf("wrong SPN: %v", d)
	}
	got = findings(t, e.do("POST", "/v1/admin/services/krb/diagnose", e.admin, nil).json(t))
	if !strings.Contains(got["spn/error"], wantSPN) || got["kerberos/ok"] == "" {
		t.Errorf("wrong SPN, diagnose: %v", got)
	}

	// A wrong password: its own problem, and the login finding.
	const wrong = "N0t-the-Passw0rd-4711"
	setAuth(map[string]any{"password": wrong, "spn": "HTTP/localhost"}).must(t, http.StatusOK)
	if d := diagnosis(call()); d["reason"] != "bad_password" || !strings.Contains(fmt.Sprint(d["summary"]), "pre-authentication failed") {
		t.Errorf("wrong password: %v", d)
	}
	got = findings(t, e.do("POST", "/v1/admin/services/krb/diagnose", e.admin, nil).json(t))
	if !strings.Contains(got["kerberos/error"], "refused the password of "+realm.User+"@"+realm.Realm) || !strings.HasPrefix(got["spn/skipped"], "skipped") ||
		!strings.Contains(got["auth/error"], "authenticating with the Kerberos credentials of "+realm.User+"@"+realm.Realm+" failed") ||
		!strings.HasPrefix(got["soap_version/skipped"], "skipped") {
		t.Errorf("wrong password, diagnose: %v", got)
	}

	// A keytab instead of the password.
	keytab := realm.UserKeytab(t)
	keytab64 := base64.StdEncoding.EncodeToString(keytab)
	v = setAuth(map[string]any{"keytab": keytab64}).must(t, http.StatusOK).json(t)
	if v["keytab_set"] != true || v["password_set"] != false {
		t.Errorf("keytab view: %v", v)
	}
	wantJSON(t, "with a keytab", call().must(t, http.StatusOK).body, want)

	// Validation: every problem with its pointer.
	bad := e.do("PUT", "/v1/admin/services/krb/auth", e.admin, map[string]any{
		"type": "kerberos", "username": "bob", "keytab": keytab64, "kdc": "a b", "spn": "localhost",
	}).must(t, http.StatusBadRequest).json(t)
	for _, ptr := range []string{"/realm", "/kdc", "/spn"} {
		if !strings.Contains(problems(bad), ptr+":") {
			t.Errorf("no %s problem: %v", ptr, bad["errors"])
		}
	}
	bad = setAuth(map[string]any{"username": "bob", "keytab": keytab64}).must(t, http.StatusBadRequest).json(t)
	if !strings.Contains(problems(bad), "/keytab: the keytab holds no key of bob@"+realm.Realm+"; it holds alice@") {
		t.Errorf("keytab of another user: %v", bad["errors"])
	}
	bad = setAuth(map[string]any{"password": "x", "keytab": keytab64}).must(t, http.StatusBadRequest).json(t)
	if !strings.Contains(problems(bad), "/keytab: give a password or a keytab, not both") {
		t.Errorf("password and keytab: %v", bad["errors"])
	}
	e.do("PUT", "/v1/admin/services/krb/auth", e.admin, map[string]any{"type": "basic", "username": "a", "password": "b", "realm": "X"}).must(t, http.StatusBadRequest)

	// The keytab works from its sealed copy after a restart.
	e.restart()
	wantJSON(t, "after a restart", call().must(t, http.StatusOK).body, want)
	for _, path := range []string{"/v1/admin/services/krb", "/v1/admin/services/krb/auth"} {
		e.do("GET", path, e.admin, nil).must(t, http.StatusOK)
	}

	// The server's keytab goes stale: the ticket is refused.
	realm.Kadmin(t, "cpw -randkey "+realm.SPN)
	setAuth(nil).must(t, http.StatusOK) // a new client: no cached ticket
	if d := diagnosis(call()); d["reason"] != "ticket_refused" || !strings.Contains(fmt.Sprint(d["summary"]), "refused the Kerberos ticket for HTTP/localhost@") {
		t.Errorf("stale server keytab: %v", d)
	}
	checkSecretsNowhere(t, e, realm.Password, wrong, keytab64, string(keytab))
	if !strings.Contains(e.bodies.String(), "R-A-1-1") {
		t.Error("no successful call was seen")
	}
}

// problems lists the errors of a 400 problem as "pointer: detail" lines.
func problems(p map[string]any) string {
	var b strings.Builder
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		m, _ := e.(map[string]any)
		fmt.Fprintf(&b, "%v: %v\n", m["pointer"], m["detail"])
	}
	return b.String()
}
