package web

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// loginAndRegisterInventory logs p in with d's admin key and registers the
// inventory example by upload, ending on its service page.
func loginAndRegisterInventory(t *testing.T, p *page, d *dash) {
	t.Helper()
	root := testpeer.RepoRoot(t)
	p.do("open the dashboard", navigate(d.url+"/"))
	p.fill("#login-key", d.admin)
	p.click("#login-form button[type=submit]")
	p.waitText("#services-empty", "No services yet")
	p.do("upload the WSDL and schema", uploadFiles("#add-files",
		filepath.Join(root, "examples", "inventory", "inventory.wsdl"), filepath.Join(root, "examples", "inventory", "inventory.xsd")))
	p.click("#add-service summary")
	p.fill("#add-name", "inventory")
	p.click("#add-service button[type=submit]")
	p.waitText("#ports-table", "InventorySoap12")
}

// setEndpoint points the inventory service at endpoint through the admin
// API and reloads its page.
func setEndpoint(t *testing.T, p *page, d *dash, endpoint string) {
	t.Helper()
	if st, b := d.call("PUT", "/v1/admin/services/inventory/auth", d.admin, fmt.Sprintf(`{"type": "none", "endpoint": %q}`, endpoint)); st != http.StatusOK {
		t.Fatalf("setting the endpoint: HTTP %d %s", st, b)
	}
	p.goTo("#/services", "Services")
	p.goTo("#/services/inventory", "inventory")
	p.waitText("dl.facts", endpoint)
}

// diagnoseReport is what the page's table must show, from the API.
type diagnoseReport struct {
	Port     string
	Findings []struct{ Check, Severity, Summary, Fix string }
}

// findingRows are the rows of the page's findings table: check, severity
// attribute, and the row's text.
func findingRows(p *page) [][3]string {
	p.t.Helper()
	var rows [][3]string
	js := eval[string](p, `JSON.stringify([...document.querySelectorAll('#diagnose-findings tbody tr')].map((r) => [r.dataset.check, r.dataset.severity, r.innerText]))`)
	if err := json.Unmarshal([]byte(js), &rows); err != nil {
		p.t.Fatal(err)
	}
	return rows
}

// checkFindings compares the page's findings with a report of the same
// port from the API: the same checks in the same order, each showing its
// severity in words, its summary and its fix.
func checkFindings(t *testing.T, p *page, d *dash, port string) map[string]string {
	t.Helper()
	st, b := d.call("POST", "/v1/admin/services/inventory/diagnose?port="+port, d.admin, "")
	if st != http.StatusOK {
		t.Fatalf("diagnose through the API: HTTP %d %s", st, b)
	}
	var rep diagnoseReport
	if err := json.Unmarshal([]byte(b), &rep); err != nil {
		t.Fatal(err)
	}
	rows := findingRows(p)
	if len(rows) != len(rep.Findings) {
		t.Fatalf("the page shows %d findings, the API %d:\n%v\n%s", len(rows), len(rep.Findings), rows, b)
	}
	sev := map[string]string{}
	words := map[string]string{"ok": "OK", "info": "Info", "warning": "Warning", "error": "Error", "skipped": "Skipped"}
	for i, f := range rep.Findings {
		r := rows[i]
		sev[r[0]] = r[1]
		if r[0] != f.Check || r[1] != f.Severity {
			t.Errorf("finding %d on the page is %s/%s, the API's %s/%s", i, r[0], r[1], f.Check, f.Severity)
		}
		if !strings.Contains(r[2], words[f.Severity]) || !strings.Contains(r[2], f.Check) {
			t.Errorf("finding %d does not say %q and %q in words: %q", i, words[f.Severity], f.Check, r[2])
		}
		// The clock finding and the times in parentheses are measured,
		// and move between runs.
		if summary, _, _ := strings.Cut(f.Summary, " ("); f.Check != "clock" && !strings.Contains(r[2], summary) {
			t.Errorf("finding %d lacks its summary %q: %q", i, f.Summary, r[2])
		}
		if f.Fix != "" && !strings.Contains(r[2], "Fix: "+f.Fix) {
			t.Errorf("finding %d lacks its fix %q: %q", i, f.Fix, r[2])
		}
	}
	return sev
}

