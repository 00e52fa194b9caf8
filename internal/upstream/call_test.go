package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// phpServer starts PHP's SoapServer (test/peers/php/router.php) and returns
// its base URL.
func phpServer(t *testing.T) string {
	t.Helper()
	php := testpeer.Require(t, testpeer.PHP)
	root := testpeer.RepoRoot(t)
	port := testpeer.FreePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := testpeer.StartProcess(t, context.Background(), filepath.Join(root, "test", "peers", "php"), php, "-S", addr, "router.php")
	p.WaitHTTP(t, "http://"+addr+"/", 10*time.Second)
	return "http://" + addr
}

func compile(t *testing.T, path string) *codec.Codec {
	t.Helper()
	m, err := wsdl.Open(context.Background(), filepath.Join(testpeer.RepoRoot(t), path), fetch.Options{}, wsdl.Strict)
	if err != nil {
		t.Fatal(err)
	}
	return codec.New(m)
}

// target returns the target for op on the port of SOAP version v.
func target(t *testing.T, c *codec.Codec, op string, v wsdl.SOAPVersion, endpoint string) *Target {
	t.Helper()
	m := c.Model()
	for _, s := range m.Services {
		for _, p := range s.Ports {
			if p.SOAPVersion != v {
				continue
			}
			b := &m.Bindings[p.Binding]
			for i := range b.Operations {
				if b.Operations[i].Name == op {
					return &Target{Codec: c, Op: &b.Operations[i], Version: v, Endpoint: endpoint}
				}
			}
		}
	}
	t.Fatalf("no operation %s on a SOAP %s port", op, v)
	return nil
}

func call(t *testing.T, tg *Target, req string) (any, error) {
	t.Helper()
	var out bytes.Buffer
	err := NewClient(10*time.Second).Call(context.Background(), tg, []byte(req), &out, nil)
	if err != nil {
		return nil, err
	}
	var v any
	d := json.NewDecoder(&out)
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	return v, nil
}

func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPHPDocumentLiteral(t *testing.T) {
	base := phpServer(t)
	c := compile(t, "examples/inventory/inventory.wsdl")
	want := jsonOf(t, `{"item": [
		{"sku": "A-1", "id": 1, "name": "Item number 1 & co", "price": 1.99, "tags": [], "discontinued": false},
		{"sku": "A-2", "id": 2, "name": "Item number 2 & co", "price": 2.99, "tags": ["red"], "discontinued": null},
		{"sku": "A-3", "id": 3, "name": "Item number 3 & co", "price": 3.99, "tags": ["red", "big"], "discontinued": false}]}`)
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12} {
		t.Run(string(v), func(t *testing.T) {
			got, err := call(t, target(t, c, "GetItems", v, base+"/inventory"), `{"skuPrefix": "A-", "limit": 3, "$headers": {"Trace": {"requestId": "r-1"}}}`)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %v\nwant %v", got, want)
			}
			got, err = call(t, target(t, c, "GetItems", v, base+"/inventory"), `{"skuPrefix": "B-", "limit": 0}`)
			if err != nil || !reflect.DeepEqual(got, jsonOf(t, `{"item": []}`)) {
				t.Errorf("no items: got %v, %v", got, err)
			}
			got, err = call(t, target(t, c, "Reserve", v, base+"/inventory"), `{"quantity": 2, "sku": "A-7"}`)
			if err != nil || !reflect.DeepEqual(got, jsonOf(t, `{"reservationId": "R-A-7-2", "expires": "2026-12-01T10:00:00Z"}`)) {
				t.Errorf("Reserve: got %v, %v", got, err)
			}
		})
	}
}

func TestPHPFaults(t *testing.T) {
	base := phpServer(t)
	c := compile(t, "examples/inventory/inventory.wsdl")
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12} {
		t.Run(string(v), func(t *testing.T) {
			_, err := call(t, target(t, c, "Reserve", v, base+"/inventory"), `{"sku": "A-1", "quantity": 30}`)
			var f *soap.Fault
			if !errors.As(err, &f) {
				t.Fatalf("got %v, want a fault", err)
			}
			if f.Code != "Sender" || !f.IsClient() || f.Reason != "not enough stock for A-1" || f.Name != "OutOfStock" || f.Version != v {
				t.Errorf("fault %+v", f)
			}
			if !reflect.DeepEqual(jsonOf(t, string(f.Detail)), jsonOf(t, `{"OutOfStockFault": {"sku": "A-1", "available": 10}}`)) {
				t.Errorf("detail %s", f.Detail)
			}
			_, err = call(t, target(t, c, "Reserve", v, base+"/inventory"), `{"sku": "X-0", "quantity": 1}`)
			// PHP's SoapServer sends an empty <OutOfStockFault/> detail here.
			if !errors.As(err, &f) || f.Code != "Receiver" || f.IsClient() || f.Reason != "the warehouse is offline" {
				t.Errorf("server fault: %v %+v", err, f)
			}
		})
	}
}

