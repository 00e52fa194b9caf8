package gateway

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// TestLongNamesBounded: a call naming a service or operation a hundred
// kilobytes long is answered, logged and kept in the call log with the
// name cut, not copied whole into each (a 900 KB path added 2.7 MB to the
// database and 1.8 MB to the log per call).
func TestLongNamesBounded(t *testing.T) {
	e := newEnv(t)
	e.registerInventory("inv", "")
	long := strings.Repeat("n", 100<<10)
	for _, path := range []string{"/v1/services/" + long + "/op", "/v1/services/inv/" + long, "/v1/services/inv/GetItems?port=" + long} {
		res := e.do("POST", path, e.admin, "{}")
		if res.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", res.status)
		}
		if d := res.json(t)["detail"].(string); len(d) > 1024 || !strings.Contains(d, "nnnn") {
			t.Errorf("a detail of %d bytes: %.200s", len(d), d)
		}
	}
	e.g.calls.flush(context.Background())
	calls, err := e.st.Calls(context.Background(), "", 10)
	if err != nil || len(calls) != 3 {
		t.Fatalf("calls %d, %v", len(calls), err)
	}
	for _, c := range calls {
		if n := len(c.Service) + len(c.Operation) + len(c.Port) + len(c.Error); n > maxLoggedName*3+maxLoggedError {
			t.Errorf("a call log record of %d bytes", n)
		}
	}
	if n := len(e.logs.String()); n > 64<<10 {
		t.Errorf("the log grew by %d bytes", n)
	}
}

// TestAuthRefusesWhatCannotBeSent: an auth configuration is refused when
// a header value or SOAP header block could not go out as given (it used
// to be stored, and every call then failed or sent a malformed
// envelope), or when it has more headers than the bound; the problems
// never quote the secret values.
func TestAuthRefusesWhatCannotBeSent(t *testing.T) {
	e := newEnv(t)
	e.registerInventory("inv", "")
	many := map[string]string{}
	for i := range maxHTTPHeaders + 1 {
		many["X-H"+strconv.Itoa(i)] = "v"
	}
	for _, in := range []map[string]any{
		{"type": "none", "http_headers": map[string]string{"X-Token": "s3cr3t\x01"}},
		{"type": "none", "http_headers": map[string]string{"X-Token": "s3cr3t\x7f"}},
		{"type": "none", "http_headers": map[string]string{"X-Token": "s3cr3t\r\nX-Evil: 1"}},
		{"type": "none", "http_headers": many},
		{"type": "none", "soap_headers": []string{`<?xml version="1.0"?><h:T xmlns:h="urn:h">s3cr3t</h:T>`}},
		{"type": "none", "soap_headers": []string{`<!DOCTYPE h:T><h:T xmlns:h="urn:h">s3cr3t</h:T>`}},
		{"type": "none", "soap_headers": []string{"<h:T xmlns:h=\"urn:h\">s3cr3t\x01</h:T>"}},
		{"type": "none", "soap_headers": []string{`<h:T xmlns:h="urn:h" a="1" a="2">s3cr3t</h:T>`}},
		{"type": "none", "soap_headers": []string{`<h:T xmlns:h="urn:h">s3cr3t</h:T><?xml version="1.0"?>`}},
		{"type": "none", "soap_headers": []string{`<h:T xmlns:h="urn:h">s3cr3t&s3cr3t;</h:T>`}},
		{"type": "none", "soap_headers": make([]string, maxSOAPHeaders+1)},
	} {
		res := e.do("PUT", "/v1/admin/services/inv/auth", e.admin, in)
		if res.status != http.StatusBadRequest || bytes.Contains(res.body, []byte("s3cr3t")) {
			t.Errorf("%.100v: %d %.300s", in, res.status, res.body)
		}
	}
	// Bytes that are not UTF-8: encoding/json read them as U+FFFD, and
	// the password stored was not the one given.
	res := e.do("PUT", "/v1/admin/services/inv/auth", e.admin, "{\"type\": \"basic\", \"username\": \"u\", \"password\": \"s3cr3t\xff\"}")
	if res.status != http.StatusBadRequest || !bytes.Contains(res.body, []byte("not valid UTF-8")) || bytes.Contains(res.body, []byte("s3cr3t")) {
		t.Errorf("a password that is not UTF-8: %d %.300s", res.status, res.body)
	}
	ok := map[string]any{"type": "none", "http_headers": map[string]string{"X-Token": "a\tb"},
		"soap_headers": []string{`<h:T xmlns:h="urn:h" soapenv:mustUnderstand="1"><!-- c -->s&amp;</h:T>`}}
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, ok).must(t, http.StatusOK)
}