// TestDiagnosePanelInChromium runs the service page's Diagnose panel in
// chromium: against PHP's SoapServer (both ports, from the ports table and
// from the panel's own port select), against a closed port (the tcp error
// and its fix, later checks skipped), and against an upstream that holds
// its answer, to see the running state before the findings.
func TestDiagnosePanelInChromium(t *testing.T) {
	php := testpeer.PHPServer(t)
	d := newDash(t)
	p := &page{t: t, ctx: browser(t, 3*time.Minute, 1280, 900)}
	loginAndRegisterInventory(t, p, d)

	// A healthy upstream: PHP's SoapServer. Diagnosed from the ports
	// table's button: the focus lands on the panel.
	setEndpoint(t, p, d, php+"/inventory")
	p.click(`button[aria-label="Diagnose port InventorySoap11"]`)
	p.waitText("#diagnose-status", "Diagnosis of port InventorySoap11 done")
	if id := eval[string](p, `document.activeElement.id`); id != "diagnose-title" {
		t.Errorf("after Diagnose the focus is on %q, want the panel's heading", id)
	}
	sev := checkFindings(t, p, d, "InventorySoap11")
	for _, check := range []string{"dns", "tcp", "soap_version"} {
		if sev[check] != "ok" {
			t.Errorf("healthy PHP service: %s is %q, want ok", check, sev[check])
		}
	}
	if v := p.text("#diagnose-verdict"); !strings.Contains(v, "Verdict:") {
		t.Errorf("verdict %q", v)
	}
	if facts := p.text("#diagnose"); !strings.Contains(facts, php+"/inventory") || !strings.Contains(facts, "InventorySoap11 (SOAP 1.1)") {
		t.Errorf("the panel does not name the port and endpoint:\n%s", facts)
	}
	// The other port, chosen in the panel.
	p.choose("#diagnose-port", "InventorySoap12")
	p.click("#diagnose-run")
	p.waitText("#diagnose-status", "Diagnosis of port InventorySoap12 done")
	sev = checkFindings(t, p, d, "InventorySoap12")
	for _, check := range []string{"dns", "tcp", "soap_version"} {
		if sev[check] != "ok" {
			t.Errorf("healthy PHP service, SOAP 1.2 port: %s is %q, want ok", check, sev[check])
		}
	}

	// A closed port: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/inventory"
	ln.Close()
	setEndpoint(t, p, d, closed)
	p.click("#diagnose-top")
	p.waitText("#diagnose-status", "done")
	tcp := p.text(`#diagnose-findings tr[data-check="tcp"]`)
	for _, want := range []string{"Error", "refuses connections", "Fix: check the endpoint's port, and that the service is running"} {
		if !strings.Contains(tcp, want) {
			t.Errorf("closed port: the tcp finding lacks %q: %q", want, tcp)
		}
	}
	if w := eval[string](p, `document.getElementById('diagnose-verdict').dataset.worst`); w != "error" {
		t.Errorf("closed port: verdict %q, want error", w)
	}
	p.waitText("#diagnose-verdict", "found. Start with the first one")
	if s := p.text(`#diagnose-findings tr[data-check="soap_version"]`); !strings.Contains(s, "Skipped") {
		t.Errorf("closed port: soap_version should be skipped: %q", s)
	}
	checkFindings(t, p, d, "InventorySoap11")

	// An upstream that holds its answers: the panel shows that it is
	// running, and the findings once the upstream answers.
	release := make(chan struct{})
	held := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		http.Error(w, "not SOAP", http.StatusNotFound)
	}))
	released := false
	t.Cleanup(func() {
		if !released {
			close(release)
		}
		held.Close()
	})
	setEndpoint(t, p, d, held.URL+"/inventory")
	p.choose("#diagnose-port", "InventorySoap11")
	p.click("#diagnose-run")
	p.waitText("#diagnose-status", "running the checks")
	if busy := eval[bool](p, `document.getElementById('diagnose-result').getAttribute('aria-busy') === 'true' && !!document.getElementById('diagnose-progress') && document.getElementById('diagnose-run').getAttribute('aria-disabled') === 'true'`); !busy {
		t.Errorf("while the diagnosis runs the panel is not busy, has no progress bar, or the button is enabled:\n%s", p.bodyText())
	}
	close(release)
	released = true
	p.waitText("#diagnose-status", "done")
	if busy := eval[bool](p, `document.getElementById('diagnose-result').hasAttribute('aria-busy') || !!document.getElementById('diagnose-progress')`); busy {
		t.Errorf("the panel is still busy after the diagnosis")
	}
	if s := p.text(`#diagnose-findings tr[data-check="soap_version"]`); !strings.Contains(s, "404") {
		t.Errorf("held upstream answering 404: soap_version %q", s)
	}
}

