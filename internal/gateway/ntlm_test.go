package gateway

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// TestNTLMAgainstApache calls PHP's SoapServer behind Apache with
// mod_auth_gssapi and gss-ntlmssp (which also offers Basic) through two
// services configured with NTLM as different users: calls succeed, each
// service keeps its own authenticated connections, a wrong password is a
// clear 502 (also right after a change, although connections authenticated
// with the old password are alive), diagnose tells accepted from refused
// credentials, and the passwords appear nowhere.
func TestNTLMAgainstApache(t *testing.T) {
	const alicePW, bobPW, carolPW = "Alice-NTLM-pw-5f1e", "Bob-NTLM-pw-77c2", "Carol-NTLM-pw-0b9d"
	srv := testpeer.StartNTLMServer(t, testpeer.NTLMConfig{Upstream: testpeer.PHPServer(t), Basic: true, Users: []testpeer.NTLMUser{
		{Domain: "SOAPBRIDGE", User: "alice", Password: alicePW},
		{Domain: "SOAPBRIDGE", User: "bob", Password: bobPW},
		{Domain: "", User: "carol@example.com", Password: carolPW},
	}})
	endpoint := srv.URL + "/ntlm/inventory"
	e := newEnv(t)
	e.registerInventory("a", endpoint)
	e.registerInventory("b", endpoint)
	e.registerInventory("c", endpoint)
	call := func(service string) *resp {
		return e.do("POST", "/v1/services/"+service+"/GetItems", e.admin, `{"limit": 3, "skuPrefix": "A-"}`)
	}
	setAuth := func(service string, body map[string]any) map[string]any {
		t.Helper()
		body["type"], body["endpoint"] = "ntlm", endpoint
		return e.do("PUT", "/v1/admin/services/"+service+"/auth", e.admin, body).must(t, http.StatusOK).json(t)
	}

	// Without credentials: the offered schemes.
	d := call("a").must(t, http.StatusBadGateway).json(t)["diagnosis"].(map[string]any)
	if offered := fmt.Sprint(d["offered_auth"]); d["kind"] != "auth" || !strings.Contains(offered, "NTLM") || !strings.Contains(offered, "Negotiate") {
		t.Errorf("diagnosis without credentials: %v", d)
	}

	// The three forms of the account.
	view := setAuth("a", map[string]any{"username": `SOAPBRIDGE\alice`, "password": alicePW})
	if view["type"] != "ntlm" || view["username"] != `SOAPBRIDGE\alice` || view["password_set"] != true || view["domain"] != nil {
		t.Errorf("auth view: %v", view)
	}
	if view := setAuth("b", map[string]any{"username": "bob", "domain": "SOAPBRIDGE", "password": bobPW}); view["domain"] != "SOAPBRIDGE" {
		t.Errorf("auth view: %v", view)
	}
	// A user principal name goes as the user name, with no domain (which
	// gss-ntlmssp shows as \user).
	setAuth("c", map[string]any{"username": "carol@example.com", "password": carolPW})
	for range 3 {
		for _, s := range []string{"a", "b", "c"} {
			wantJSON(t, "GetItems via "+s, call(s).must(t, http.StatusOK).body, items3)
		}
	}

	// Each connection served one user, and the connections were kept
	// alive: a handshake per connection, not per call.
	users := map[int]string{}
	served := map[string]int{}
	handshakes := 0
	for _, r := range srv.Log(t, 1+9+3*2) {
		if r.Scheme == "Basic" {
			t.Errorf("a request carried HTTP Basic: %+v", r)
		}
		if r.Scheme == "NTLM" && r.Status == http.StatusUnauthorized {
			handshakes++
		}
		if r.Status != http.StatusOK {
			continue
		}
		served[r.User]++
		if u, ok := users[r.ClientPort]; ok && u != r.User {
			t.Errorf("connection %d served %s and %s", r.ClientPort, u, r.User)
		}
		users[r.ClientPort] = r.User
	}
	if served[`SOAPBRIDGE\alice`] != 3 || served[`SOAPBRIDGE\bob`] != 3 || served[`\carol@example.com`] != 3 {
		t.Errorf("calls served per user: %v", served)
	}
	if handshakes != 3 {
		t.Errorf("%d handshakes for 9 calls of 3 services, want 3", handshakes)
	}

	// Diagnose makes a handshake of its own, and reads the SOAP version
	// from the authenticated answer.
	if got := diagnoseFindings(t, e, "a"); !strings.Contains(got["auth/ok"], `accepted the NTLM credentials of SOAPBRIDGE\alice`) ||
		!strings.Contains(got["soap_version/ok"], "the endpoint answers SOAP 1.1") {
		t.Errorf("diagnose: %v", got)
	}

	// A wrong password: the authenticated connections of the old one are
	// not used.
	setAuth("a", map[string]any{"username": `SOAPBRIDGE\alice`, "password": "wrong-" + alicePW})
	p := call("a").must(t, http.StatusBadGateway).json(t)
	d = p["diagnosis"].(map[string]any)
	if d["kind"] != "auth" || !strings.Contains(fmt.Sprint(d["summary"]), `refused the NTLM credentials of SOAPBRIDGE\alice`) ||
		!strings.Contains(fmt.Sprint(d["offered_auth"]), "NTLM") || fmt.Sprint(d["upstream_status"]) != "401" {
		t.Errorf("wrong password: %s", p)
	}
	if got := diagnoseFindings(t, e, "a"); !strings.Contains(got["auth/error"], `refused the NTLM credentials of SOAPBRIDGE\alice`) ||
		!strings.Contains(got["soap_version/skipped"], `refuses the NTLM credentials of SOAPBRIDGE\alice`) {
		t.Errorf("diagnose with a wrong password: %v", got)
	}

	// Write-only: the stored password is kept when left out.
	setAuth("a", map[string]any{"username": `SOAPBRIDGE\alice`, "password": alicePW})
	if view := setAuth("a", map[string]any{"username": `SOAPBRIDGE\alice`, "timeout_seconds": 30}); view["password_set"] != true {
		t.Errorf("password not kept: %v", view)
	}
	call("a").must(t, http.StatusOK)

	// Validation, with pointers (on a service without a stored password).
	e.registerInventory("d", endpoint)
	for body, want := range map[string]string{
		`{"type": "ntlm"}`: "/username /password",
		`{"type": "ntlm", "username": "SOAPBRIDGE\\alice", "domain": "X", "password": "p"}`:              "/domain",
		`{"type": "ntlm", "username": "\\alice", "password": "p"}`:                                       "/username",
		`{"type": "ntlm", "username": "a\\b\\c", "password": "p"}`:                                       "/username",
		`{"type": "basic", "username": "alice", "domain": "X", "password": "p"}`:                         "/domain",
		`{"type": "ntlm", "username": "alice", "password": "p", "http_headers": {"Authorization": "x"}}`: "/http_headers/Authorization",
		`{"type": "ntlm", "username": "alice", "password": "p", "password_type": "digest"}`:              "/password_type",
		`{"type": "kerbaros", "username": "alice", "password": "p"}`:                                     "/type",
	} {
		r := e.do("PUT", "/v1/admin/services/d/auth", e.admin, body).must(t, http.StatusBadRequest)
		for _, ptr := range strings.Fields(want) {
			if !strings.Contains(string(r.body), `"pointer":"`+ptr+`"`) {
				t.Errorf("%s: no %s problem in %s", body, ptr, r.body)
			}
		}
	}

	// The sealed passwords work after a restart.
	e.restart()
	wantJSON(t, "after a restart", call("b").must(t, http.StatusOK).body, items3)
	checkSecretsNowhere(t, e, alicePW, bobPW, carolPW)
}

