package gateway

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/cputime"
	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/store"
	"github.com/soapbridge/soapbridge/internal/upstream"
)

// BenchmarkCall measures what the gateway adds to a SOAP call: a REST call
// through soapbridge's HTTP handler (key check, validation, encoding,
// upstream call, decoding, the JSON log line and the call log) against the
// same SOAP call made directly with the upstream client, in one run
// against one in-process upstream answering a fixed 10-item response.
// Compare the two ns/op figures as a ratio. cpu-µs/op is the CPU time of
// the whole process per call (client, gateway, upstream and garbage
// collection): on a busy machine it is steadier than ns/op. `soapbridge
// serve` runs with GOGC=400; run it with the same to compare.
func BenchmarkCall(b *testing.B) {
	var items strings.Builder
	for i := range 10 {
		items.WriteString(`<item sku="A-` + string(rune('0'+i)) + `"><id>1</id><name>thing</name><price>9.99</price><tags>red</tags></item>`)
	}
	answer := []byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetItemsResponse xmlns="urn:example:inventory">` + items.String() + `</GetItemsResponse></s:Body></s:Envelope>`)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.Write(answer)
	}))
	defer up.Close()

	dir := b.TempDir()
	st, err := store.Open(context.Background(), filepath.Join(dir, "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	g, err := New(context.Background(), Config{Store: st, Keys: secret.Source{File: filepath.Join(dir, "master.key")},
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer g.Close()
	srv := httptest.NewServer(g.Handler())
	defer srv.Close()
	key, _ := NewKey(context.Background(), st, KeyRequest{Name: "root", Admin: true}, time.Now())
	e := &env{srv: srv, admin: key.Key}
	body, ct := upload(b, map[string]string{}, "examples/inventory/inventory.wsdl", "examples/inventory/inventory.xsd")
	if r := e.doB(b, "POST", "/v1/admin/services", body, ct); r.status != 201 {
		b.Fatalf("register: %d %s", r.status, r.body)
	}
	if r := e.doB(b, "PUT", "/v1/admin/services/InventoryService/auth", []byte(`{"type": "basic", "username": "u", "password": "p", "endpoint": "`+up.URL+`"}`), "application/json"); r.status != 200 {
		b.Fatalf("auth: %d %s", r.status, r.body)
	}
	request := []byte(`{"skuPrefix": "A-", "limit": 10}`)

	b.Run("gateway", func(b *testing.B) {
		client := srv.Client()
		b.ReportAllocs()
		defer reportCPU(b, cputime.Process())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, _ := http.NewRequest("POST", srv.URL+"/v1/services/InventoryService/GetItems", bytes.NewReader(request))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-API-Key", key.Key)
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					b.Fatalf("HTTP %d", res.StatusCode)
				}
			}
		})
	})
	b.Run("direct", func(b *testing.B) {
		s := g.service("InventoryService")
		bnd, _ := s.operation("GetItems", "")
		client := upstream.NewClient(0)
		b.ReportAllocs()
		defer reportCPU(b, cputime.Process())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				t := &upstream.Target{Codec: s.codec, Op: bnd.op, Version: bnd.port.SOAPVersion, Endpoint: up.URL,
					Basic: &upstream.BasicAuth{User: "u", Password: "p"}}
				if err := client.Call(context.Background(), t, request, io.Discard, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// reportCPU reports the process's CPU time per op since start (a
// processCPU value) as cpu-µs/op.
func reportCPU(b *testing.B, start time.Duration) {
	if used := cputime.Process() - start; used > 0 && start > 0 {
		b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

func (e *env) doB(b *testing.B, method, path string, body []byte, ct string) *resp {
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("X-API-Key", e.admin)
	res, err := e.srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return &resp{status: res.StatusCode, body: data}
}
