package testpeer

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// PHPServer starts PHP's SoapServer (test/peers/php/router.php) on a free
// port and returns its base URL. See router.php for its services:
// /inventory (document/literal, SOAP 1.1 and 1.2), /rpc (rpc/encoded) and
// /secure/inventory (HTTP Basic alice:s3cret).
func PHPServer(t testing.TB) string {
	t.Helper()
	php := Require(t, PHP)
	for attempt := 1; ; attempt++ {
		addr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
		p := StartProcess(t, context.Background(), filepath.Join(RepoRoot(t), "test", "peers", "php"), php, "-S", addr, "router.php")
		err := waitHTTP(t.Context(), "http://"+addr+"/", 10*time.Second, p.done)
		if err == nil {
			return "http://" + addr
		}
		// Between FreePort and PHP's bind, another test binary (go test
		// runs packages side by side) may take the port: try another.
		if attempt < 3 && strings.Contains(p.Output(), "Address already in use") {
			p.Stop()
			continue
		}
		t.Fatalf("testpeer: %s: %v", php, err)
	}
}

// WSSServer starts node-soap serving the bundled inventory WSDL behind a
// WS-Security UsernameToken check for user and password
// (test/peers/node/wss-server.js; flags are its options) and returns its
// base URL: the SOAP 1.1 port is at /soap, the SOAP 1.2 port at /soap12.
func WSSServer(t testing.TB, user, password string, flags ...string) string {
	t.Helper()
	node := Require(t, Node)
	port := FreePort(t)
	wsdl := filepath.Join(RepoRoot(t), "examples", "inventory", "inventory.wsdl")
	args := append([]string{"wss-server.js", wsdl, fmt.Sprint(port), user, password}, flags...)
	p := StartProcess(t, context.Background(), NodePeerDir(t), node, args...)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p.WaitHTTP(t, base+"/soap?wsdl", 15*time.Second)
	return base
}

// ChromiumFlags are the command-line flags for a headless chromium in a
// test: no sandbox (tests may run as root), no GPU, and nothing that reaches
// out to the network by itself (QUIC, component updates, sync, background
// fetches), with a fresh profile in a temp directory removed after the
// test. It requires the Chromium peer and returns its path with the flags.
func ChromiumFlags(t testing.TB) (path string, flags []string) {
	t.Helper()
	path = Require(t, Chromium)
	return path, []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
		"--user-data-dir=" + t.TempDir(),
	}
}
