package xsd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are small schemas covering the features the compiler knows.
var fuzzSeeds = []string{
	`<xs:complexType name="T"><xs:sequence><xs:element name="a" type="xs:int" maxOccurs="unbounded"/><xs:choice><xs:element name="b" type="tns:T"/><xs:any namespace="##other"/></xs:choice></xs:sequence><xs:attribute name="x" type="xs:string" use="required"/></xs:complexType>`,
	`<xs:simpleType name="S"><xs:restriction base="xs:string"><xs:enumeration value="a"/><xs:pattern value="[a-z]"/><xs:maxLength value="3"/></xs:restriction></xs:simpleType><xs:simpleType name="L"><xs:list itemType="tns:S"/></xs:simpleType><xs:simpleType name="U"><xs:union memberTypes="tns:S xs:int"/></xs:simpleType>`,
	`<xs:complexType name="B"><xs:sequence><xs:element name="id" type="xs:int"/></xs:sequence></xs:complexType><xs:complexType name="E"><xs:complexContent><xs:extension base="tns:B"><xs:sequence><xs:element name="n" type="xs:string"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType><xs:complexType name="R"><xs:complexContent><xs:restriction base="tns:B"><xs:sequence><xs:element name="id" type="xs:short"/></xs:sequence></xs:restriction></xs:complexContent></xs:complexType>`,
	`<xs:complexType name="P"><xs:simpleContent><xs:extension base="xs:decimal"><xs:attribute name="c" type="xs:string"/></xs:extension></xs:simpleContent></xs:complexType><xs:complexType name="Q"><xs:simpleContent><xs:restriction base="tns:P"><xs:totalDigits value="4"/></xs:restriction></xs:simpleContent></xs:complexType>`,
	`<xs:group name="G"><xs:sequence><xs:element name="g" type="xs:int"/></xs:sequence></xs:group><xs:attributeGroup name="AG"><xs:attribute name="a"/><xs:anyAttribute/></xs:attributeGroup><xs:complexType name="T"><xs:group ref="tns:G"/><xs:attributeGroup ref="tns:AG"/></xs:complexType>`,
	`<xs:element name="head" type="xs:anyType" abstract="true"/><xs:element name="m" type="xs:int" substitutionGroup="tns:head" nillable="true" default="1"/><xs:element name="n" substitutionGroup="tns:m" fixed="2"/>`,
	`<xs:complexType name="A"><xs:complexContent><xs:restriction base="soapenc:Array"><xs:attribute ref="soapenc:arrayType" wsdl:arrayType="xs:int[][,]"/></xs:restriction></xs:complexContent></xs:complexType>`,
	`<xs:include schemaLocation="b.xsd"/><xs:element name="e" type="tns:FromB"/>`,
	`<xs:import namespace="urn:b" schemaLocation="b.xsd"/><xs:element name="e" type="b:FromB" xmlns:b="urn:b"/>`,
	`<xs:redefine schemaLocation="b.xsd"><xs:complexType name="FromB"><xs:complexContent><xs:extension base="tns:FromB"/></xs:complexContent></xs:complexType></xs:redefine>`,
	`<xs:complexType name="A"><xs:complexContent><xs:extension base="tns:A"/></xs:complexContent></xs:complexType><xs:group name="G"><xs:sequence><xs:group ref="tns:G"/></xs:sequence></xs:group>`,
	`<xs:element name="e" type="nope:X"/><xs:element ref="tns:missing"/><xs:simpleType name="S"><xs:list/></xs:simpleType>`,
}

const fuzzB = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t"><xs:include schemaLocation="main.xsd"/><xs:complexType name="FromB"><xs:sequence><xs:element name="x" type="xs:string"/></xs:sequence></xs:complexType></xs:schema>`

// FuzzCompile compiles arbitrary schema documents (main.xsd, which may
// import, include or redefine b.xsd): compiling must end, without a panic,
// in an error or a schema whose references are all in range.
func FuzzCompile(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(schemaXML(`elementFormDefault="qualified"`, s)), []byte(fuzzB))
	}
	// A few small schemas of the shared corpus, when it is there.
	matches, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "*", "*.xsd"))
	n := 0
	for _, m := range matches {
		if b, err := os.ReadFile(m); err == nil && len(b) < 4<<10 && n < 8 {
			f.Add(b, []byte(fuzzB))
			n++
		}
	}
	f.Fuzz(func(t *testing.T, main, b []byte) {
		for _, strict := range []bool{false, true} {
			s, err := compileFiles(map[string]string{"main.xsd": string(main), "b.xsd": string(b)}, strict)
			if err != nil {
				if !strings.Contains(err.Error(), ".xsd") && !strings.Contains(err.Error(), "line ") {
					t.Errorf("error names no document: %v", err)
				}
				continue
			}
			checkRefs(t, s)
		}
	})
}

// checkRefs checks that every TypeID and ElemID in s is in range.
func checkRefs(t *testing.T, s *Schema) {
	t.Helper()
	nt, ne := TypeID(len(s.Types)), ElemID(len(s.Elements))
	okT := func(id TypeID) bool { return id == NoType || id >= 0 && id < nt }
	var okP func(p *Particle) bool
	okP = func(p *Particle) bool {
		if p == nil {
			return true
		}
		if p.Kind == PElement && (p.Element < 0 || p.Element >= ne) {
			return false
		}
		if p.Kind == PAny && p.Any == nil {
			return false
		}
		for i := range p.Children {
			if !okP(&p.Children[i]) {
				return false
			}
		}
		return true
	}
	for i := range s.Types {
		typ := &s.Types[i]
		ok := okT(typ.Base) && okT(typ.Item) && okT(typ.Value) && okT(typ.ArrayItem) && okP(typ.Particle)
		for _, m := range typ.Members {
			ok = ok && okT(m) && m != NoType
		}
		for _, d := range typ.Derived {
			ok = ok && okT(d) && d != NoType
		}
		for _, a := range typ.Attrs {
			ok = ok && okT(a.Type) && a.Type != NoType
		}
		if !ok {
			t.Fatalf("type %d (%s) has a reference out of range: %+v", i, typ.Name, typ)
		}
	}
	for i := range s.Elements {
		e := &s.Elements[i]
		ok := e.Type >= 0 && e.Type < nt && (e.SubstitutionGroup == NoElem || e.SubstitutionGroup >= 0 && e.SubstitutionGroup < ne)
		for _, m := range e.Substitutes {
			ok = ok && m >= 0 && m < ne
		}
		if !ok {
			t.Fatalf("element %d (%s) has a reference out of range: %+v", i, e.Name, e)
		}
	}
}
