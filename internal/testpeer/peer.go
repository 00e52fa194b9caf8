package testpeer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Peer names an external program that some tests need.
type Peer int

const (
	// PHP is a php CLI binary that has the soap extension loaded
	// (php -m lists "soap"). Debian: php-cli php-soap.
	PHP Peer = iota + 1
	// Zeep is a python3 interpreter that can import zeep. Debian's
	// python3-zeep is importable from /usr/bin/python3 (a python3 earlier on
	// PATH, such as a pyenv shim, may lack it), so /usr/bin/python3 is
	// probed first, then python3 on PATH.
	Zeep
	// Xmllint is libxml2's xmllint. Debian: libxml2-utils.
	Xmllint
	// Node is a node binary together with node-soap installed in
	// test/peers/node/node_modules (npm ci there, from its lockfile).
	Node
	// Chromium is Debian's chromium browser (/usr/bin/chromium), driven
	// headless by the dashboard's tests. Debian: chromium.
	Chromium
	// Apache is Debian's apache2 with mod_auth_gssapi, the front of the
	// NTLM and Kerberos upstreams. Debian: apache2
	// libapache2-mod-auth-gssapi.
	Apache
	// NTLMSSP is gss-ntlmssp, the GSSAPI mechanism through which
	// mod_auth_gssapi accepts NTLM. Debian: gss-ntlmssp.
	NTLMSSP
	// KDC is MIT Kerberos' KDC (krb5kdc, kdb5_util, kadmin.local), for a
	// throw-away realm. Debian: krb5-kdc krb5-admin-server.
	KDC
	// Xmlsec1 is the xmlsec1 command line tool (XML signatures, OpenSSL
	// back end), an independent verifier of WS-Security signatures.
	// Debian: xmlsec1.
	Xmlsec1
	// OpenAPIClient is a node binary together with the OpenAPI client
	// generator installed in test/peers/openapi-client/node_modules (npm ci
	// there, from its lockfile): openapi-typescript, openapi-fetch and
	// typescript (tsc).
	OpenAPIClient
)

// String returns the peer's short name.
func (p Peer) String() string {
	switch p {
	case PHP:
		return "PHP"
	case Zeep:
		return "Zeep"
	case Xmllint:
		return "Xmllint"
	case Node:
		return "Node"
	case Chromium:
		return "Chromium"
	case Apache:
		return "Apache"
	case NTLMSSP:
		return "NTLMSSP"
	case KDC:
		return "KDC"
	case Xmlsec1:
		return "Xmlsec1"
	case OpenAPIClient:
		return "OpenAPIClient"
	}
	return fmt.Sprintf("Peer(%d)", int(p))
}

// what describes the peer for messages.
func (p Peer) what() string {
	switch p {
	case PHP:
		return "php with the soap extension"
	case Zeep:
		return "python3 able to import zeep"
	case Xmllint:
		return "xmllint"
	case Node:
		return "node with node-soap in test/peers/node/node_modules"
	case Chromium:
		return "chromium"
	case Apache:
		return "apache2 with mod_auth_gssapi"
	case NTLMSSP:
		return "gss-ntlmssp"
	case KDC:
		return "an MIT Kerberos KDC"
	case Xmlsec1:
		return "xmlsec1"
	case OpenAPIClient:
		return "node with openapi-typescript, openapi-fetch and typescript in test/peers/openapi-client/node_modules"
	}
	return p.String()
}

// install tells how to install the peer by hand.
func (p Peer) install() string {
	switch p {
	case PHP:
		return "apt-get install php-cli php-soap"
	case Zeep:
		return "apt-get install python3-zeep"
	case Xmllint:
		return "apt-get install libxml2-utils"
	case Node:
		return "apt-get install nodejs npm (only if node is missing), then (cd test/peers/node && npm ci)"
	case Chromium:
		return "apt-get install chromium"
	case Apache:
		return "apt-get install apache2 libapache2-mod-auth-gssapi"
	case NTLMSSP:
		return "apt-get install gss-ntlmssp"
	case KDC:
		return "apt-get install krb5-kdc krb5-admin-server"
	case Xmlsec1:
		return "apt-get install xmlsec1"
	case OpenAPIClient:
		return "apt-get install nodejs npm (only if node is missing), then (cd test/peers/openapi-client && npm ci)"
	}
	return "./scripts/test.sh"
}

// probeTimeout bounds each probe command (php -m, python3 -c ...).
const probeTimeout = 30 * time.Second