func TestPHPRPCEncoded(t *testing.T) {
	base := phpServer(t)
	c := compile(t, "test/peers/php/rpc.wsdl")
	for _, tc := range []struct{ op, req, want string }{
		{"sum", `{"numbers": [1, 2, 39]}`, `{"total": 42}`},
		{"sum", `{"numbers": []}`, `{"total": 0}`},
		{"echoStrings", `{"strings": ["a", "b & <c>", ""]}`, `{"strings": ["a", "b & <c>", ""]}`},
		{"describe", `{"person": {"age": 41, "name": "bob"}}`, `{"profile": {"name": "BOB", "age": 42, "nickname": null, "balance": 12345678901234567890.12, "scores": [1.5, 2.25]}}`},
	} {
		got, err := call(t, target(t, c, tc.op, wsdl.SOAP11, base+"/rpc"), tc.req)
		if err != nil {
			t.Errorf("%s %s: %v", tc.op, tc.req, err)
			continue
		}
		if !reflect.DeepEqual(got, jsonOf(t, tc.want)) {
			t.Errorf("%s %s: got %v, want %s", tc.op, tc.req, got, tc.want)
		}
	}
	// The decimal keeps every digit: compare the raw JSON text too.
	var out bytes.Buffer
	if err := NewClient(10*time.Second).Call(context.Background(), target(t, c, "describe", wsdl.SOAP11, base+"/rpc"), []byte(`{"person": {"name": "x", "age": 1}}`), &out, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out.Bytes(), []byte(`"balance":12345678901234567890.12`)) {
		t.Errorf("decimal lost digits: %s", out.String())
	}
}

func TestPHPBasicAuth(t *testing.T) {
	base := phpServer(t)
	c := compile(t, "examples/inventory/inventory.wsdl")
	tg := target(t, c, "Reserve", wsdl.SOAP11, base+"/secure/inventory")
	_, err := call(t, tg, `{"sku": "A-1", "quantity": 1}`)
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != KindAuth || ue.Status != 401 || !reflect.DeepEqual(ue.Offered, []string{"Basic"}) {
		t.Fatalf("without credentials: got %v", err)
	}
	tg.Basic = &BasicAuth{User: "alice", Password: "wrong"}
	if _, err := call(t, tg, `{"sku": "A-1", "quantity": 1}`); !errors.As(err, &ue) || ue.Kind != KindAuth {
		t.Fatalf("wrong password: got %v", err)
	}
	tg.Basic = &BasicAuth{User: "alice", Password: "s3cret"}
	if _, err := call(t, tg, `{"sku": "A-1", "quantity": 1}`); err != nil {
		t.Fatalf("with credentials: %v", err)
	}
}

func TestTransportDiagnosis(t *testing.T) {
	m, err := wsdl.Open(context.Background(), filepath.Join(testpeer.RepoRoot(t), "examples/inventory/inventory.wsdl"), fetch.Options{}, wsdl.Strict)
	if err != nil {
		t.Fatal(err)
	}
	c := codec.New(m)
	// Nothing listens on a port that was just free.
	port := testpeer.FreePort(t)
	tg := target(t, c, "Reserve", wsdl.SOAP11, fmt.Sprintf("http://127.0.0.1:%d/soap", port))
	_, err = call(t, tg, `{"sku": "A-1", "quantity": 1}`)
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != KindUnreachable {
		t.Errorf("closed port: got %v", err)
	}
	// A server that never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stop })}
	go srv.Serve(ln)
	defer func() { close(stop); srv.Close() }()
	tg.Endpoint = "http://" + ln.Addr().String() + "/soap"
	var out bytes.Buffer
	err = NewClient(300*time.Millisecond).Call(context.Background(), tg, []byte(`{"sku": "A-1", "quantity": 1}`), &out, nil)
	if !errors.As(err, &ue) || ue.Kind != KindTimeout {
		t.Errorf("hanging server: got %v", err)
	}
	// Invalid requests never leave the machine.
	_, err = call(t, tg, `{"sku": "a", "quantity": "many"}`)
	var ve *codec.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 2 {
		t.Errorf("validation: got %v", err)
	}
}

// nodeServer starts node-soap (test/peers/node/server.js) serving the
// inventory WSDL and returns the endpoint of its SOAP 1.1 port.
func nodeServer(t *testing.T) string {
	t.Helper()
	node := testpeer.Require(t, testpeer.Node)
	root := testpeer.RepoRoot(t)
	port := testpeer.FreePort(t)
	p := testpeer.StartProcess(t, context.Background(), testpeer.NodePeerDir(t), node, "server.js",
		filepath.Join(root, "examples", "inventory", "inventory.wsdl"), fmt.Sprint(port))
	url := fmt.Sprintf("http://127.0.0.1:%d/soap", port)
	p.WaitHTTP(t, url+"?wsdl", 15*time.Second)
	return url
}

func TestNodeSOAPDocumentLiteral(t *testing.T) {
	endpoint := nodeServer(t)
	c := compile(t, "examples/inventory/inventory.wsdl")
	got, err := call(t, target(t, c, "GetItems", wsdl.SOAP11, endpoint), `{"skuPrefix": "N-", "limit": 2}`)
	if err != nil {
		t.Fatal(err)
	}
	want := jsonOf(t, `{"item": [
		{"sku": "N-1", "id": 1, "name": "Item 1 <N-> & co", "price": 1.50, "tags": [], "discontinued": false},
		{"sku": "N-2", "id": 2, "name": "Item 2 <N-> & co", "price": 2.50, "tags": ["t2"], "discontinued": true}]}`)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	got, err = call(t, target(t, c, "Reserve", wsdl.SOAP11, endpoint), `{"sku": "N-4", "quantity": 3}`)
	if err != nil || !reflect.DeepEqual(got, jsonOf(t, `{"reservationId": "N-N-4", "expires": "2027-01-02T03:04:05Z"}`)) {
		t.Errorf("Reserve: %v %v", got, err)
	}
	_, err = call(t, target(t, c, "Reserve", wsdl.SOAP11, endpoint), `{"sku": "N-1", "quantity": 30}`)
	var f *soap.Fault
	if !errors.As(err, &f) || f.Code != "Sender" || f.Name != "OutOfStock" ||
		!reflect.DeepEqual(jsonOf(t, string(f.Detail)), jsonOf(t, `{"OutOfStockFault": {"sku": "N-1", "available": 10}}`)) {
		t.Errorf("fault: %v %+v", err, f)
	}
}