// waitJS waits until the JavaScript expression is true. It survives the
// page being replaced meanwhile (a followed link).
func (p *page) waitJS(expr string) {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %s: %v\npage text:\n%s", expr, err, p.bodyText())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// followNewTab clicks the link matching css, which opens a new tab, and
// returns that tab's page once its document is loaded.
func (p *page) followNewTab(css string) *page {
	p.t.Helper()
	href := eval[string](p, fmt.Sprintf(`document.querySelector(%q).href`, css))
	ch := chromedp.WaitNewTarget(p.ctx, func(i *target.Info) bool { return i.URL == href })
	p.click(css)
	var id target.ID
	select {
	case id = <-ch:
	case <-time.After(30 * time.Second):
		p.t.Fatalf("clicking %s opened no tab for %s", css, href)
	}
	tctx, cancel := chromedp.NewContext(p.ctx, chromedp.WithTargetID(id))
	p.t.Cleanup(cancel)
	tab := &page{t: p.t, ctx: tctx}
	tab.waitJS(`document.readyState === 'complete'`)
	return tab
}

// TestOpenAPILinksInChromium follows the service page's links to the
// OpenAPI document and the API docs page: they open with the dashboard's
// session (the browser holds no API key), show the document and the docs,
// and the docs page's own link to the document works too. Without a
// session the same link leads to the login and back to the service.
func TestOpenAPILinksInChromium(t *testing.T) {
	d := newDash(t)
	p := &page{t: t, ctx: browser(t, 2*time.Minute, 1280, 900)}
	loginAndRegisterInventory(t, p, d)

	doc := p.followNewTab("#openapi-link")
	if u := eval[string](doc, `location.pathname`); u != "/ui/api/v1/services/inventory/openapi.json" {
		t.Errorf("the OpenAPI link opened %s", u)
	}
	var v struct {
		OpenAPI string `json:"openapi"`
		Info    struct{ Title string }
		Servers []struct{ URL string }
		Paths   map[string]any
	}
	text := eval[string](doc, `document.body.innerText`)
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		t.Fatalf("the OpenAPI tab does not show a JSON document: %v\n%.500s", err, text)
	}
	if !strings.HasPrefix(v.OpenAPI, "3.1") || v.Paths["/v1/services/inventory/GetItems"] == nil || len(v.Servers) != 1 || v.Servers[0].URL != d.url {
		t.Errorf("OpenAPI document: openapi %q, servers %v, paths %v", v.OpenAPI, v.Servers, v.Paths)
	}

	docs := p.followNewTab("#docs-link")
	docs.waitText("body", "GetItems")
	if h := docs.text("h1"); !strings.Contains(h, "inventory") {
		t.Errorf("the docs page's heading %q", h)
	}
	docs.click(`a[href="openapi.json"]`)
	docs.waitJS(`location.pathname.endsWith('/openapi.json') && document.readyState === 'complete'`)
	if text := docs.text("body"); !strings.Contains(text, `"openapi"`) || !strings.Contains(text, "/v1/services/inventory/Reserve") {
		t.Errorf("the docs page's openapi.json link:\n%.500s", text)
	}

	// Another browser, with no session: the link leads to the login, and
	// the login to the service's page.
	other := &page{t: t, ctx: browser(t, 2*time.Minute, 1280, 900)}
	other.do("open the docs link without a session", navigate(d.url+"/ui/api/v1/services/inventory/docs"))
	other.waitText("h1", "Log in")
	if h := eval[string](other, `location.pathname + location.hash`); h != "/#/services/inventory" {
		t.Errorf("without a session the link went to %s", h)
	}
	other.fill("#login-key", d.admin)
	other.click("#login-form button[type=submit]")
	other.waitText("h1", "inventory")
	other.waitText("#ports-table", "InventorySoap11")
}