// TestUploadFilesBounded: an upload of more files than the fetch limits'
// MaxDocuments (2000), as file parts or in a zip bundle, is refused; the
// files of an accepted bundle are listed in every read of the service.
func TestUploadFilesBounded(t *testing.T) {
	e := newEnv(t)
	multi := func(files map[string][]byte) ([]byte, string) {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for name, data := range files {
			w, _ := mw.CreateFormFile("file", name)
			w.Write(data)
		}
		mw.Close()
		return b.Bytes(), mw.FormDataContentType()
	}
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	files := map[string][]byte{}
	for i := range 2001 {
		zw.Create("f" + strconv.Itoa(i) + ".xsd")
		files["f"+strconv.Itoa(i)+".xsd"] = nil
	}
	zw.Close()
	body, ct := multi(map[string][]byte{"b.zip": zbuf.Bytes()})
	res := e.do("POST", "/v1/admin/services", e.admin, body, ct).must(t, http.StatusUnprocessableEntity)
	if d := res.json(t)["detail"].(string); !strings.Contains(d, "more than 2000 files") {
		t.Errorf("detail %q", d)
	}
	body, ct = multi(files)
	res = e.do("POST", "/v1/admin/services", e.admin, body, ct).must(t, http.StatusBadRequest)
	if d := res.json(t)["detail"].(string); !strings.Contains(d, "more than 2000 files") {
		t.Errorf("detail %q", d)
	}
}

// TestWSDLURLOnlyRemote: a wsdl_url, given as JSON or as a multipart
// field, is an http(s) URL. The multipart field used to go unchecked to
// wsdl.Open, which read a local path (a WSDL on the gateway's disk
// registered; /etc/passwd answered with its line count).
func TestWSDLURLOnlyRemote(t *testing.T) {
	e := newEnv(t)
	root := testpeer.RepoRoot(t)
	for _, u := range []string{
		filepath.Join(root, "examples", "inventory", "inventory.wsdl"), "/etc/passwd", "file:///etc/passwd",
		"examples/inventory/inventory.wsdl", "http:///x.wsdl", "file://user:s3cr3t@localhost/etc/passwd",
	} {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		mw.WriteField("name", "local")
		mw.WriteField("wsdl_url", u)
		mw.Close()
		for _, res := range []*resp{
			e.do("POST", "/v1/admin/services", e.admin, b.Bytes(), mw.FormDataContentType()),
			e.do("POST", "/v1/admin/services", e.admin, map[string]string{"name": "local", "wsdl_url": u}),
		} {
			if res.status != http.StatusBadRequest || bytes.Contains(res.body, []byte("s3cr3t")) {
				t.Errorf("wsdl_url %s: %d %s", u, res.status, res.body)
			}
		}
	}
	checkSecretsNowhere(t, e, "s3cr3t")
}

// TestCompilesOneAtATime: a registration waits while another compiles
// (each can take tens of times its documents' size in memory), and gives
// up with a problem saying so when its time runs out.
func TestCompilesOneAtATime(t *testing.T) {
	e := newEnv(t)
	e.g.compiling <- struct{}{} // another registration is compiling
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, p := e.g.compileRegistration(ctx, &registration{src: source{url: "http://127.0.0.1:1/x.wsdl"}})
	if p == nil || !strings.Contains(p.Detail, "one at a time") {
		t.Fatalf("got %v, want a refusal saying registrations compile one at a time", p)
	}
	<-e.g.compiling
	e.registerInventory("inv", "")
	if len(e.g.compiling) != 0 {
		t.Error("the compile token was not given back")
	}
}

