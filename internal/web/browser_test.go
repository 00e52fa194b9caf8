package web

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// TestDashboardInChromium drives the dashboard in Debian's chromium, headless,
// against a real PHP SoapServer: log in, register the inventory WSDL by
// upload, call GetItems and Reserve through the generated form and the JSON
// editor, create and revoke a key, set Basic credentials and check that the
// password never comes back to the page, re-import, delete and log out.
func TestDashboardInChromium(t *testing.T) {
	php := testpeer.PHPServer(t)
	d := newDash(t)
	p := &page{t: t, ctx: browser(t, 4*time.Minute, 1280, 900)}
	root := testpeer.RepoRoot(t)
	wsdl := filepath.Join(root, "examples", "inventory", "inventory.wsdl")
	xsd := filepath.Join(root, "examples", "inventory", "inventory.xsd")

	// Log in: a wrong key is refused with a message, the admin key opens
	// the services page with its empty state.
	p.do("open the dashboard", navigate(d.url+"/"))
	p.fill("#login-key", "sbk_not_a_key")
	p.click("#login-form button[type=submit]")
	p.waitText("#login-error", "unknown, revoked or expired")
	p.fill("#login-key", d.admin)
	p.click("#login-form button[type=submit]")
	p.waitText("#services-empty", "No services yet")
	if v := eval[string](p, `document.querySelector('h1').textContent`); v != "Services" {
		t.Fatalf("heading after login %q", v)
	}
	if c := eval[string](p, `document.cookie`); c != "" {
		t.Errorf("the session cookie is readable by scripts: %q", c)
	}

	// A WSDL without its schema does not compile: the error names the file.
	p.do("upload the WSDL alone", uploadFiles("#add-files", wsdl))
	p.click("#add-service button[type=submit]")
	got := p.waitText("#add-result", "not registered")
	if !strings.Contains(got, "inventory.xsd") || !strings.Contains(got, "inventory.wsdl:") {
		t.Errorf("the compile error does not name the file and line: %s", got)
	}

	// Register the WSDL and its schema.
	p.do("upload the WSDL and schema", uploadFiles("#add-files", wsdl, xsd))
	p.click("#add-service summary")
	p.fill("#add-name", "inventory")
	p.click("#add-service button[type=submit]")
	p.waitText("h1", "inventory")
	p.waitText("#ports-table", "InventorySoap12")
	facts := p.text("dl.facts")
	for _, want := range []string{"1.1, 1.2", "https://inventory.example.com/soap", "UsernameToken", "wsse"} {
		if !strings.Contains(facts, want) {
			t.Errorf("service facts lack %q:\n%s", want, facts)
		}
	}
	if href := eval[string](p, `document.getElementById('openapi-link').getAttribute('href')`); href != "/ui/api/v1/services/inventory/openapi.json" {
		t.Errorf("OpenAPI link %q", href)
	}
	p.waitText("#operations-table", "Reserve")
	// Re-import from new files: a broken upload is refused with its error,
	// the service stays as it was.
	eval[bool](p, `(document.querySelector('details.card').open = true, true)`)
	p.do("upload the WSDL alone again", uploadFiles("#reimport-files", wsdl))
	p.click("#reimport-form button[type=submit]")
	p.waitText("#reimport-result", "inventory.xsd")
	p.do("upload both again", uploadFiles("#reimport-files", wsdl, xsd))
	p.click("#reimport-form button[type=submit]")
	p.waitText("#announce", "Re-imported inventory")
	p.waitText("#operations-table", "GetItems")

	// The services list shows the service with its operation count.
	p.goTo("#/services", "Services")
	row := p.waitText("#services-table tbody tr", "inventory")
	if !strings.Contains(row, "1.1, 1.2") || !strings.Contains(row, "no calls yet") {
		t.Errorf("services row: %s", row)
	}

	// Point the service at PHP's SoapServer.
	p.goTo("#/services/inventory/auth", "upstream auth")
	p.fill("#auth-endpoint", php+"/inventory")
	p.click("#auth-form button[type=submit]")
	p.waitText("#auth-saved", "endpoint "+php+"/inventory")

	// GetItems through the generated form.
	p.goTo("#/services/inventory/operations/GetItems", "GetItems")
	p.fill(`[data-path="/skuPrefix"]`, "A-")
	p.choose(`[data-path="/warehouse"]`, "north")
	p.fill(`[data-path="/limit"]`, "2")
	p.fill(`[data-path="/$headers/Trace/requestId"]`, "r-1")
	p.click("#try-it")
	p.waitText("#try-status", "200")
	body := p.text("#try-body")
	for _, want := range []string{`"sku": "A-1"`, `"sku": "A-2"`, `"price": 1.99`, `"name": "Item number 1 & co"`} {
		if !strings.Contains(body, want) {
			t.Errorf("response JSON lacks %s:\n%s", want, body)
		}
	}
	soapReq := p.text("#try-soap-request")
	for _, want := range []string{"skuPrefix>A-</", "warehouse>north</", "limit>2</", "requestId>r-1</"} {
		if !strings.Contains(soapReq, want) {
			t.Errorf("SOAP request lacks %s:\n%s", want, soapReq)
		}
	}
	if resp := p.text("#try-soap-response"); !strings.Contains(resp, "GetItemsResponse") {
		t.Errorf("SOAP response:\n%s", resp)
	}
	curl := p.text("#try-curl")
	if !strings.Contains(curl, `X-API-Key: $SOAPBRIDGE_API_KEY`) || !strings.Contains(curl, d.url+"/v1/services/inventory/GetItems") || strings.Contains(curl, d.admin) {
		t.Errorf("curl command:\n%s", curl)
	}
	if lat := p.text("#try-latency"); !strings.HasSuffix(lat, " ms") {
		t.Errorf("latency %q", lat)
	}

	// Reserve: values are checked before sending.
	p.goTo("#/services/inventory/operations/Reserve", "Reserve")
	p.fill(`[data-path="/sku"]`, "A-1")
	p.fill(`[data-path="/quantity"]`, "many")
	p.click("#try-it")
	p.waitText("#op-errors", "not a whole number")
	if inv := eval[string](p, `document.querySelector('[data-path="/quantity"]').getAttribute('aria-invalid') || ''`); inv != "true" {
		t.Errorf("the bad field is not marked aria-invalid")
	}
	p.fill(`[data-path="/quantity"]`, "0")
	p.click("#try-it")
	p.waitText("#op-errors", "at least 1")
	p.fill(`[data-path="/sku"]`, "")
	p.fill(`[data-path="/quantity"]`, "11")
	p.click("#try-it")
	p.waitText("#op-errors", "required")
	p.fill(`[data-path="/sku"]`, "A-1")
	p.click("#try-it")
	p.waitText("#try-status", "422")
	p.waitText("#try-body", "not enough stock for A-1")

	// The raw JSON editor carries the form's value and sends what is typed.
	p.click("#tab-json")
	if v := eval[string](p, `document.getElementById('op-json').value`); !strings.Contains(v, `"quantity": 11`) {
		t.Errorf("JSON editor after the form: %s", v)
	}
	p.fill("#op-json", `{"sku": "B-7", "quantity": 3}`)
	p.click("#try-it")
	p.waitText("#try-body", `"reservationId": "R-B-7-3"`)
	p.click("#tab-form")
	if v := eval[string](p, `document.querySelector('[data-path="/sku"]').value`); v != "B-7" {
		t.Errorf("form after the JSON editor: sku %q", v)
	}

	// Keys: create one for inventory, use it, revoke it.
	p.goTo("#/keys", "API keys")
	p.fill("#key-name", "shop")
	p.click("#key-svc-inventory")
	p.choose("#key-expires", "30d")
	p.click("#key-form button[type=submit]")
	p.waitText("#new-key-title", "Key shop created")
	key := eval[string](p, `document.getElementById('new-key-value').value`)
	if !strings.HasPrefix(key, "sbk_") {
		t.Fatalf("new key %q", key)
	}
	p.waitText(`#keys-table tr[data-key="shop"]`, "active")
	if row := p.text(`#keys-table tr[data-key="shop"]`); !strings.Contains(row, "inventory") {
		t.Errorf("key row: %s", row)
	}
	if st, b := d.call("POST", "/v1/services/inventory/Reserve", key, `{"sku": "C-1", "quantity": 1}`); st != http.StatusOK {
		t.Errorf("calling with the new key: HTTP %d %s", st, b)
	}
	p.click(`button[aria-label="Revoke shop"]`)
	p.waitText("#confirm-title", "Revoke shop?")
	p.click("#confirm-ok")
	p.waitText("#key-revoked", "Key shop revoked")
	p.waitText(`#keys-table tr[data-key="shop"]`, "revoked")
	if st, _ := d.call("POST", "/v1/services/inventory/Reserve", key, `{"sku": "C-1", "quantity": 1}`); st != http.StatusUnauthorized {
		t.Errorf("calling with the revoked key: HTTP %d, want 401", st)
	}
	if strings.Contains(p.dom(), key) {
		t.Errorf("the new key is still in the page after the keys list was reloaded")
	}

	// Basic credentials against /secure/inventory; the password is written,
	// never read back.
	const password = "s3cret"
	p.goTo("#/services/inventory/auth", "upstream auth")
	p.choose("#auth-type", "basic")
	p.fill("#auth-username", "alice")
	p.fill("#auth-password", password)
	p.fill("#auth-endpoint", php+"/secure/inventory")
	p.click("#auth-form button[type=submit]")
	p.waitText("#auth-saved", "basic as alice, password stored")
	if v := eval[string](p, `document.getElementById('auth-password').value`); v != "" {
		t.Errorf("the password field holds %q after saving", v)
	}
	p.goTo("#/services/inventory/operations/GetItems", "GetItems")
	p.fill(`[data-path="/skuPrefix"]`, "S-")
	p.fill(`[data-path="/$headers/Trace/requestId"]`, "r-2")
	p.click("#try-it")
	p.waitText("#try-status", "200")
	p.waitText("#try-body", `"sku": "S-1"`)
	// Change the timeout only: the stored password is kept.
	p.goTo("#/services/inventory/auth", "upstream auth")
	if ph := eval[string](p, `document.getElementById('auth-password').placeholder`); !strings.Contains(ph, "leave empty to keep") {
		t.Errorf("password placeholder %q", ph)
	}
	p.fill("#auth-timeout", "30")
	p.click("#auth-form button[type=submit]")
	p.waitText("#auth-saved", "password stored")
	p.goTo("#/services/inventory/operations/GetItems", "GetItems")
	p.fill(`[data-path="/skuPrefix"]`, "T-")
	p.fill(`[data-path="/$headers/Trace/requestId"]`, "r-3")
	p.click("#try-it")
	p.waitText("#try-status", "200")
	if dom := p.dom(); strings.Contains(dom, password) {
		t.Errorf("the password is in the page")
	}

	// Windows (NTLM): the domain field shows for it, and is saved.
	p.goTo("#/services/inventory/auth", "upstream auth")
	p.choose("#auth-type", "ntlm")
	if eval[bool](p, `document.getElementById('auth-ntlm').hidden`) {
		t.Error("the NTLM domain field is hidden with type ntlm")
	}
	p.fill("#auth-username", "alice")
	p.fill("#auth-domain", "CORP")
	p.fill("#auth-password", password)
	p.click("#auth-form button[type=submit]")
	p.waitText("#auth-saved", "ntlm as alice, password stored")
	if _, body := d.call("GET", "/v1/admin/services/inventory/auth", d.admin, ""); !strings.Contains(body, `"domain": "CORP"`) {
		t.Errorf("auth after saving NTLM: %s", body)
	}

	// The call log lists the calls.
	p.goTo("#/calls", "Call log")
	calls := p.waitText("#calls-table", "GetItems")
	for _, want := range []string{"Reserve", "inventory", "422", "fault"} {
		if !strings.Contains(calls, want) {
			t.Errorf("call log lacks %q:\n%s", want, calls)
		}
	}

	// Re-import from the stored upload, then delete with confirmation.
	p.goTo("#/services", "Services")
	p.waitText("#services-table", "200")
	p.click(`button[aria-label="Re-import inventory"]`)
	p.waitText("#services-status", "Re-imported inventory: 2 operation(s)")
	p.click(`button[aria-label="Delete inventory"]`)
	p.waitText("#confirm-title", "Delete inventory?")
	p.click("#confirm-cancel")
	p.waitText("#services-table", "inventory")
	// Cancel and ask again at once: the first question's close event,
	// still queued when the second opens, must not answer the second.
	p.click(`button[aria-label="Delete inventory"]`)
	eval[bool](p, `(document.getElementById('confirm-cancel').click(), document.querySelector('button[aria-label="Delete inventory"]').click(), true)`)
	p.click("#confirm-ok")
	p.waitText("#services-empty", "No services yet")

	// Nothing the page received holds the password or the admin key.
	all := d.pages.String()
	if strings.Contains(all, password) {
		t.Errorf("an answer to the page held the upstream password")
	}
	if strings.Contains(all, d.admin) {
		t.Errorf("an answer to the page held the admin key")
	}
	if !strings.Contains(all, `"password_set": true`) {
		t.Errorf("the recorder saw no auth answer; the check above proves nothing")
	}

	// Log out: back to the login, and the session is gone.
	p.click("#logout")
	p.waitText("h1", "Log in")
	if ok := evalAwait[bool](p, `fetch('/ui/api/v1/admin/services').then((r) => r.status === 401)`); !ok {
		t.Errorf("the API still answers after logout")
	}
}

