package testpeer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRepoRoot(t *testing.T) {
	root := RepoRoot(t)
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mod), "module github.com/soapbridge/soapbridge") {
		t.Fatalf("RepoRoot %s: go.mod is not soapbridge's:\n%s", root, mod)
	}
	if _, err := os.Stat(filepath.Join(root, "internal", "testpeer", "doc.go")); err != nil {
		t.Fatalf("RepoRoot %s does not hold internal/testpeer: %v", root, err)
	}
}

func TestInCI(t *testing.T) {
	t.Setenv("CI", "true")
	if !InCI() {
		t.Error("InCI() = false with CI=true")
	}
	t.Setenv("CI", "1")
	if InCI() {
		t.Error("InCI() = true with CI=1; only CI=true counts")
	}
}

func TestFreePortIsBindable(t *testing.T) {
	port := FreePort(t)
	if port <= 0 || port > 65535 {
		t.Fatalf("FreePort = %d", port)
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("port %d from FreePort is not bindable: %v", port, err)
	}
	l.Close()
}

func TestTailBufferKeepsTheEnd(t *testing.T) {
	var b tailBuffer
	chunk := strings.Repeat("x", 4096)
	for i := 0; i < 2*maxOutput/len(chunk); i++ {
		b.Write([]byte(chunk))
	}
	b.Write([]byte("THE END"))
	s := b.String()
	if !strings.HasSuffix(s, "THE END") || !strings.HasPrefix(s, "[") {
		t.Fatalf("tail buffer lost its end or its drop marker: %q...%q", s[:40], s[len(s)-40:])
	}
	if len(s) > maxOutput+100 {
		t.Fatalf("tail buffer holds %d bytes, want at most about %d", len(s), maxOutput)
	}
}

func TestStartProcessCapturesOutputAndExit(t *testing.T) {
	sh := lookPath(t, "sh")
	p := StartProcess(t, t.Context(), t.TempDir(), sh, "-c", "echo out; echo err >&2; exit 3")
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("process did not exit")
	}
	if got := p.Output(); !strings.Contains(got, "out\n") || !strings.Contains(got, "err\n") {
		t.Errorf("Output() = %q, want stdout and stderr", got)
	}
	var ee *exec.ExitError
	if err := p.Err(); err == nil || !asExitError(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("Err() = %v, want exit status 3", err)
	}
	p.Stop() // after exit: must not block or panic
}

func TestStartProcessStopsOnContextCancel(t *testing.T) {
	sh := lookPath(t, "sh")
	ctx, cancel := context.WithCancel(t.Context())
	p := StartProcess(t, ctx, "", sh, "-c", "sleep 300")
	cancel()
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("process outlived its context")
	}
}

