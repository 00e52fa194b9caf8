package web

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

var screenshots = flag.Bool("screenshots", false, "TestScreenshots: write the dashboard's screenshots to docs/img/")

// TestScreenshots regenerates docs/img/dashboard-*.png, the README's and
// docs/dashboard.md's pictures, from a real session against PHP's
// SoapServer:
//
//	go test ./internal/web -run TestScreenshots -screenshots
//
// Without -screenshots it is skipped.
func TestScreenshots(t *testing.T) {
	if !*screenshots {
		t.Skip("run with -screenshots to regenerate docs/img/dashboard-*.png")
	}
	php := testpeer.PHPServer(t)
	d := newDash(t)
	p := &page{t: t, ctx: browser(t, 4*time.Minute, 1280, 820)}
	root := testpeer.RepoRoot(t)
	out := filepath.Join(root, "docs", "img")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	// shot captures the viewport, the full page, or the element css.
	shot := func(name string, full bool, css ...string) {
		t.Helper()
		p.do("settle", chromedp.Sleep(300*time.Millisecond))
		var png []byte
		var err error
		switch {
		case len(css) > 0:
			png, err = chromedp.Run(p.ctx, chromedp.Screenshot(chromedp.CSS(css[0])))
		case full:
			png, err = chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
		default:
			png, err = chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
		}
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(out, "dashboard-"+name+".png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d bytes)", path, len(png))
	}

	p.do("open the dashboard", navigate(d.url+"/"))
	p.waitText("h1", "Log in")
	shot("login", false)
	p.fill("#login-key", d.admin)
	p.click("#login-form button[type=submit]")
	p.waitText("#services-empty", "No services yet")

	wsdl := filepath.Join(root, "examples", "inventory", "inventory.wsdl")
	xsd := filepath.Join(root, "examples", "inventory", "inventory.xsd")
	p.do("upload", uploadFiles("#add-files", wsdl, xsd))
	p.click("#add-service summary")
	p.fill("#add-name", "inventory")
	p.click("#add-service button[type=submit]")
	p.waitText("#ports-table", "InventorySoap12")
	// X.509 signing with a stored certificate that expires soon.
	ca := testpeer.NewCA(t, "Example Issuing CA")
	now := time.Now()
	signing := ca.IssueRSA("soapbridge.example.com", now.Add(-time.Hour), now.Add(20*24*time.Hour+time.Hour))
	certPEM, keyPEM := testpeer.CertPEM(signing)
	upstreamCert, _ := testpeer.CertPEM(ca.IssueRSA("upstream.example.com", now.Add(-time.Hour), now.Add(365*24*time.Hour)))
	x509Auth, _ := json.Marshal(map[string]any{"type": "x509", "signing_certificate": map[string]string{"cert_pem": certPEM, "key_pem": keyPEM},
		"verify_response_signature": true, "response_certificate": upstreamCert, "endpoint": php + "/inventory"})
	if st, b := d.call("PUT", "/v1/admin/services/inventory/auth", d.admin, string(x509Auth)); st != 200 {
		t.Fatalf("x509 auth: HTTP %d %s", st, b)
	}
	p.goTo("#/services/inventory/auth", "upstream auth")
	p.waitText("#auth-signing-stored", "soapbridge.example.com")
	shot("auth-x509", false, "#auth-x509")

	p.goFresh("#/services/inventory", "inventory")
	p.goFresh("#/services/inventory/auth", "upstream auth")
	p.choose("#auth-type", "basic")
	p.fill("#auth-username", "alice")
	p.fill("#auth-password", "s3cret")
	p.fill("#auth-endpoint", php+"/secure/inventory")
	p.click("#auth-form button[type=submit]")
	p.waitText("#auth-saved", "password stored")
	shot("auth", false)

	p.goTo("#/services/inventory/operations/Reserve", "Reserve")
	p.fill(`[data-path="/sku"]`, "A-1")
	p.fill(`[data-path="/quantity"]`, "12")
	p.click("#try-it")
	p.waitText("#try-status", "422")
	p.goTo("#/services/inventory/operations/GetItems", "GetItems")
	p.fill(`[data-path="/skuPrefix"]`, "A-")
	p.choose(`[data-path="/warehouse"]`, "north")
	p.fill(`[data-path="/limit"]`, "2")
	p.fill(`[data-path="/$headers/Trace/requestId"]`, "r-1")
	p.click("#try-it")
	p.waitText("#try-status", "200")
	shot("operation", true)

	p.goTo("#/services/inventory", "inventory")
	p.waitText("#service-calls", "GetItems")
	shot("service", false)
	p.click(`button[aria-label="Diagnose port InventorySoap11"]`)
	p.waitText("#diagnose-status", "done")
	shot("diagnose", false, "#diagnose")
	p.goTo("#/services", "Services")
	p.waitText("#services-table .health", "ok")
	shot("services", false)

	p.goTo("#/keys", "API keys")
	p.fill("#key-name", "shop")
	p.click("#key-svc-inventory")
	p.choose("#key-expires", "90d")
	p.click("#key-form button[type=submit]")
	p.waitText("#new-key-title", "created")
	shot("keys", false)

	p.goTo("#/calls", "Call log")
	p.waitText("#calls-table", "Reserve")
	shot("calls", false)
}
