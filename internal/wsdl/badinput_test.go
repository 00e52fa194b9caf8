package wsdl

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
)

// memBound is the most a refused hostile input may make the compiler
// allocate, however big the input.
const memBound = 64 << 20

// measure runs f and returns the bytes it allocated and the growth of the
// heap in use; a panic in f fails the test.
func measure(t *testing.T, f func()) (total, inuse uint64) {
	t.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("panic: %v", r)
			}
		}()
		f()
	}()
	runtime.ReadMemStats(&after)
	total = after.TotalAlloc - before.TotalAlloc
	if after.HeapInuse > before.HeapInuse {
		inuse = after.HeapInuse - before.HeapInuse
	}
	return total, inuse
}

// checkRefused compiles through open and checks for an error containing
// each of want, and bounded memory.
func checkRefused(t *testing.T, open func() (*fetch.Loader, string, error), mode Mode, want ...string) {
	t.Helper()
	var err error
	total, inuse := measure(t, func() {
		var l *fetch.Loader
		var entry string
		if l, entry, err = open(); err == nil {
			_, err = Compile(context.Background(), l, entry, mode)
		}
	})
	if err == nil {
		t.Fatal("compiled without error")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\ndoes not contain %q", err, w)
		}
	}
	if total > memBound || inuse > memBound {
		t.Errorf("allocated %d MiB (heap grew %d MiB), want < %d MiB", total>>20, inuse>>20, memBound>>20)
	}
}

func upload(doc []byte) func() (*fetch.Loader, string, error) {
	return func() (*fetch.Loader, string, error) {
		return fetch.OpenFiles(map[string][]byte{"svc.wsdl": doc}, "svc.wsdl", fetch.Options{})
	}
}

// wsdlWith is a small valid WSDL with extra content in its schema (types)
// and its definitions (defs), which start on line 6 and 9.
func wsdlWith(types, defs string) string {
	return `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:b" targetNamespace="urn:b"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">
  <types>
    <xs:schema targetNamespace="urn:b">
` + types + `
    </xs:schema>
  </types>
` + defs + `
</definitions>`
}

const goodDefs = `<message name="M"><part name="p" element="tns:E"/></message>
<portType name="PT"><operation name="Op"><input message="tns:M"/></operation></portType>
<binding name="B" type="tns:PT"><soap:binding/><operation name="Op"><input><soap:body use="literal"/></input></operation></binding>
<service name="S"><port name="P" binding="tns:B"><soap:address location="http://x/"/></port></service>`