// TestFaultEchoingSecretsRedacted: an upstream fault (or error page) that
// quotes a configured secret, as "invalid token ..." faults do, reaches
// the data API's caller, the log and the call log with the secret as
// "***" (it was passed on as it was).
func TestFaultEchoingSecretsRedacted(t *testing.T) {
	const token, block = "tok-s3cr3t-<&>\"", "blk-s3cr3t"
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		echo := html.EscapeString(r.Header.Get("X-Token"))
		if bytes.Contains(body, []byte(block)) {
			echo += " " + block
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>`+
			`<faultcode>s:Client</faultcode><faultstring>invalid token %s</faultstring><faultactor>%s</faultactor>`+
			`<detail><why>%s</why></detail></s:Fault></s:Body></s:Envelope>`, echo, echo, echo)
	}))
	defer up.Close()
	e := newEnv(t)
	e.registerInventory("inv", "")
	e.do("PUT", "/v1/admin/services/inv/auth", e.admin, map[string]any{"type": "none", "endpoint": up.URL,
		"http_headers": map[string]string{"X-Token": token},
		"soap_headers": []string{`<t:T xmlns:t="urn:t">` + block + `</t:T>`}}).must(t, http.StatusOK)
	res := e.do("POST", "/v1/services/inv/GetItems", e.admin, `{"skuPrefix": "A", "limit": 5}`).must(t, http.StatusUnprocessableEntity)
	if !bytes.Contains(res.body, []byte("invalid token ***")) {
		t.Errorf("answer %s", res.body)
	}
	e.do("POST", "/v1/admin/services/inv/try/GetItems", e.admin, `{"skuPrefix": "A", "limit": 5}`).must(t, http.StatusOK)
	checkSecretsNowhere(t, e, token, html.EscapeString(token), block, `tok-s3cr3t-\u003c\u0026\u003e\"`)
}

// TestReadAllTrustsNoAnnouncedLength: a body announced large but not
// (yet) sent costs what was sent, not what was announced.
func TestReadAllTrustsNoAnnouncedLength(t *testing.T) {
	b, err := readAll(strings.NewReader("{}"), 1<<20-1)
	if err != nil || string(b) != "{}" {
		t.Fatalf("%q, %v", b, err)
	}
	if c := cap(b); c > 4096 {
		t.Errorf("2 bytes read into a buffer of %d", c)
	}
	// The common case still reads into one buffer of the announced size.
	body := strings.Repeat("x", 1000)
	r := strings.NewReader(body)
	allocs := testing.AllocsPerRun(10, func() {
		r.Reset(body)
		b, err = readAll(r, int64(len(body)))
	})
	if err != nil || string(b) != body || allocs > 1 {
		t.Errorf("%d bytes: %v, %v allocations", len(body), err, allocs)
	}
}

// TestSlowBodyRefused: a request whose body stops arriving is answered:
// at once when it is refused before its body is read (not even
// authenticated, or a method the route has not), after BodyTimeout when
// its body is wanted. The server's only deadline was for headers: the
// handler, or the server discarding an unread body, waited for ever.
func TestSlowBodyRefused(t *testing.T) {
	e := newEnv(t)
	e.registerInventory("inv", "")
	e.g.cfg.BodyTimeout = 200 * time.Millisecond
	for _, c := range []struct {
		method, path, key string
		status            int
		says              string
	}{
		{"POST", "/v1/services/inv/GetItems", e.admin, http.StatusBadRequest, "did not arrive within"},
		{"POST", "/v1/services/inv/GetItems", "", http.StatusUnauthorized, "API key"},
		{"POST", "/v1/services/inv/GetItems", "sbk_aaaaaaaaaa_" + strings.Repeat("a", 43), http.StatusUnauthorized, "API key"},
		{"POST", "/v1/nowhere", e.admin, http.StatusNotFound, "no API endpoint"},
		{"PUT", "/v1/services/inv/GetItems", "", http.StatusNotFound, "no API endpoint"},
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(time.Minute)) // fail, not hang, without the fix
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nX-API-Key: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"sk", c.method, c.path, c.key)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Errorf("%s %s: %v", c.method, c.path, err)
			conn.Close()
			continue
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != c.status || !bytes.Contains(body, []byte(c.says)) {
			t.Errorf("%s %s: HTTP %d %s", c.method, c.path, res.StatusCode, body)
		}
		conn.Close()
	}
}

// TestLongCallOutlivesBodyTimeout: the body's deadline ends once the
// body is read, so an upstream slower than BodyTimeout still answers.
func TestLongCallOutlivesBodyTimeout(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(600 * time.Millisecond)
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>`+
			`<GetItemsResponse xmlns="urn:example:inventory"/></s:Body></s:Envelope>`)
	}))
	defer up.Close()
	e := newEnv(t)
	e.registerInventory("inv", up.URL)
	e.g.cfg.BodyTimeout = 100 * time.Millisecond
	res := e.do("POST", "/v1/services/inv/GetItems", e.admin, `{"skuPrefix": "A", "limit": 5}`)
	if res.status != http.StatusOK {
		t.Errorf("HTTP %d %s", res.status, res.body)
	}
}