func TestStartProcessPHPBuiltinServer(t *testing.T) {
	php := Require(t, PHP)
	dir := t.TempDir()
	const body = "hello from php -S\n"
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	port := FreePort(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p := StartProcess(t, t.Context(), dir, php, "-S", fmt.Sprintf("127.0.0.1:%d", port), "-t", dir)
	p.WaitHTTP(t, base+"/", 20*time.Second)
	WaitHTTP(t, base+"/hello.txt", 5*time.Second)

	resp, err := http.Get(base + "/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(got) != body {
		t.Fatalf("GET hello.txt = %d %q, want 200 %q", resp.StatusCode, got, body)
	}

	p.Stop()
	select {
	case <-p.Done():
	default:
		t.Fatal("php -S still running after Stop")
	}
	if _, err := http.Get(base + "/hello.txt"); err == nil {
		t.Fatal("php -S still answering after Stop")
	}
	if !strings.Contains(p.Output(), "hello.txt") {
		t.Errorf("php -S access log not captured: %q", p.Output())
	}
}

func TestRequireXmllint(t *testing.T) {
	xmllint := Require(t, Xmllint)
	f := filepath.Join(t.TempDir(), "a.xml")
	if err := os.WriteFile(f, []byte("<a><b/></a>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", f).CombinedOutput(); err != nil {
		t.Fatalf("xmllint --noout: %v: %s", err, out)
	}
}

func TestRequireNodeSoap(t *testing.T) {
	node := Require(t, Node)
	cmd := exec.Command(node, "-e", `const soap = require("soap"); if (typeof soap.listen !== "function" || typeof soap.createClientAsync !== "function") process.exit(1); console.log(require("soap/package.json").version)`)
	cmd.Dir = NodePeerDir(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node cannot load node-soap: %v: %s", err, out)
	}
	t.Logf("node-soap %s", strings.TrimSpace(string(out)))
}

func TestRequireOpenAPIClient(t *testing.T) {
	node := Require(t, OpenAPIClient)
	dir := OpenAPIClientDir(t)
	pkg, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(pkg, &manifest); err != nil {
		t.Fatalf("package.json: %v", err)
	}
	want := manifest.DevDependencies
	for _, name := range []string{"openapi-typescript", "openapi-fetch", "typescript"} {
		if want[name] == "" {
			t.Fatalf("package.json does not pin %s", name)
		}
		cmd := exec.Command(node, "-p", `require("./node_modules/`+name+`/package.json").version`)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("node cannot read %s: %v: %s", name, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != want[name] {
			t.Errorf("%s %s installed, package.json pins %s: run (cd test/peers/openapi-client && npm ci)", name, got, want[name])
		}
	}
	for _, bin := range []string{"openapi-typescript", "tsc"} {
		out, err := exec.Command(node, filepath.Join(dir, "node_modules", ".bin", bin), "--version").CombinedOutput()
		if err != nil {
			t.Fatalf("%s --version: %v: %s", bin, err, out)
		}
	}
}

// TestNodePeerLockfiles checks that every node peer's package-lock.json
// pins each package to a registry tarball with its sha512 integrity, so
// npm ci installs exactly what the tests were written against.
func TestNodePeerLockfiles(t *testing.T) {
	locks, err := filepath.Glob(filepath.Join(RepoRoot(t), "test", "peers", "*", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(locks) == 0 {
		t.Fatal("no test/peers/*/package-lock.json")
	}
	for _, lock := range locks {
		data, err := os.ReadFile(lock)
		if err != nil {
			t.Fatal(err)
		}
		var l struct {
			LockfileVersion int `json:"lockfileVersion"`
			Packages        map[string]struct {
				Version   string `json:"version"`
				Resolved  string `json:"resolved"`
				Integrity string `json:"integrity"`
				Link      bool   `json:"link"`
			} `json:"packages"`
		}
		if err := json.Unmarshal(data, &l); err != nil {
			t.Fatalf("%s: %v", lock, err)
		}
		if l.LockfileVersion < 2 {
			t.Errorf("%s: lockfileVersion %d, want 3", lock, l.LockfileVersion)
		}
		n := 0
		for path, p := range l.Packages {
			if path == "" || p.Link {
				continue
			}
			n++
			name := path[strings.LastIndex(path, "node_modules/")+len("node_modules/"):]
			base := name[strings.LastIndex(name, "/")+1:]
			if want := "https://registry.npmjs.org/" + name + "/-/" + base + "-" + p.Version + ".tgz"; p.Resolved != want {
				t.Errorf("%s: %s resolved %q, want %q", lock, path, p.Resolved, want)
			}
			if !strings.HasPrefix(p.Integrity, "sha512-") {
				t.Errorf("%s: %s integrity %q, want sha512-...", lock, path, p.Integrity)
			}
		}
		if n == 0 {
			t.Errorf("%s locks no packages", lock)
		}
	}
}

func TestRequireZeep(t *testing.T) {
	py := Require(t, Zeep)
	if out, err := exec.Command(py, "-c", "import zeep").CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import zeep: %v: %s", py, err, out)
	}
}

const twoBindingsWSDL = `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:http="http://schemas.xmlsoap.org/wsdl/http/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="urn:test" targetNamespace="urn:test">
  <types>
    <xsd:schema targetNamespace="urn:test" elementFormDefault="qualified">
      %s
      <xsd:element name="Echo"><xsd:complexType><xsd:sequence>
        <xsd:element name="text" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="EchoResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="text" type="xsd:string"/></xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </types>
  <message name="EchoIn"><part name="parameters" element="tns:Echo"/></message>
  <message name="EchoOut"><part name="parameters" element="tns:EchoResponse"/></message>
  <message name="AddIn"><part name="a" type="xsd:int"/><part name="b" type="xsd:int"/></message>
  <message name="AddOut"><part name="sum" type="xsd:int"/></message>
  <portType name="EchoPT">
    <operation name="Echo"><input message="tns:EchoIn"/><output message="tns:EchoOut"/></operation>
    <operation name="Add"><input message="tns:AddIn"/><output message="tns:AddOut"/></operation>
  </portType>
  <binding name="Soap11" type="tns:EchoPT">
    <soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
    <operation name="Echo"><soap:operation soapAction="urn:echo"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
    <operation name="Add"><soap:operation soapAction="urn:add" style="rpc"/>
      <input><soap:body use="literal" namespace="urn:test"/></input><output><soap:body use="literal" namespace="urn:test"/></output></operation>
  </binding>
  <binding name="Soap12" type="tns:EchoPT">
    <soap12:binding transport="http://schemas.xmlsoap.org/soap/http" style="rpc"/>
    <operation name="Echo"><soap12:operation soapAction="urn:echo" style="document"/>
      <input><soap12:body use="literal"/></input><output><soap12:body use="literal"/></output></operation>
    <operation name="Add"><soap12:operation soapAction="urn:add"/>
      <input><soap12:body use="literal" namespace="urn:test"/></input><output><soap12:body use="literal" namespace="urn:test"/></output></operation>
  </binding>
  <binding name="HttpGet" type="tns:EchoPT">
    <http:binding verb="GET"/>
    <operation name="Echo"><http:operation location="/Echo"/>
      <input><http:urlEncoded/></input><output><mime:mimeXml xmlns:mime="http://schemas.xmlsoap.org/wsdl/mime/" part="parameters"/></output></operation>
  </binding>
  <service name="EchoService">
    <port name="P11" binding="tns:Soap11"><soap:address location="http://127.0.0.1:1/"/></port>
    <port name="P12" binding="tns:Soap12"><soap12:address location="http://127.0.0.1:1/"/></port>
    <port name="PGet" binding="tns:HttpGet"><http:address location="http://127.0.0.1:1/"/></port>
  </service>
</definitions>`

func writeWSDL(t *testing.T, extraSchema string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "echo.wsdl")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(twoBindingsWSDL, extraSchema)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeNoTypeWSDL writes into dir a WSDL zeep cannot load (a binding
// without a type) and returns its path.
func writeNoTypeWSDL(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "notype.wsdl")
	wsdl := strings.Replace(fmt.Sprintf(twoBindingsWSDL, ""), `<binding name="Soap11" type="tns:EchoPT">`, `<binding name="Soap11">`, 1)
	if err := os.WriteFile(path, []byte(wsdl), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestZeepInspectListsSOAPOperations(t *testing.T) {
	res, err := ZeepInspect(t, writeWSDL(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Fatalf("zeep rejected a valid WSDL: %s", res.Error)
	}
	want := []ZeepOperation{
		{"EchoService", "P11", "Add", "1.1", "rpc"},
		{"EchoService", "P11", "Echo", "1.1", "document"},
		{"EchoService", "P12", "Add", "1.2", "rpc"},
		{"EchoService", "P12", "Echo", "1.2", "document"},
	}
	if fmt.Sprint(res.Operations) != fmt.Sprint(want) {
		t.Fatalf("operations:\n got %v\nwant %v", res.Operations, want)
	}
}

func TestZeepInspectStaysOffline(t *testing.T) {
	// A remote import must fail the load, never reach the network.
	imp := `<xsd:import namespace="urn:remote" schemaLocation="http://example.invalid/remote.xsd"/>`
	res, err := ZeepInspect(t, writeWSDL(t, imp))
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || !strings.Contains(res.Error, "offline") {
		t.Fatalf("remote import: got %+v, want ok=false with an offline error", res)
	}
}

func TestZeepInspectReportsUnloadableWSDL(t *testing.T) {
	// zeep with strict=False recovers from malformed XML, so use WSDLs it
	// cannot load at all: a missing file, and a binding without a type.
	dir := t.TempDir()
	noType := writeNoTypeWSDL(t, dir)
	for _, path := range []string{filepath.Join(dir, "missing.wsdl"), noType} {
		res, err := ZeepInspect(t, path)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK || res.Error == "" {
			t.Errorf("%s: got %+v, want ok=false with an error", filepath.Base(path), res)
		}
	}
}

// TestZeepInspectAll: the batch form gives each WSDL the result of
// ZeepInspect, a valid one, an unloadable one and a missing one alike.
func TestZeepInspectAll(t *testing.T) {
	dir := t.TempDir()
	noType := writeNoTypeWSDL(t, dir)
	paths := []string{writeWSDL(t, ""), noType, filepath.Join(dir, "missing.wsdl")}
	all, err := ZeepInspectAll(t, paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(paths) {
		t.Fatalf("%d results for %d WSDLs", len(all), len(paths))
	}
	for _, p := range paths {
		one, err := ZeepInspect(t, p)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(all[p]) != fmt.Sprint(one) {
			t.Errorf("%s: ZeepInspectAll %+v, ZeepInspect %+v", filepath.Base(p), all[p], one)
		}
	}
	if !all[paths[0]].OK || all[paths[1]].OK || all[paths[2]].OK {
		t.Errorf("results %+v", all)
	}
}

func TestZeepInspectSharedCorpusHello(t *testing.T) {
	corpus := SharedCorpus(t)
	wsdl := filepath.Join(corpus, "node-soap-hello", "test", "wsdl", "hello.wsdl")
	if _, err := os.Stat(wsdl); err != nil {
		t.Skipf("corpus case node-soap-hello not present: %v", err)
	}
	res, err := ZeepInspect(t, wsdl)
	if err != nil {
		t.Fatal(err)
	}
	want := []ZeepOperation{{"Hello_Service", "Hello_Port", "sayHello", "1.1", "rpc"}}
	if !res.OK || fmt.Sprint(res.Operations) != fmt.Sprint(want) {
		t.Fatalf("hello.wsdl: got %+v, want %v", res, want)
	}
}

func lookPath(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not on PATH", name)
	}
	return p
}

func asExitError(err error, target **exec.ExitError) bool {
	ee, ok := err.(*exec.ExitError)
	if ok {
		*target = ee
	}
	return ok
}