// TestGeneratedFormListsAndObjects drives the generated form for PHP's
// rpc/encoded Calc service: a SOAP-encoded array as a list with add and
// remove, a nested object, and a decimal answer shown with every digit.
func TestGeneratedFormListsAndObjects(t *testing.T) {
	php := testpeer.PHPServer(t)
	d := newDash(t)
	p := &page{t: t, ctx: browser(t, 3*time.Minute, 1280, 900)}
	rpc := filepath.Join(testpeer.RepoRoot(t), "test", "peers", "php", "rpc.wsdl")

	p.do("open the dashboard", navigate(d.url+"/"))
	p.fill("#login-key", d.admin)
	p.click("#login-form button[type=submit]")
	p.waitText("#services-empty", "No services yet")
	p.do("upload rpc.wsdl", uploadFiles("#add-files", rpc))
	p.click("#add-service button[type=submit]")
	p.waitText("h1", "CalcService")
	p.goTo("#/services/CalcService/auth", "upstream auth")
	p.fill("#auth-endpoint", php+"/rpc")
	p.click("#auth-form button[type=submit]")
	p.waitText("#auth-saved", "Saved")

	// sum: three items added, the middle one removed.
	p.goTo("#/services/CalcService/operations/sum", "sum")
	for i, v := range []string{"1", "1000", "41"} {
		p.click(`[data-add="/numbers"]`)
		p.fill(fmt.Sprintf(`[data-path="/numbers/%d"]`, i), v)
	}
	eval[bool](p, `(document.querySelectorAll('.list-item')[1].querySelector('button').click(), true)`)
	if n := eval[int](p, `document.querySelectorAll('.list-item').length`); n != 2 {
		t.Fatalf("%d list items after removing one of three", n)
	}
	// An item that is not an int is caught before sending.
	p.click(`[data-add="/numbers"]`)
	p.fill(`.list-item:nth-child(3) input`, "x")
	p.click("#try-it")
	p.waitText("#op-errors", "not a whole number")
	eval[bool](p, `(document.querySelectorAll('.list-item')[2].querySelector('button').click(), true)`)
	p.click("#try-it")
	p.waitText("#try-status", "200")
	// Items 1 and 41 remain (the second item, 1000, was removed).
	if body := p.waitText("#try-body", "total"); !strings.Contains(body, `"total": 42`) {
		t.Errorf("sum of the form's list:\n%s", body)
	}
	if req := p.text("#try-soap-request"); !strings.Contains(req, "SOAP-ENC:arrayType") && !strings.Contains(req, "arrayType") {
		t.Errorf("the encoded array has no arrayType:\n%s", req)
	}

	// describe: a nested object; the answer's decimal keeps every digit.
	p.goTo("#/services/CalcService/operations/describe", "describe")
	p.fill(`[data-path="/person/name"]`, "ada")
	p.fill(`[data-path="/person/age"]`, "36")
	p.click("#try-it")
	p.waitText("#try-status", "200")
	body := p.waitText("#try-body", "ADA")
	for _, want := range []string{`"age": 37`, `"balance": 12345678901234567890.12`, `"nickname": null`} {
		if !strings.Contains(body, want) {
			t.Errorf("describe answer lacks %s:\n%s", want, body)
		}
	}
}
