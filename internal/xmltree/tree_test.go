package xmltree

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	doc, err := Parse([]byte(`<?xml version="1.0"?>
<r:root xmlns:r="urn:r" xmlns="urn:d" a="1" r:b="2">
  <child x="&lt;y&gt;">text &amp; more</child>
  <!-- comment -->
  <inner xmlns="urn:inner" xmlns:p="urn:p">
    <p:leaf><![CDATA[<raw>]]></p:leaf>
    <mixed>a<b/>c</mixed>
  </inner>
  <empty/>
</r:root>`), "t.xml", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	r := doc.Root
	if r.Name != (Name{"urn:r", "root"}) || r.Line != 2 || r.Doc != doc {
		t.Fatalf("root %v line %d", r.Name, r.Line)
	}
	if v, ok := r.Attr("a"); !ok || v != "1" {
		t.Errorf("a = %q, %v", v, ok)
	}
	if _, ok := r.Attr("b"); ok {
		t.Error("Attr finds a namespaced attribute")
	}
	if v, ok := r.AttrNS("urn:r", "b"); !ok || v != "2" {
		t.Errorf("r:b = %q, %v", v, ok)
	}
	for _, a := range r.Attrs {
		if strings.HasPrefix(a.Name.Local, "xmlns") || a.Name.Space == "http://www.w3.org/2000/xmlns/" {
			t.Errorf("namespace declaration %v kept as an attribute", a.Name)
		}
	}
	var names []string
	for _, c := range r.Children {
		names = append(names, c.Name.String())
	}
	if got := strings.Join(names, " "); got != "{urn:d}child {urn:inner}inner {urn:d}empty" {
		t.Errorf("children %s", got)
	}
	child, inner := r.Children[0], r.Children[1]
	if child.Text != "text & more" || child.AttrValue("x") != "<y>" || child.Line != 3 {
		t.Errorf("child: text %q x %q line %d", child.Text, child.AttrValue("x"), child.Line)
	}
	leaf, mixed := inner.Children[0], inner.Children[1]
	if leaf.Name != (Name{"urn:p", "leaf"}) || leaf.Text != "<raw>" || leaf.Line != 6 {
		t.Errorf("leaf %v %q line %d", leaf.Name, leaf.Text, leaf.Line)
	}
	if mixed.Text != "" || len(mixed.Children) != 1 {
		t.Errorf("an element with children keeps no text: %q", mixed.Text)
	}
	if inner.Text != "" {
		t.Errorf("whitespace between elements kept: %q", inner.Text)
	}
	if len(doc.Warnings) != 0 {
		t.Errorf("warnings %q", doc.Warnings)
	}
	// Scopes.
	for _, tc := range []struct {
		el     *Element
		prefix string
		want   string
		ok     bool
	}{
		{leaf, "p", "urn:p", true},
		{leaf, "r", "urn:r", true},
		{leaf, "", "urn:inner", true},
		{child, "", "urn:d", true},
		{child, "p", "", false},
		{child, "xml", NSXML, true},
	} {
		if got, ok := tc.el.Scope.Lookup(tc.prefix); got != tc.want || ok != tc.ok {
			t.Errorf("%s: Lookup(%q) = %q, %v", tc.el.Name.Local, tc.prefix, got, ok)
		}
	}
	b := leaf.Scope.Bindings()
	if b["p"] != "urn:p" || b[""] != "urn:inner" || b["r"] != "urn:r" {
		t.Errorf("Bindings %v", b)
	}
	if child.Scope != r.Scope {
		t.Error("an element that declares nothing does not share its parent's scope")
	}
}

func TestResolveQName(t *testing.T) {
	doc, err := Parse([]byte(`<a xmlns:t="urn:t" xmlns="urn:d"><b xmlns=""/></a>`), "q.xml", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	a, b := doc.Root, doc.Root.Children[0]
	tests := []struct {
		el      *Element
		v       string
		want    Name
		wantErr string
	}{
		{a, "t:Order", Name{"urn:t", "Order"}, ""},
		{a, " t:Order ", Name{"urn:t", "Order"}, ""},
		{a, "Order", Name{"urn:d", "Order"}, ""},
		{b, "Order", Name{"", "Order"}, ""},
		{a, "x:Order", Name{"", "Order"}, `prefix "x" of "x:Order" is not declared`},
		{a, "t:", Name{}, "malformed QName"},
		{a, "", Name{}, "malformed QName"},
		{a, "t:a:b", Name{}, "malformed QName"},
	}
	for _, tc := range tests {
		got, err := tc.el.ResolveQName(tc.v)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ResolveQName(%q) = %v, %v; want error %q", tc.v, got, err, tc.wantErr)
			}
			var up *UndeclaredPrefixError
			if errors.As(err, &up) && got != tc.want {
				t.Errorf("ResolveQName(%q) = %v with an undeclared prefix; want the local part %v", tc.v, got, tc.want)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ResolveQName(%q) = %v, %v; want %v", tc.v, got, err, tc.want)
		}
	}
}