// probes caches, once per process, the binary probe of each peer. For Node
// and OpenAPIClient only the node binary is cached; node_modules is checked
// on every call because it lives in the work tree.
var probes = map[Peer]func() (string, error){
	PHP:      sync.OnceValues(probePHP),
	Zeep:     sync.OnceValues(probeZeep),
	Xmllint:  sync.OnceValues(probeXmllint),
	Node:     sync.OnceValues(probeNode),
	Chromium: sync.OnceValues(probeChromium),
	Apache:   sync.OnceValues(probeApache),
	NTLMSSP:  sync.OnceValues(probeNTLMSSP),
	KDC:      sync.OnceValues(probeKDC),
	Xmlsec1:  sync.OnceValues(probeXmlsec1),
	// The same probe as Node: one node binary serves both peers.
	OpenAPIClient: sync.OnceValues(probeNode),
}

// InCI reports whether the tests run under CI, that is CI=true in the
// environment. Under CI a missing peer is a failure, not a skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Require returns the path of the binary for peer (php, python3, xmllint,
// node, chromium, apache2, gssntlmssp.so, krb5kdc or xmlsec1; node for
// OpenAPIClient). When the peer is not usable it ends the test: t.Fatalf
// under CI=true, naming what is missing and how ./scripts/test.sh installs
// it; t.Skipf otherwise, with the command that installs it.
func Require(t testing.TB, peer Peer) string {
	t.Helper()
	probe, ok := probes[peer]
	if !ok {
		t.Fatalf("testpeer: unknown peer %v", peer)
	}
	path, err := probe()
	if err == nil && (peer == Node || peer == OpenAPIClient) {
		err = checkNodeModules(RepoRoot(t), peer)
	}
	if err == nil {
		return path
	}
	if InCI() {
		t.Fatalf("testpeer: %v is required under CI=true but %s is missing: %v "+
			"(./scripts/test.sh, run by .ci/run, installs it with: %s; see its install log)",
			peer, peer.what(), err, peer.install())
	}
	t.Skipf("testpeer: skipping, %s is missing: %v; install it with: %s (or run ./scripts/test.sh, which does)",
		peer.what(), err, peer.install())
	return ""
}

// runProbe runs a probe command with a timeout and returns its combined
// output.
func runProbe(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, firstLine(out))
	}
	return string(out), nil
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

func probePHP() (string, error) {
	php, err := exec.LookPath("php")
	if err != nil {
		return "", errors.New("no php on PATH")
	}
	out, err := runProbe(php, "-m")
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if strings.EqualFold(strings.TrimSpace(sc.Text()), "soap") {
			return php, nil
		}
	}
	return "", fmt.Errorf("%s has no soap extension (php -m does not list soap)", php)
}

func probeZeep() (string, error) {
	var candidates []string
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		candidates = append(candidates, "/usr/bin/python3")
	}
	if p, err := exec.LookPath("python3"); err == nil && p != "/usr/bin/python3" {
		candidates = append(candidates, p)
	}
	if len(candidates) == 0 {
		return "", errors.New("no python3 (neither /usr/bin/python3 nor python3 on PATH)")
	}
	var errs []error
	for _, py := range candidates {
		if _, err := runProbe(py, "-c", "import zeep"); err != nil {
			errs = append(errs, err)
			continue
		}
		return py, nil
	}
	return "", errors.Join(errs...)
}

func probeXmllint() (string, error) {
	p, err := exec.LookPath("xmllint")
	if err != nil {
		return "", errors.New("no xmllint on PATH")
	}
	return p, nil
}

func probeNode() (string, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return "", errors.New("no node on PATH")
	}
	if _, err := runProbe(node, "--version"); err != nil {
		return "", err
	}
	return node, nil
}

// nodeModules lists, for each node peer, its folder under test/peers and
// the packages its tests load from that folder's node_modules.
var nodeModules = map[Peer]struct {
	dir  string
	pkgs []string
}{
	Node:          {"node", []string{"soap"}},
	OpenAPIClient: {"openapi-client", []string{"openapi-typescript", "openapi-fetch", "typescript"}},
}

// checkNodeModules reports whether the packages of node peer are installed
// under its folder of the repository at root.
func checkNodeModules(root string, peer Peer) error {
	nm := nodeModules[peer]
	for _, name := range nm.pkgs {
		pkg := filepath.Join(root, "test", "peers", nm.dir, "node_modules", name, "package.json")
		if _, err := os.Stat(pkg); err != nil {
			return fmt.Errorf("%s not installed (%s absent)", name, pkg)
		}
	}
	return nil
}

// probeChromium finds Debian's chromium (/usr/bin/chromium first, then
// chromium on PATH) and checks that it runs.
func probeChromium() (string, error) {
	path := "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		p, lerr := exec.LookPath("chromium")
		if lerr != nil {
			return "", errors.New("no chromium (neither /usr/bin/chromium nor chromium on PATH)")
		}
		path = p
	}
	if _, err := runProbe(path, "--version"); err != nil {
		return "", err
	}
	return path, nil
}