// diagnoseFindings runs diagnose on a service and maps "check/severity"
// to each finding's summary and fix.
func diagnoseFindings(t *testing.T, e *env, service string) map[string]string {
	t.Helper()
	return findings(t, e.do("POST", "/v1/admin/services/"+service+"/diagnose", e.admin, nil).must(t, http.StatusOK).json(t))
}

// TestWSDLBehindNTLM registers a WSDL that Apache serves behind NTLM (as
// Dynamics NAV and Business Central do) by giving the service's auth with
// the registration: the WSDL and the schema it imports are fetched with
// it, the auth is stored as the service's, and a re-import fetches with
// it again. Without it, or with a wrong password, the registration is
// refused saying why; the password appears nowhere.
func TestWSDLBehindNTLM(t *testing.T) {
	const pw = "Dana-NTLM-pw-3a9e"
	docs := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(testpeer.RepoRoot(t), "examples", "inventory"))))
	defer docs.Close()
	srv := testpeer.StartNTLMServer(t, testpeer.NTLMConfig{Upstream: docs.URL, Users: []testpeer.NTLMUser{
		{Domain: "SOAPBRIDGE", User: "dana", Password: pw},
	}})
	wsdlURL := srv.URL + "/ntlm/inventory.wsdl"
	e := newEnv(t)
	auth := func(password string) map[string]any {
		return map[string]any{"type": "ntlm", "username": `SOAPBRIDGE\dana`, "password": password, "endpoint": srv.URL + "/ntlm/soap"}
	}

	p := e.do("POST", "/v1/admin/services", e.admin, map[string]any{"name": "nav", "wsdl_url": wsdlURL}).must(t, http.StatusUnprocessableEntity).json(t)
	if d := fmt.Sprint(p["detail"]); !strings.Contains(d, "HTTP 401") || !strings.Contains(d, "NTLM") {
		t.Errorf("without auth: %s", d)
	}
	p = e.do("POST", "/v1/admin/services", e.admin, map[string]any{"name": "nav", "wsdl_url": wsdlURL, "auth": auth("wrong")}).must(t, http.StatusUnprocessableEntity).json(t)
	if d := fmt.Sprint(p["detail"]); !strings.Contains(d, "HTTP 401") {
		t.Errorf("a wrong password: %s", d)
	}
	e.do("POST", "/v1/admin/services", e.admin, map[string]any{"wsdl_url": wsdlURL, "auth": auth(pw)}).must(t, http.StatusBadRequest)

	sum := e.do("POST", "/v1/admin/services", e.admin, map[string]any{"name": "nav", "wsdl_url": wsdlURL, "auth": auth(pw)}).must(t, http.StatusCreated).json(t)
	if a, _ := sum["auth"].(map[string]any); a["type"] != "ntlm" || a["password_set"] != true || len(sum["operations"].([]any)) != 2 {
		t.Errorf("summary: %v", sum)
	}
	// Apache logs a request just after answering it: wait for both.
	var got string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var fetched []string
		for _, r := range srv.Log(t, 1) {
			if r.Status == 200 && r.User != "" && r.User != "-" {
				fetched = append(fetched, r.Line)
			}
		}
		got = strings.Join(fetched, "\n")
		if strings.Contains(got, "/ntlm/inventory.wsdl") && strings.Contains(got, "/ntlm/inventory.xsd") || time.Now().After(deadline) {
			break
		}
	}
	if !strings.Contains(got, "/ntlm/inventory.wsdl") || !strings.Contains(got, "/ntlm/inventory.xsd") {
		t.Errorf("documents fetched as dana:\n%s", got)
	}
	e.do("PUT", "/v1/admin/services/nav", e.admin, nil).must(t, http.StatusOK)
	e.do("PUT", "/v1/admin/services/nav", e.admin, map[string]any{"wsdl_url": wsdlURL, "auth": auth(pw)}).must(t, http.StatusBadRequest)
	e.restart()
	e.do("PUT", "/v1/admin/services/nav", e.admin, nil).must(t, http.StatusOK)

	// Without an endpoint override, the WSDL URL's server keeps the auth
	// it was registered with: a stale cached model recompiles at start.
	noOverride := auth(pw)
	delete(noOverride, "endpoint")
	sum = e.do("POST", "/v1/admin/services", e.admin, map[string]any{"name": "nav2", "wsdl_url": wsdlURL, "auth": noOverride}).must(t, http.StatusCreated).json(t)
	if a, _ := sum["auth"].(map[string]any); a["wsdl_fetched_with_auth"] != true {
		t.Errorf("auth view: %v", a)
	}
	rec, _ := e.st.Service(context.Background(), "nav2")
	rec.Model = []byte("soapbridge-model/0\n")
	if err := e.st.ReplaceSource(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	e.restart()
	e.do("GET", "/v1/admin/services/nav2", e.admin, nil).must(t, http.StatusOK)
	checkSecretsNowhere(t, e, pw)
}