func TestUndeclaredPrefixes(t *testing.T) {
	doc, err := Parse([]byte("<wsdl:definitions>\n<foo:x xs:y=\"1\"/>\n<foo:z/></wsdl:definitions>"), "u.wsdl", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	r := doc.Root
	if r.Name != (Name{"http://schemas.xmlsoap.org/wsdl/", "definitions"}) {
		t.Errorf("well-known prefix: %v", r.Name)
	}
	x := r.Children[0]
	if x.Name != (Name{"urn:soapbridge:undeclared-prefix:foo", "x"}) || x.Attrs[0].Name.Space != "http://www.w3.org/2001/XMLSchema" {
		t.Errorf("x %v attrs %v", x.Name, x.Attrs)
	}
	want := []string{
		`u.wsdl:1: namespace prefix "wsdl" is not declared; read as http://schemas.xmlsoap.org/wsdl/`,
		`u.wsdl:2: namespace prefix "foo" is not declared; read as urn:soapbridge:undeclared-prefix:foo`,
		`u.wsdl:2: namespace prefix "xs" is not declared; read as http://www.w3.org/2001/XMLSchema`,
	}
	if strings.Join(doc.Warnings, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings\n got %q\nwant %q", doc.Warnings, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"mismatch", "<a>\n<b>\n</a>", "bad.xml: line 3:"},
		{"unclosed", "<a>\n<b>", "bad.xml: line 2:"},
		{"too deep", strings.Repeat("<a>", MaxDepth+1) + strings.Repeat("</a>", MaxDepth+1), "bad.xml: line 1: elements nested deeper than 256"},
		{"entity declaration", "<?xml version='1.0'?>\n<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>", "bad.xml: line 2: DTD entity declarations are not allowed"},
		{"empty", "", "bad.xml: line 1: no root element"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), "bad.xml", 1<<20)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	// Exactly MaxDepth levels parse.
	if _, err := Parse([]byte(strings.Repeat("<a>", MaxDepth)+strings.Repeat("</a>", MaxDepth)), "ok.xml", 1<<20); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
}

// TestHostileMemory: 100 MB of nesting, or of one attribute-laden tag, is
// refused at once without allocating in proportion to it.
func TestHostileMemory(t *testing.T) {
	const size = 100 << 20
	deep := []byte(strings.Repeat("<a>", size/3))
	tag := []byte("<a" + strings.Repeat(" b='c'", size/6))
	text := []byte("<a>" + strings.Repeat("x", size) + "</a>")
	for _, tc := range []struct {
		name string
		doc  []byte
		want string
	}{
		{"deep", deep, "nested deeper than"},
		{"one huge tag", tag, "bad.xml: line 1:"},
		{"one huge text", text, "bad.xml: line 1: a text run is larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Parse(tc.doc, "bad.xml", 1<<20)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
				t.Errorf("allocated %d MiB", n>>20)
			}
		})
	}
}

func TestPositionAndDisplayName(t *testing.T) {
	for _, tc := range []struct{ uri, want string }{
		{"file:///srv/w/a.wsdl", "/srv/w/a.wsdl"},
		{"bundle:///x/a.wsdl", "x/a.wsdl"},
		{"http://h/a?wsdl", "http://h/a?wsdl"},
	} {
		if got := DisplayName(tc.uri); got != tc.want {
			t.Errorf("DisplayName(%q) = %q, want %q", tc.uri, got, tc.want)
		}
	}
	doc, err := Parse([]byte("<a>\n\n<b/></a>"), "x", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	doc.URI = "bundle:///d/s.wsdl"
	b := doc.Root.Children[0]
	if got := b.Position(); got != "d/s.wsdl:3" {
		t.Errorf("Position without a name: %q", got)
	}
	doc.Name = "s.wsdl"
	if got := b.Position(); got != "s.wsdl:3" {
		t.Errorf("Position: %q", got)
	}
	if got := (&Element{Line: 4}).Position(); got != "line 4" {
		t.Errorf("Position without a document: %q", got)
	}
}

// FuzzParse parses arbitrary bytes: errors name the document, and a tree
// that parses is whole (every element has its document and a scope in
// which its own prefix, if any, resolves).
func FuzzParse(f *testing.F) {
	f.Add([]byte(`<r:root xmlns:r="urn:r" a="1"><c r:b="&lt;">t</c><p:u/></r:root>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a xmlns="urn:a"><b xmlns=""><![CDATA[x]]></b></a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data, "f.xml", 1<<20)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.xml") {
				t.Fatalf("error does not name the document: %v", err)
			}
			return
		}
		var walk func(e *Element, depth int)
		walk = func(e *Element, depth int) {
			if e.Doc != doc || depth > MaxDepth {
				t.Fatalf("element %v: doc %p, depth %d", e.Name, e.Doc, depth)
			}
			for _, c := range e.Children {
				walk(c, depth+1)
			}
		}
		walk(doc.Root, 1)
	})
}

// TestMaxNodes: Parse builds at most maxNodes elements, attributes and
// namespace declarations, and says where it stopped.
func TestMaxNodes(t *testing.T) {
	data := []byte("<r xmlns:p=\"urn:p\">\n<a b=\"1\"/>\n<a b=\"1\" c=\"2\"/></r>")
	doc, err := Parse(data, "n.xml", 7)
	if err != nil || doc.Nodes != 7 {
		t.Fatalf("7 nodes: %v, %v", doc, err)
	}
	_, err = Parse(data, "n.xml", 6)
	if !errors.Is(err, ErrTooManyNodes) || !strings.Contains(err.Error(), "n.xml: line 3: more than 6 elements and attributes") {
		t.Errorf("6: %v", err)
	}
}
