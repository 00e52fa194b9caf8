package fetch_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xmltree"
)

// importing is a WSDL whose schema imports n schemas, i0.xsd to i<n-1>.xsd,
// each declaring an element the operation does not use.
func importing(n int) map[string]string {
	var imports strings.Builder
	files := map[string]string{}
	for i := range n {
		fmt.Fprintf(&imports, `<xs:import namespace="urn:i%d" schemaLocation="i%d.xsd"/>`, i, i)
		files[fmt.Sprintf("i%d.xsd", i)] = fmt.Sprintf(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:i%d">
  <xs:element name="E%d" type="xs:string"/>
</xs:schema>`, i, i)
	}
	files["svc.wsdl"] = `<definitions targetNamespace="urn:svc" xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:tns="urn:svc" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:i0="urn:i0">
  <types><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:svc">` + imports.String() + `</xs:schema></types>
  <message name="In"><part name="p" element="i0:E0"/></message>
  <portType name="PT"><operation name="Get"><input message="tns:In"/></operation></portType>
  <binding name="B" type="tns:PT">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Get"><input><soap:body use="literal"/></input></operation>
  </binding>
  <service name="S"><port name="P" binding="tns:B"><soap:address location="http://example.com/s"/></port></service>
</definitions>`
	return files
}

// TestReadAheadSideBySide: the schemas a WSDL imports are fetched side by
// side, not one after the other. Each schema's answer waits until all of
// them are asked for (or 5 s): read one by one, they would be asked for
// one at a time and the test fail.
func TestReadAheadSideBySide(t *testing.T) {
	const n = 4 // the read-ahead reads up to 4 documents at once
	files := importing(n)
	var (
		mu      sync.Mutex
		waiting int
		most    int
		count   = map[string]int{}
		all     = make(chan struct{})
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		body, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		count[name]++
		if strings.HasSuffix(name, ".xsd") {
			waiting++
			most = max(most, waiting)
			if waiting == n {
				close(all)
			}
		}
		mu.Unlock()
		if strings.HasSuffix(name, ".xsd") {
			select {
			case <-all:
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
			mu.Lock()
			waiting--
			mu.Unlock()
		}
		w.Write([]byte(body))
	}))
	defer srv.Close()

	m, err := wsdl.Open(context.Background(), srv.URL+"/svc.wsdl", fetch.Options{Remote: true}, wsdl.Strict)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Schema.Elements) < n {
		t.Errorf("%d elements, want the %d imported ones", len(m.Schema.Elements), n)
	}
	mu.Lock()
	defer mu.Unlock()
	if most != n {
		t.Errorf("at most %d imports were being fetched at once, want all %d", most, n)
	}
	for name := range files {
		if count[name] != 1 {
			t.Errorf("%s requested %d times, want once", name, count[name])
		}
	}
}

// TestReadAheadSameErrors: what a document read ahead fails with is what
// Load says when it reads the document itself, and the limits hold alike.
func TestReadAheadSameErrors(t *testing.T) {
	files := map[string]string{
		"svc.wsdl": `<r>` + strings.Repeat("x", 3000) + `</r>`,
		"a.xsd":    `<r>` + strings.Repeat("y", 600) + `</r>`,
		"b.xsd":    `<r>` + strings.Repeat("z", 600) + `</r>`,
		"bad.xsd":  `<r><unclosed></r>`,
		"big.xsd":  `<r>` + strings.Repeat("w", 4000) + `</r>`,
	}
	srv := serve(t, files)
	ctx := context.Background()
	// load loads the entry and then each of uris, reading them ahead
	// first when ahead is set, and returns what each Load said.
	load := func(t *testing.T, limits fetch.Limits, ahead bool, uris ...string) []string {
		l, entry, err := fetch.Open(srv.URL+"/svc.wsdl", fetch.Options{Remote: true, Limits: limits})
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if ahead {
			l.ReadAhead(func(d *xmltree.Document) []string {
				var refs []string
				if d.URI == entry {
					for _, u := range uris {
						refs = append(refs, srv.URL+"/"+u)
					}
				}
				return refs
			})
		}
		if _, err := l.Load(ctx, entry); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, u := range uris {
			d, err := l.Load(ctx, srv.URL+"/"+u)
			switch {
			case err != nil:
				got = append(got, err.Error())
			case d.Name != u:
				got = append(got, "named "+d.Name)
			default:
				got = append(got, "ok")
			}
		}
		return got
	}
	for _, tc := range []struct {
		name   string
		limits fetch.Limits
		uris   []string
	}{
		{"read and parsed", fetch.Limits{}, []string{"a.xsd", "b.xsd", "missing.xsd", "bad.xsd"}},
		{"total size", fetch.Limits{MaxTotalSize: 4000}, []string{"a.xsd", "b.xsd"}},
		{"document size", fetch.Limits{MaxDocumentSize: 3500}, []string{"a.xsd", "big.xsd"}},
		{"document count", fetch.Limits{MaxDocuments: 2}, []string{"a.xsd", "b.xsd"}},
		{"node count", fetch.Limits{MaxNodes: 2}, []string{"a.xsd", "b.xsd"}},
		// A document that does not parse counts: a.xsd is one byte too many.
		{"total size after a bad document", fetch.Limits{MaxTotalSize: 3007 + 17 + 607 - 1}, []string{"bad.xsd", "a.xsd"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := load(t, tc.limits, false, tc.uris...)
			got := load(t, tc.limits, true, tc.uris...)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("read ahead:\n%s\nread by Load:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if tc.name != "read and parsed" && !strings.Contains(strings.Join(want, "\n"), "than") {
				t.Errorf("the limit did not hold: %q", want)
			}
		})
	}
}

// TestReadAheadClose: a closed Loader reads nothing more ahead, and Load
// still works.
func TestReadAheadClose(t *testing.T) {
	files := map[string]string{"svc.wsdl": `<r/>`, "a.xsd": `<a/>`, "b.xsd": `<b/>`}
	closed := make(chan struct{})
	var mu sync.Mutex
	count := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/")
		mu.Lock()
		count[name]++
		mu.Unlock()
		if name == "a.xsd" {
			// a.xsd is read ahead while the Loader is closed.
			select {
			case <-closed:
			case <-r.Context().Done():
			}
		}
		w.Write([]byte(files[name]))
	}))
	defer srv.Close()
	ctx := context.Background()
	l, entry, err := fetch.Open(srv.URL+"/svc.wsdl", fetch.Options{Remote: true})
	if err != nil {
		t.Fatal(err)
	}
	// svc.wsdl references a.xsd, which references b.xsd.
	l.ReadAhead(func(d *xmltree.Document) []string {
		switch d.Root.Name.Local {
		case "r":
			return []string{srv.URL + "/a.xsd"}
		case "a":
			return []string{srv.URL + "/b.xsd"}
		}
		return nil
	})
	if _, err := l.Load(ctx, entry); err != nil {
		t.Fatal(err)
	}
	l.Close()
	close(closed)
	for _, u := range []string{"a.xsd", "b.xsd"} {
		if d, err := l.Load(ctx, srv.URL+"/"+u); err != nil || d.Root.Name.Local != u[:1] {
			t.Fatalf("Load(%s) after Close: %v", u, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if count["b.xsd"] != 1 {
		t.Errorf("b.xsd requested %d times, want once (by Load)", count["b.xsd"])
	}
}
