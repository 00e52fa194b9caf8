package soap

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/xmltree"
)

// A moved value that binds the prefix of the referring element's name to
// another namespace must not rename the element.
func TestMultiRefPrefixClash(t *testing.T) {
	in := `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>` +
		`<ns1:ret xmlns:ns1="urn:a" href="#id0"/>` +
		`<ns1:multiRef xmlns:ns1="urn:b" id="id0"><ns1:x>1</ns1:x></ns1:multiRef></s:Body></s:Envelope>`
	out, err := inlineMultiRefs([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := xmltree.Parse(out, "out", maxMultiRefNodes)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	body := doc.Root.Children[0]
	if len(body.Children) != 1 {
		t.Fatalf("%s", out)
	}
	ret := body.Children[0]
	if ret.Name != (xmltree.Name{Space: "urn:a", Local: "ret"}) || len(ret.Children) != 1 ||
		ret.Children[0].Name != (xmltree.Name{Space: "urn:b", Local: "x"}) || ret.Children[0].Text != "1" {
		t.Errorf("inlined as %s", out)
	}
}

// Twenty thousand references under 250 declarations took 12 s: each
// element looked every binding up again, and each binding of a moved
// value all of them. The bindings looked up are now at most those
// written.
func TestMultiRefBindingsWork(t *testing.T) {
	for _, refs := range []int{10, 20000} {
		var b bytes.Buffer
		b.WriteString(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"`)
		for k := range 250 {
			fmt.Fprintf(&b, ` xmlns:p%d="urn:%d"`, k, k)
		}
		b.WriteString(`><s:Body><r><p1:a/>`)
		b.WriteString(strings.Repeat(`<i href="#a"/>`, refs))
		b.WriteString(`</r><m id="a" xmlns:z="urn:z"><z:v>x</z:v></m></s:Body></s:Envelope>`)
		w, err := inline(b.Bytes())
		if refs == 10 && err != nil {
			t.Fatal(err)
		}
		if w.looked > w.b.Len()/8 {
			t.Errorf("%d references: looked up %d bindings for %d bytes written", refs, w.looked, w.b.Len())
		}
	}
}
