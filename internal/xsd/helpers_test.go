package xsd

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
)

const tns = "urn:t"

// schemaXML wraps schema components in an xsd:schema element of target namespace
// urn:t (prefix tns), with extra attributes on the schema element. The
// components start on line 5.
func schemaXML(attrs, body string) string {
	return `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t"
    xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    targetNamespace="urn:t" ` + attrs + `>
` + body + `
</xs:schema>`
}

// compileFiles compiles the schema main.xsd of files (an in-memory bundle).
func compileFiles(files map[string]string, strict bool) (*Schema, error) {
	m := make(map[string][]byte, len(files))
	for n, b := range files {
		m[n] = []byte(b)
	}
	l, entry, err := fetch.OpenFiles(m, "main.xsd", fetch.Options{})
	if err != nil {
		return nil, err
	}
	d, err := l.Load(context.Background(), entry)
	if err != nil {
		return nil, err
	}
	c := NewCompiler(l)
	c.Strict = strict
	if err := c.AddSchema(context.Background(), d.Root); err != nil {
		return nil, err
	}
	return c.Compile()
}

// mustCompile compiles one schema document in strict mode.
func mustCompile(t *testing.T, body string) *Schema {
	t.Helper()
	s, err := compileFiles(map[string]string{"main.xsd": schemaXML(`elementFormDefault="qualified"`, body)}, true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func typeNamed(t *testing.T, s *Schema, local string) (TypeID, *Type) {
	t.Helper()
	id, ok := s.TypeByName(QName{tns, local})
	if !ok {
		t.Fatalf("type %s not found", local)
	}
	return id, s.Type(id)
}

func elemNamed(t *testing.T, s *Schema, local string) (ElemID, *Element) {
	t.Helper()
	id, ok := s.ElementByName(QName{tns, local})
	if !ok {
		t.Fatalf("element %s not found", local)
	}
	return id, s.Element(id)
}

// elemType is the type of global element local.
func elemType(t *testing.T, s *Schema, local string) *Type {
	t.Helper()
	_, e := elemNamed(t, s, local)
	return s.Type(e.Type)
}

// model renders a content model compactly: seq(a:int, b:string[0..*]),
// choice(...), all(...), any(##other lax); an element shows its local name
// and its type's local name ("_" for anonymous), and occurrences other than
// 1..1 follow in brackets.
func model(s *Schema, p *Particle) string {
	if p == nil {
		return "<nil>"
	}
	var b strings.Builder
	switch p.Kind {
	case PElement:
		e := s.Element(p.Element)
		tn := s.Type(e.Type).Name.Local
		if tn == "" {
			tn = "_"
		}
		b.WriteString(e.Name.Local + ":" + tn)
	case PAny:
		fmt.Fprintf(&b, "any(%s %s)", p.Any.Namespace, p.Any.Process)
	default:
		b.WriteString(map[ParticleKind]string{PSequence: "seq", PChoice: "choice", PAll: "all"}[p.Kind] + "(")
		for i := range p.Children {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(model(s, &p.Children[i]))
		}
		b.WriteString(")")
	}
	if p.Min != 1 || p.Max != 1 {
		max := fmt.Sprint(p.Max)
		if p.Max == Unbounded {
			max = "*"
		}
		fmt.Fprintf(&b, "[%d..%s]", p.Min, max)
	}
	return b.String()
}

// attrList renders attribute uses: name:type, with ! for required and
// =value / ==value for a default / fixed value; a qualified name shows its
// namespace in braces.
func attrList(s *Schema, uses []AttrUse) string {
	var out []string
	for _, a := range uses {
		str := a.Name.String() + ":" + s.Type(a.Type).Name.Local
		if a.Required {
			str += "!"
		}
		switch a.Constraint.Kind {
		case DefaultValue:
			str += "=" + a.Constraint.Value
		case FixedValue:
			str += "==" + a.Constraint.Value
		}
		out = append(out, str)
	}
	return strings.Join(out, " ")
}

// collapse is strings.Join(strings.Fields(s), " ").
func TestCollapse(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a", "a ", "a b", "a  b", "a\tb", "a\nb\r\n c ", "\u00a0a\u2003b\u0085", "é ü", "x\x01y", "a\vb\fc",
		"The  quick\n\t brown fox.", "already collapsed text"} {
		if got, want := collapse(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	}
}