// TestBadInput: malformed and hostile documents give an error naming the
// document and line, never a panic, in bounded memory.
func TestBadInput(t *testing.T) {
	nested := strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000)
	tests := []struct {
		name string
		doc  string
		mode Mode
		want []string
	}{
		{"mismatched tags", "<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\">\n<types>\n</typo>\n</definitions>", Lenient,
			[]string{"svc.wsdl: line 3:", "</typo>"}},
		{"truncated", "<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\">\n<types>\n", Lenient,
			[]string{"svc.wsdl: line ", "not closed"}},
		{"unquoted attribute", "<definitions\n name=x/>", Lenient, []string{"svc.wsdl: line 2:"}},
		{"duplicate attribute", "<definitions\n a='1' a='2'/>", Lenient, []string{"svc.wsdl: line 2:"}},
		{"text after root", "<definitions/>\nx", Lenient, []string{"svc.wsdl: line 2: text after the root element"}},
		{"two roots", "<definitions/>\n<definitions/>", Lenient, []string{"svc.wsdl: line 2:"}},
		{"empty", "", Lenient, []string{"svc.wsdl: line 1: no root element"}},
		{"binary", "\x00\x01\x02\xff\xfe<", Lenient, []string{"svc.wsdl: line 1:"}},
		{"utf-16 is read", "\xff\xfe<\x00d\x00/\x00>\x00", Lenient, []string{"svc.wsdl: root element is d, not wsdl:definitions"}},
		{"other encoding", `<?xml version="1.0" encoding="EBCDIC"?><d/>`, Lenient, []string{"svc.wsdl: line 1:", "encoded in ebcdic"}},
		{"bad character reference", "<definitions>\n&#0;</definitions>", Lenient, []string{"svc.wsdl: line 2:"}},
		{"unknown entity", "<definitions>\n&xxe;</definitions>", Lenient, []string{"svc.wsdl: line 2:", "xxe"}},
		{"billion laughs", `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><documentation>&lol9;</documentation></definitions>`, Lenient,
			[]string{"svc.wsdl: line 2:", "entity declarations are not allowed"}},
		{"deep nesting", nested, Lenient, []string{"svc.wsdl: line 1:", "nested deeper than 256"}},
		{"deep schema nesting", wsdlWith(strings.Repeat("<xs:element name=\"e\"><xs:complexType><xs:sequence>\n", 100), ""), Lenient,
			[]string{"svc.wsdl: line ", "nested deeper than 256"}},
		{"huge attribute count", "<definitions\n" + strings.Repeat(" a", 1) + func() string {
			var b strings.Builder
			for i := range 1000 {
				b.WriteString(" a" + strconv.Itoa(i) + "='x'")
			}
			return b.String()
		}() + "/>", Lenient, []string{"svc.wsdl: line "}},

		{"undeclared element prefix/strict", wsdlWith(`<xs:element name="E" type="xs:string"/>`, "<nope:thing/>\n"+goodDefs), Strict,
			[]string{"svc.wsdl:9:", `prefix "nope" is not declared`}},
		{"undeclared QName prefix/strict", wsdlWith(`<xs:element name="E" type="nope:T"/>`, goodDefs), Strict,
			[]string{"svc.wsdl:6:", `"nope:T"`}},
		{"undeclared part prefix/strict", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, "tns:E", "nope:E", 1)), Strict,
			[]string{"svc.wsdl:9:", `"nope:E"`}},
		{"dangling type/strict", wsdlWith(`<xs:element name="E" type="tns:Missing"/>`, goodDefs), Strict,
			[]string{"svc.wsdl:6:", "{urn:b}Missing not found"}},
		{"dangling base/strict", wsdlWith(`<xs:complexType name="T"><xs:complexContent><xs:extension base="tns:Missing"/></xs:complexContent></xs:complexType><xs:element name="E" type="tns:T"/>`, goodDefs), Strict,
			[]string{"svc.wsdl:6:", "{urn:b}Missing not found"}},
		{"dangling part element/strict", wsdlWith(``, goodDefs), Strict,
			[]string{"svc.wsdl:9:", "part element {urn:b}E not found"}},
		{"dangling message/strict", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, `message="tns:M"`, `message="tns:Nope"`, 1)), Strict,
			[]string{"svc.wsdl:10:", "message {urn:b}Nope not found"}},
		{"dangling binding/strict", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, `binding="tns:B"`, `binding="tns:Nope"`, 1)), Strict,
			[]string{"svc.wsdl:12:", "binding {urn:b}Nope not found"}},
		{"dangling port type/strict", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, `type="tns:PT"`, `type="tns:Nope"`, 1)), Strict,
			[]string{"svc.wsdl:11:", "portType {urn:b}Nope not found"}},
		{"operation not in port type/strict", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, `<operation name="Op"><input><soap`, `<operation name="Other"><input><soap`, 1)), Strict,
			[]string{"svc.wsdl:11:", `operation "Other" is not in portType "PT"`}},
		{"bad style/strict", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, `<soap:binding/>`, `<soap:binding style="fancy"/>`, 1)), Strict,
			[]string{"svc.wsdl:11:", `style "fancy"`}},
		{"part without element or type/strict", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, `element="tns:E"`, ``, 1)), Strict,
			[]string{"svc.wsdl:9:", `part "p" has neither element nor type`}},
		{"schema as entry", `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>`, Lenient, []string{"svc.wsdl is an XML Schema, not a WSDL"}},
		{"wsdl 2.0", `<description xmlns="http://www.w3.org/ns/wsdl"/>`, Lenient, []string{"svc.wsdl: WSDL 2.0 is not supported"}},
		{"other root", `<html/>`, Lenient, []string{"svc.wsdl: root element is html"}},
		{"definitions in no namespace/strict", `<definitions/>`, Strict, []string{"svc.wsdl: root element is definitions, not in the WSDL 1.1 namespace"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkRefused(t, upload([]byte(tc.doc)), tc.mode, tc.want...)
		})
	}
}

// TestLenientWarnings: what strict mode refuses, lenient mode compiles
// with a warning naming the document and line.
func TestLenientWarnings(t *testing.T) {
	tests := []struct {
		name, doc string
		want      string
	}{
		{"undeclared element prefix", wsdlWith(`<xs:element name="E" type="xs:string"/>`, "<nope:thing/>\n"+goodDefs), `svc.wsdl:9: namespace prefix "nope" is not declared`},
		{"dangling type", wsdlWith(`<xs:element name="E" type="tns:Missing"/>`, goodDefs), "svc.wsdl:6: type {urn:b}Missing not found; treated as anyType"},
		{"dangling message", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, `message="tns:M"`, `message="tns:Nope"`, 1)), `svc.wsdl:10: message {urn:b}Nope not found; operation "Op" left out`},
		{"dangling binding", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, `binding="tns:B"`, `binding="tns:Nope"`, 1)), `svc.wsdl:12: binding {urn:b}Nope not found; port "P" left out`},
		{"definitions in no namespace", `<definitions/>`, "svc.wsdl:1: root element is definitions, not in the WSDL 1.1 namespace"},
		{"bad style", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, `<soap:binding/>`, `<soap:binding style="fancy"/>`, 1)), `svc.wsdl:11: operation "Op" has style "fancy"; want document or rpc; operation "Op" left out`},
		{"undeclared part prefix", wsdlWith(`<xs:element name="E" type="xs:string"/>`, strings.Replace(goodDefs, "tns:E", "nope:E", 1)), `svc.wsdl:9: part element "nope:E" not found as written; using {urn:b}E`},
		{"undeclared type prefix", wsdlWith(`<xs:element name="E" type="nope:string"/>`, goodDefs), `svc.wsdl:6: type "nope:string" has an undeclared prefix; using the built-in string`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := compileFiles(map[string]string{"svc.wsdl": tc.doc}, Lenient)
			if err != nil {
				t.Fatal(err)
			}
			if !hasWarning(m.Warnings, tc.want) {
				t.Errorf("warnings %q\nwant one containing %q", m.Warnings, tc.want)
			}
		})
	}
}

// TestNoExternalFetchFromDTD: neither an external entity nor an external
// DTD is ever fetched, even with remote fetching allowed.
func TestNoExternalFetchFromDTD(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write([]byte(`<!ENTITY xxe "pwned">`))
	}))
	defer srv.Close()
	tests := []struct {
		name, doc string
		want      []string // "" for a document that compiles
	}{
		{"external entity", `<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "` + srv.URL + `/entity">]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><documentation>&xxe;</documentation></definitions>`,
			[]string{"svc.wsdl: line 2:", "entity declarations are not allowed"}},
		{"parameter entity", `<?xml version="1.0"?>
<!DOCTYPE definitions [
  <!ENTITY % dtd SYSTEM "` + srv.URL + `/param.dtd">
  %dtd;
]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>`,
			[]string{"svc.wsdl: line 2:", "entity declarations are not allowed"}},
		{"external DTD", `<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "` + srv.URL + `/external.dtd">
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:x"/>`, nil},
		{"external DTD and entity use", `<?xml version="1.0"?>
<!DOCTYPE definitions PUBLIC "-//X//EN" "` + srv.URL + `/external.dtd">
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/">
<documentation>&xxe;</documentation></definitions>`, []string{"svc.wsdl: line 4:", "xxe"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, kind := range []string{"upload", "remote"} {
				var l *fetch.Loader
				var entry string
				var err error
				if kind == "upload" {
					l, entry, err = fetch.OpenFiles(map[string][]byte{"svc.wsdl": []byte(tc.doc)}, "", fetch.Options{Remote: true})
				} else {
					dsrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tc.doc)) }))
					defer dsrv.Close()
					l, entry, err = fetch.Open(dsrv.URL+"/svc.wsdl", fetch.Options{Remote: true})
				}
				if err != nil {
					t.Fatal(err)
				}
				_, err = Compile(context.Background(), l, entry, Lenient)
				switch {
				case tc.want == nil && err != nil:
					t.Errorf("%s: %v", kind, err)
				case tc.want != nil && err == nil:
					t.Errorf("%s: compiled", kind)
				case err != nil:
					for _, w := range tc.want {
						if !strings.Contains(err.Error(), w) {
							t.Errorf("%s: error %q does not contain %q", kind, err, w)
						}
					}
				}
			}
			if n := hits.Load(); n != 0 {
				t.Fatalf("the entity server got %d requests", n)
			}
		})
	}
}

// TestHugeInput: a 100 MB document is refused before it is read, from a
// file, an upload or a URL, and a stream without a length is cut off at the
// limit; memory stays bounded.
func TestHugeInput(t *testing.T) {
	const huge = 100 << 20
	dir := t.TempDir()
	path := filepath.Join(dir, "svc.wsdl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><documentation>`)
	if err := f.Truncate(huge); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()

	chunk := bytes.Repeat([]byte("<a>x</a>"), 8<<10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/sized.wsdl" {
			w.Header().Set("Content-Length", strconv.Itoa(huge))
		}
		w.Write([]byte("<definitions>"))
		for n := 0; n < huge; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()

	big := make([]byte, huge)
	copy(big, `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><documentation>`)

	tests := []struct {
		name string
		open func() (*fetch.Loader, string, error)
		want []string
	}{
		{"file", func() (*fetch.Loader, string, error) { return fetch.Open(path, fetch.Options{}) },
			[]string{"svc.wsdl", "larger than 67108864 bytes"}},
		{"upload", upload(big), []string{"svc.wsdl", "larger than 67108864 bytes"}},
		{"url with length", func() (*fetch.Loader, string, error) {
			return fetch.Open(srv.URL+"/sized.wsdl", fetch.Options{Remote: true})
		}, []string{"sized.wsdl", "larger than 67108864 bytes"}},
		{"stream", func() (*fetch.Loader, string, error) {
			return fetch.Open(srv.URL+"/stream.wsdl", fetch.Options{Remote: true, Limits: fetch.Limits{MaxDocumentSize: 8 << 20}})
		}, []string{"stream.wsdl", "larger than 8388608 bytes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkRefused(t, tc.open, Lenient, tc.want...)
		})
	}
}
