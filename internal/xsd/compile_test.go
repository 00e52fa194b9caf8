package xsd

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestModelGroups: sequence, choice and all, nested, become the type's
// content model as written.
func TestModelGroups(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="T">
  <xs:sequence>
    <xs:element name="a" type="xs:int"/>
    <xs:choice>
      <xs:element name="b" type="xs:string"/>
      <xs:sequence>
        <xs:element name="c" type="xs:string"/>
        <xs:element name="d" type="xs:string"/>
      </xs:sequence>
    </xs:choice>
  </xs:sequence>
</xs:complexType>
<xs:complexType name="A">
  <xs:all><xs:element name="x" type="xs:int"/><xs:element name="y" type="xs:int" minOccurs="0"/></xs:all>
</xs:complexType>
<xs:complexType name="Empty"><xs:sequence/></xs:complexType>
<xs:complexType name="NoContent"/>`)
	tests := []struct {
		typ, model string
		content    Content
	}{
		{"T", "seq(a:int, choice(b:string, seq(c:string, d:string)))", ContentElements},
		{"A", "all(x:int, y:int[0..1])", ContentElements},
		{"Empty", "seq()", ContentEmpty},
		{"NoContent", "<nil>", ContentEmpty},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			_, typ := typeNamed(t, s, tc.typ)
			if got := model(s, typ.Particle); got != tc.model {
				t.Errorf("model %s, want %s", got, tc.model)
			}
			if typ.Content != tc.content || typ.Simple {
				t.Errorf("content %v simple %v, want %v", typ.Content, typ.Simple, tc.content)
			}
		})
	}
}

func TestOccurs(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="T">
  <xs:sequence minOccurs="0" maxOccurs="unbounded">
    <xs:element name="one" type="xs:int"/>
    <xs:element name="opt" type="xs:int" minOccurs="0"/>
    <xs:element name="many" type="xs:int" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element name="some" type="xs:int" minOccurs="2" maxOccurs="5"/>
    <xs:element name="none" type="xs:int" minOccurs="0" maxOccurs="0"/>
    <xs:choice minOccurs="1" maxOccurs=" unbounded ">
      <xs:element name="c" type="xs:int"/>
    </xs:choice>
  </xs:sequence>
</xs:complexType>`)
	_, typ := typeNamed(t, s, "T")
	want := "seq(one:int, opt:int[0..1], many:int[0..*], some:int[2..5], none:int[0..0], choice(c:int)[1..*])[0..*]"
	if got := model(s, typ.Particle); got != want {
		t.Errorf("model\n got %s\nwant %s", got, want)
	}
	if !typ.Particle.Repeated() || typ.Particle.Children[0].Repeated() || !typ.Particle.Children[3].Repeated() {
		t.Error("Repeated is wrong")
	}

	bad := []struct{ name, attrs, want string }{
		{"negative min", `minOccurs="-1"`, `main.xsd:7: minOccurs "-1" is not a non-negative integer`},
		{"word max", `maxOccurs="many"`, `main.xsd:7: maxOccurs "many" is neither`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compileFiles(map[string]string{"main.xsd": schemaXML("", `<xs:complexType name="T">
  <xs:sequence>
    <xs:element name="e" type="xs:int" `+tc.attrs+`/>
  </xs:sequence>
</xs:complexType>`)}, false)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	// max < min is tolerated with a warning.
	s2, err := compileFiles(map[string]string{"main.xsd": schemaXML("", `<xs:element name="E"><xs:complexType><xs:sequence>
  <xs:element name="e" type="xs:int" minOccurs="3" maxOccurs="2"/>
</xs:sequence></xs:complexType></xs:element>`)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := model(s2, elemType(t, s2, "E").Particle); got != "seq(e:int[3..3])" {
		t.Errorf("model %s", got)
	}
	if len(s2.Warnings) != 1 || !strings.Contains(s2.Warnings[0], "main.xsd:6: maxOccurs 2 is less than minOccurs 3") {
		t.Errorf("warnings %q", s2.Warnings)
	}
	// Bounds past MaxOccurs: maxOccurs is unbounded, minOccurs MaxOccurs,
	// each with a warning (a malicious schema must not make the codec
	// count to 9e18).
	s3, err := compileFiles(map[string]string{"main.xsd": schemaXML("", `<xs:element name="E"><xs:complexType><xs:sequence>
  <xs:element name="a" type="xs:int" maxOccurs="9000000000000000000"/>
  <xs:element name="b" type="xs:int" minOccurs="9000000000000000000" maxOccurs="unbounded"/>
</xs:sequence></xs:complexType></xs:element>`)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := model(s3, elemType(t, s3, "E").Particle); got != "seq(a:int[1..*], b:int[1048576..*])" {
		t.Errorf("model %s", got)
	}
	if len(s3.Warnings) != 2 {
		t.Errorf("warnings %q", s3.Warnings)
	}
}

func TestMulOccurs(t *testing.T) {
	for _, c := range []struct{ a, b, want int }{
		{2, 3, 6}, {0, Unbounded, Unbounded}, {Unbounded, 1, Unbounded}, {0, 5, 0},
		{MaxOccurs, MaxOccurs, 1 << 40}, {MaxOccurs, MaxOccurs + 1, Unbounded}, {1 << 40, 2, Unbounded},
	} {
		if got := MulOccurs(c.a, c.b); got != c.want {
			t.Errorf("MulOccurs(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestFacets(t *testing.T) {
	s := mustCompile(t, `
<xs:simpleType name="Color">
  <xs:restriction base="xs:string">
    <xs:enumeration value="red"/><xs:enumeration value="green"/><xs:enumeration value="blue"/>
  </xs:restriction>
</xs:simpleType>
<xs:simpleType name="Warm">
  <xs:restriction base="tns:Color"><xs:enumeration value="red"/></xs:restriction>
</xs:simpleType>
<xs:simpleType name="ColorCode">
  <xs:restriction base="tns:Color"><xs:pattern value="[a-z]+"/><xs:maxLength value="5"/></xs:restriction>
</xs:simpleType>
<xs:simpleType name="Code">
  <xs:restriction base="xs:token"><xs:pattern value="[A-Z]{3}"/><xs:pattern value="[0-9]{3}"/><xs:length value="3"/></xs:restriction>
</xs:simpleType>
<xs:simpleType name="Code2">
  <xs:restriction base="tns:Code"><xs:pattern value="A.*"/></xs:restriction>
</xs:simpleType>
<xs:simpleType name="Name">
  <xs:restriction base="xs:string"><xs:minLength value="1"/><xs:maxLength value=" 40 "/><xs:whiteSpace value="collapse"/></xs:restriction>
</xs:simpleType>
<xs:simpleType name="Percent">
  <xs:restriction base="xs:int"><xs:minInclusive value="0"/><xs:maxInclusive value="100"/></xs:restriction>
</xs:simpleType>
<xs:simpleType name="Open">
  <xs:restriction base="tns:Percent"><xs:minExclusive value="0"/><xs:maxExclusive value="100"/></xs:restriction>
</xs:simpleType>
<xs:simpleType name="Money">
  <xs:restriction base="xs:decimal"><xs:totalDigits value="10"/><xs:fractionDigits value="2"/></xs:restriction>
</xs:simpleType>
<xs:simpleType name="SmallMoney">
  <xs:restriction base="tns:Money"><xs:totalDigits value="5"/></xs:restriction>
</xs:simpleType>`)
	set := func(n int) Limit { return Limit{N: n, Set: true} }
	tests := []struct {
		typ     string
		builtin Builtin
		base    string
		want    Facets
	}{
		{"Color", String, "string", Facets{Enumeration: []string{"red", "green", "blue"}, WhiteSpace: "preserve"}},
		{"Warm", String, "Color", Facets{Enumeration: []string{"red"}, WhiteSpace: "preserve"}},
		{"ColorCode", String, "Color", Facets{Enumeration: []string{"red", "green", "blue"}, Patterns: []string{"[a-z]+"}, MaxLength: set(5), WhiteSpace: "preserve"}},
		{"Code", Token, "token", Facets{Patterns: []string{"[A-Z]{3}|[0-9]{3}"}, Length: set(3), WhiteSpace: "collapse"}},
		{"Code2", Token, "Code", Facets{Patterns: []string{"[A-Z]{3}|[0-9]{3}", "A.*"}, Length: set(3), WhiteSpace: "collapse"}},
		{"Name", String, "string", Facets{MinLength: set(1), MaxLength: set(40), WhiteSpace: "collapse"}},
		{"Percent", Int, "int", Facets{MinInclusive: "0", MaxInclusive: "100", WhiteSpace: "collapse"}},
		{"Open", Int, "Percent", Facets{MinExclusive: "0", MaxExclusive: "100", WhiteSpace: "collapse"}},
		{"Money", Decimal, "decimal", Facets{TotalDigits: set(10), FractionDigits: set(2), WhiteSpace: "collapse"}},
		{"SmallMoney", Decimal, "Money", Facets{TotalDigits: set(5), FractionDigits: set(2), WhiteSpace: "collapse"}},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			_, typ := typeNamed(t, s, tc.typ)
			if !typ.Simple || typ.Builtin != tc.builtin || typ.Derivation != Restriction || typ.Variety != Atomic {
				t.Errorf("simple %v builtin %v derivation %v variety %v", typ.Simple, typ.Builtin, typ.Derivation, typ.Variety)
			}
			if got := s.Type(typ.Base).Name.Local; got != tc.base {
				t.Errorf("base %s, want %s", got, tc.base)
			}
			if !reflect.DeepEqual(typ.Facets, tc.want) {
				t.Errorf("facets\n got %+v\nwant %+v", typ.Facets, tc.want)
			}
		})
	}

	_, err := compileFiles(map[string]string{"main.xsd": schemaXML("", `<xs:simpleType name="S">
  <xs:restriction base="xs:string">
    <xs:maxLength value="ten"/>
  </xs:restriction>
</xs:simpleType>`)}, false)
	if err == nil || !strings.Contains(err.Error(), `main.xsd:7: maxLength value "ten" is not a non-negative integer`) {
		t.Errorf("bad facet value: got %v", err)
	}
}

func TestListAndUnion(t *testing.T) {
	s := mustCompile(t, `
<xs:simpleType name="Ints"><xs:list itemType="xs:int"/></xs:simpleType>
<xs:simpleType name="Small"><xs:restriction base="xs:int"><xs:maxInclusive value="9"/></xs:restriction></xs:simpleType>
<xs:simpleType name="Smalls"><xs:list><xs:simpleType><xs:restriction base="tns:Small"/></xs:simpleType></xs:list></xs:simpleType>
<xs:simpleType name="ShortInts"><xs:restriction base="tns:Ints"><xs:maxLength value="3"/></xs:restriction></xs:simpleType>
<xs:simpleType name="IntOrDate"><xs:union memberTypes="xs:int xs:date"/></xs:simpleType>
<xs:simpleType name="IntOrSmall">
  <xs:union memberTypes="xs:int">
    <xs:simpleType><xs:restriction base="tns:Small"/></xs:simpleType>
  </xs:union>
</xs:simpleType>`)
	_, ints := typeNamed(t, s, "Ints")
	if ints.Variety != List || ints.Derivation != DerivList || ints.Item != TypeID(Int) || ints.Builtin != Int {
		t.Errorf("Ints: %+v", ints)
	}
	_, smalls := typeNamed(t, s, "Smalls")
	if smalls.Variety != List || s.Type(smalls.Item).Name.Local != "" || s.Type(s.Type(smalls.Item).Base).Name.Local != "Small" {
		t.Errorf("Smalls: item %+v", s.Type(smalls.Item))
	}
	_, short := typeNamed(t, s, "ShortInts")
	if short.Variety != List || short.Item != TypeID(Int) || short.Facets.MaxLength != (Limit{3, true}) {
		t.Errorf("ShortInts: %+v", short)
	}
	_, iod := typeNamed(t, s, "IntOrDate")
	if iod.Variety != Union || iod.Derivation != DerivUnion || !slices.Equal(iod.Members, []TypeID{TypeID(Int), TypeID(Date)}) || iod.Builtin != AnySimpleType {
		t.Errorf("IntOrDate: %+v", iod)
	}
	_, ios := typeNamed(t, s, "IntOrSmall")
	if ios.Variety != Union || len(ios.Members) != 2 || ios.Members[0] != TypeID(Int) || ios.Builtin != Int {
		t.Errorf("IntOrSmall: %+v", ios)
	}
	// Built-in list types.
	if nm := s.Type(TypeID(NMTokens)); nm.Variety != List || nm.Item != TypeID(NMToken) {
		t.Errorf("NMTOKENS: %+v", nm)
	}
}

func TestComplexContent(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="Base">
  <xs:sequence><xs:element name="id" type="xs:int"/></xs:sequence>
  <xs:attribute name="version" type="xs:int"/>
  <xs:attribute name="lang" type="xs:language"/>
</xs:complexType>
<xs:complexType name="Ext">
  <xs:complexContent>
    <xs:extension base="tns:Base">
      <xs:sequence><xs:element name="name" type="xs:string"/></xs:sequence>
      <xs:attribute name="flag" type="xs:boolean"/>
    </xs:extension>
  </xs:complexContent>
</xs:complexType>
<xs:complexType name="Ext2">
  <xs:complexContent>
    <xs:extension base="tns:Ext">
      <xs:choice><xs:element name="x" type="xs:int"/><xs:element name="y" type="xs:int"/></xs:choice>
    </xs:extension>
  </xs:complexContent>
</xs:complexType>
<xs:complexType name="AttrOnly">
  <xs:complexContent>
    <xs:extension base="tns:Base"><xs:attribute name="extra" type="xs:string"/></xs:extension>
  </xs:complexContent>
</xs:complexType>
<xs:complexType name="Restr">
  <xs:complexContent>
    <xs:restriction base="tns:Base">
      <xs:sequence><xs:element name="id" type="xs:short"/></xs:sequence>
      <xs:attribute name="version" type="xs:int" use="required"/>
      <xs:attribute name="lang" use="prohibited"/>
    </xs:restriction>
  </xs:complexContent>
</xs:complexType>
<xs:complexType name="FromAny">
  <xs:complexContent>
    <xs:restriction base="xs:anyType">
      <xs:sequence><xs:element name="z" type="xs:int"/></xs:sequence>
    </xs:restriction>
  </xs:complexContent>
</xs:complexType>
<xs:complexType name="Mixed" mixed="true">
  <xs:complexContent>
    <xs:extension base="tns:Base"/>
  </xs:complexContent>
</xs:complexType>`)
	baseID, base := typeNamed(t, s, "Base")
	tests := []struct {
		typ, base, model, attrs string
		deriv                   Derivation
		content                 Content
	}{
		{"Ext", "Base", "seq(seq(id:int), seq(name:string))", "version:int lang:language flag:boolean", Extension, ContentElements},
		{"Ext2", "Ext", "seq(seq(seq(id:int), seq(name:string)), choice(x:int, y:int))", "version:int lang:language flag:boolean", Extension, ContentElements},
		{"AttrOnly", "Base", "seq(id:int)", "version:int lang:language extra:string", Extension, ContentElements},
		{"Restr", "Base", "seq(id:short)", "version:int!", Restriction, ContentElements},
		{"FromAny", "anyType", "seq(z:int)", "", Restriction, ContentElements},
		{"Mixed", "Base", "seq(id:int)", "version:int lang:language", Extension, ContentMixed},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			_, typ := typeNamed(t, s, tc.typ)
			if got := s.Type(typ.Base).Name.Local; got != tc.base {
				t.Errorf("base %s, want %s", got, tc.base)
			}
			if got := model(s, typ.Particle); got != tc.model {
				t.Errorf("model\n got %s\nwant %s", got, tc.model)
			}
			if got := attrList(s, typ.Attrs); got != tc.attrs {
				t.Errorf("attributes %q, want %q", got, tc.attrs)
			}
			if typ.Derivation != tc.deriv || typ.Content != tc.content {
				t.Errorf("derivation %v content %v", typ.Derivation, typ.Content)
			}
		})
	}
	// Derived lists every type derived from Base, directly or not.
	var derived []string
	for _, id := range base.Derived {
		derived = append(derived, s.Type(id).Name.Local)
	}
	slices.Sort(derived)
	if want := []string{"AttrOnly", "Ext", "Ext2", "Mixed", "Restr"}; !slices.Equal(derived, want) {
		t.Errorf("Base.Derived = %v, want %v", derived, want)
	}
	ext2, _ := typeNamed(t, s, "Ext2")
	if !s.IsDerivedFrom(ext2, baseID) || s.IsDerivedFrom(baseID, ext2) {
		t.Error("IsDerivedFrom")
	}
}

func TestSimpleContent(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="Price">
  <xs:simpleContent>
    <xs:extension base="xs:decimal">
      <xs:attribute name="currency" type="xs:string" use="required"/>
    </xs:extension>
  </xs:simpleContent>
</xs:complexType>
<xs:complexType name="Euro">
  <xs:simpleContent>
    <xs:restriction base="tns:Price">
      <xs:fractionDigits value="2"/>
      <xs:attribute name="currency" type="xs:string" fixed="EUR"/>
    </xs:restriction>
  </xs:simpleContent>
</xs:complexType>
<xs:complexType name="Tagged">
  <xs:simpleContent>
    <xs:extension base="tns:Price"><xs:attribute name="tag" type="xs:string"/></xs:extension>
  </xs:simpleContent>
</xs:complexType>
<xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:length value="2"/></xs:restriction></xs:simpleType>
<xs:complexType name="CodeWithLang">
  <xs:simpleContent>
    <xs:extension base="tns:Code"><xs:attribute ref="xml:lang"/></xs:extension>
  </xs:simpleContent>
</xs:complexType>`)
	tests := []struct {
		typ, base, value, attrs string
		builtin                 Builtin
		deriv                   Derivation
		facets                  Facets
	}{
		{"Price", "decimal", "decimal", "currency:string!", Decimal, Extension, Facets{WhiteSpace: "collapse"}},
		{"Euro", "Price", "", "currency:string==EUR", Decimal, Restriction, Facets{FractionDigits: Limit{2, true}, WhiteSpace: "collapse"}},
		{"Tagged", "Price", "decimal", "currency:string! tag:string", Decimal, Extension, Facets{WhiteSpace: "collapse"}},
		{"CodeWithLang", "Code", "Code", "{http://www.w3.org/XML/1998/namespace}lang:string", String, Extension, Facets{Length: Limit{2, true}, WhiteSpace: "preserve"}},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			_, typ := typeNamed(t, s, tc.typ)
			if typ.Simple || typ.Content != ContentSimple || typ.Builtin != tc.builtin || typ.Derivation != tc.deriv {
				t.Errorf("simple %v content %v builtin %v derivation %v", typ.Simple, typ.Content, typ.Builtin, typ.Derivation)
			}
			if got := s.Type(typ.Base).Name.Local; got != tc.base {
				t.Errorf("base %s, want %s", got, tc.base)
			}
			v := s.Type(typ.Value)
			if v.Name.Local != tc.value || !v.Simple {
				t.Errorf("value type %q (simple %v), want %q", v.Name.Local, v.Simple, tc.value)
			}
			if !reflect.DeepEqual(v.Facets, tc.facets) {
				t.Errorf("value facets %+v, want %+v", v.Facets, tc.facets)
			}
			if got := attrList(s, typ.Attrs); got != tc.attrs {
				t.Errorf("attributes %q, want %q", got, tc.attrs)
			}
		})
	}
}

func TestAttributes(t *testing.T) {
	s := mustCompile(t, `
<xs:attribute name="global" type="xs:int" default="7"/>
<xs:attributeGroup name="Common">
  <xs:attribute name="id" type="xs:ID" use="required"/>
  <xs:attributeGroup ref="tns:Inner"/>
</xs:attributeGroup>
<xs:attributeGroup name="Inner">
  <xs:attribute name="lang" type="xs:language" default="en"/>
  <xs:anyAttribute namespace="##other" processContents="lax"/>
</xs:attributeGroup>
<xs:complexType name="T">
  <xs:attribute name="plain"/>
  <xs:attribute name="req" type="xs:string" use="required"/>
  <xs:attribute name="opt" type="xs:string" use="optional"/>
  <xs:attribute name="fixed" type="xs:string" fixed="F"/>
  <xs:attribute name="anon"><xs:simpleType><xs:restriction base="xs:int"/></xs:simpleType></xs:attribute>
  <xs:attribute ref="tns:global"/>
  <xs:attributeGroup ref="tns:Common"/>
</xs:complexType>`)
	_, typ := typeNamed(t, s, "T")
	want := "plain:anySimpleType req:string! opt:string fixed:string==F anon: {urn:t}global:int=7 id:ID! lang:language=en"
	if got := attrList(s, typ.Attrs); got != want {
		t.Errorf("attributes\n got %s\nwant %s", got, want)
	}
	if typ.AnyAttr == nil || *typ.AnyAttr != (Wildcard{"##other", "lax"}) {
		t.Errorf("anyAttribute from the nested group: %+v", typ.AnyAttr)
	}
	if typ.Content != ContentEmpty {
		t.Errorf("content %v", typ.Content)
	}
	if len(s.Attributes) == 0 || attrList(s, s.Attributes[len(s.Attributes)-1:]) != "{urn:t}global:int=7" {
		t.Errorf("global attributes: %s", attrList(s, s.Attributes))
	}
}

func TestGroups(t *testing.T) {
	s := mustCompile(t, `
<xs:group name="Name">
  <xs:sequence>
    <xs:element name="first" type="xs:string"/>
    <xs:element name="last" type="xs:string"/>
  </xs:sequence>
</xs:group>
<xs:group name="Contact">
  <xs:choice>
    <xs:element name="email" type="xs:string"/>
    <xs:group ref="tns:Name"/>
  </xs:choice>
</xs:group>
<xs:complexType name="Person">
  <xs:sequence>
    <xs:group ref="tns:Name"/>
    <xs:group ref="tns:Contact" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>
</xs:complexType>
<xs:complexType name="Direct"><xs:group ref="tns:Name" minOccurs="0"/></xs:complexType>`)
	_, p := typeNamed(t, s, "Person")
	if got, want := model(s, p.Particle), "seq(seq(first:string, last:string), choice(email:string, seq(first:string, last:string))[0..*])"; got != want {
		t.Errorf("Person\n got %s\nwant %s", got, want)
	}
	// Every reference shares the group's element declarations.
	if a, b := p.Particle.Children[0].Children[0].Element, p.Particle.Children[1].Children[1].Children[0].Element; a != b {
		t.Errorf("group elements not shared: %d, %d", a, b)
	}
	_, d := typeNamed(t, s, "Direct")
	if got, want := model(s, d.Particle), "seq(first:string, last:string)[0..1]"; got != want {
		t.Errorf("Direct: %s, want %s", got, want)
	}

	_, err := compileFiles(map[string]string{"main.xsd": schemaXML("", `<xs:group name="G">
  <xs:sequence><xs:group ref="tns:G"/></xs:sequence>
</xs:group>
<xs:complexType name="T"><xs:group ref="tns:G"/></xs:complexType>`)}, false)
	if err == nil || !strings.Contains(err.Error(), `main.xsd:5: group "G" refers to itself`) {
		t.Errorf("circular group: %v", err)
	}
}

func TestWildcards(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="T">
  <xs:sequence>
    <xs:any/>
    <xs:any namespace="##other" processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
    <xs:any namespace="##targetNamespace urn:x" processContents="skip"/>
    <xs:any namespace="##local"/>
  </xs:sequence>
  <xs:anyAttribute namespace="##any" processContents="skip"/>
</xs:complexType>`)
	_, typ := typeNamed(t, s, "T")
	want := "seq(any(##any strict), any(##other lax)[0..*], any(urn:t urn:x skip), any( strict))"
	if got := model(s, typ.Particle); got != want {
		t.Errorf("model\n got %s\nwant %s", got, want)
	}
	if typ.AnyAttr == nil || *typ.AnyAttr != (Wildcard{"##any", "skip"}) {
		t.Errorf("anyAttribute %+v", typ.AnyAttr)
	}
	if typ.Content != ContentElements {
		t.Errorf("content %v", typ.Content)
	}
}

func TestSubstitutionGroups(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="Shape" abstract="true"><xs:sequence/></xs:complexType>
<xs:complexType name="Circle">
  <xs:complexContent><xs:extension base="tns:Shape"><xs:sequence><xs:element name="r" type="xs:double"/></xs:sequence></xs:extension></xs:complexContent>
</xs:complexType>
<xs:element name="shape" type="tns:Shape" abstract="true"/>
<xs:element name="circle" type="tns:Circle" substitutionGroup="tns:shape"/>
<xs:element name="roundThing" abstract="true" substitutionGroup="tns:shape"/>
<xs:element name="ball" type="tns:Circle" substitutionGroup="tns:roundThing"/>
<xs:element name="plain" substitutionGroup="tns:shape"/>
<xs:complexType name="Drawing"><xs:sequence><xs:element ref="tns:shape" maxOccurs="unbounded"/></xs:sequence></xs:complexType>`)
	shapeID, shape := elemNamed(t, s, "shape")
	if !shape.Abstract || !shape.Global || shape.SubstitutionGroup != NoElem {
		t.Errorf("shape: %+v", shape)
	}
	var subs []string
	for _, id := range shape.Substitutes {
		subs = append(subs, s.Element(id).Name.Local)
	}
	slices.Sort(subs)
	if want := []string{"ball", "circle", "plain"}; !slices.Equal(subs, want) {
		t.Errorf("shape.Substitutes = %v, want %v (abstract roundThing excluded)", subs, want)
	}
	_, round := elemNamed(t, s, "roundThing")
	if round.SubstitutionGroup != shapeID || len(round.Substitutes) != 1 || s.Element(round.Substitutes[0]).Name.Local != "ball" {
		t.Errorf("roundThing: %+v", round)
	}
	if got := elemType(t, s, "plain").Name.Local; got != "Shape" {
		t.Errorf("a member without a type takes its head's: got %s", got)
	}
	if got := elemType(t, s, "roundThing").Name.Local; got != "Shape" {
		t.Errorf("roundThing type %s", got)
	}
	_, d := typeNamed(t, s, "Drawing")
	if d.Particle.Children[0].Element != shapeID {
		t.Error("a reference to the head is the head's declaration")
	}
}

func TestAbstractNillableDefaultFixed(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="A" abstract="true"><xs:sequence/></xs:complexType>
<xs:complexType name="B" abstract="false"><xs:sequence/></xs:complexType>
<xs:element name="abs" type="tns:A" abstract="true"/>
<xs:element name="n" type="xs:int" nillable="true"/>
<xs:element name="n1" type="xs:int" nillable="1"/>
<xs:element name="d" type="xs:int" default="5"/>
<xs:element name="f" type="xs:string" fixed=" x "/>
<xs:element name="plain" type="xs:int"/>
<xs:complexType name="C">
  <xs:sequence>
    <xs:element name="ln" type="xs:string" nillable="true" default="dflt"/>
  </xs:sequence>
</xs:complexType>`)
	if _, a := typeNamed(t, s, "A"); !a.Abstract {
		t.Error("A is abstract")
	}
	if _, b := typeNamed(t, s, "B"); b.Abstract {
		t.Error("B is not abstract")
	}
	tests := []struct {
		elem       string
		abstract   bool
		nillable   bool
		constraint ValueConstraint
	}{
		{"abs", true, false, ValueConstraint{}},
		{"n", false, true, ValueConstraint{}},
		{"n1", false, true, ValueConstraint{}},
		{"d", false, false, ValueConstraint{DefaultValue, "5"}},
		{"f", false, false, ValueConstraint{FixedValue, " x "}},
		{"plain", false, false, ValueConstraint{}},
	}
	for _, tc := range tests {
		_, e := elemNamed(t, s, tc.elem)
		if e.Abstract != tc.abstract || e.Nillable != tc.nillable || e.Constraint != tc.constraint {
			t.Errorf("%s: abstract %v nillable %v constraint %+v", tc.elem, e.Abstract, e.Nillable, e.Constraint)
		}
	}
	_, c := typeNamed(t, s, "C")
	ln := s.Element(c.Particle.Children[0].Element)
	if !ln.Nillable || ln.Constraint != (ValueConstraint{DefaultValue, "dflt"}) || ln.Global {
		t.Errorf("local element: %+v", ln)
	}
}

func TestForms(t *testing.T) {
	body := `
<xs:attribute name="gattr" type="xs:string"/>
<xs:element name="G">
  <xs:complexType>
    <xs:sequence>
      <xs:element name="def" type="xs:string"/>
      <xs:element name="q" type="xs:string" form="qualified"/>
      <xs:element name="u" type="xs:string" form="unqualified"/>
      <xs:element ref="tns:G" minOccurs="0"/>
    </xs:sequence>
    <xs:attribute name="adef" type="xs:string"/>
    <xs:attribute name="aq" type="xs:string" form="qualified"/>
    <xs:attribute name="au" type="xs:string" form="unqualified"/>
    <xs:attribute ref="tns:gattr"/>
  </xs:complexType>
</xs:element>`
	tests := []struct {
		name, attrs    string
		elems, attribs string
	}{
		{"defaults", ``, "def q{urn:t} u G{urn:t}", "adef aq{urn:t} au gattr{urn:t}"},
		{"qualified", `elementFormDefault="qualified" attributeFormDefault="qualified"`, "def{urn:t} q{urn:t} u G{urn:t}", "adef{urn:t} aq{urn:t} au gattr{urn:t}"},
		{"unqualified", `elementFormDefault="unqualified" attributeFormDefault="unqualified"`, "def q{urn:t} u G{urn:t}", "adef aq{urn:t} au gattr{urn:t}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := compileFiles(map[string]string{"main.xsd": schemaXML(tc.attrs, body)}, true)
			if err != nil {
				t.Fatal(err)
			}
			typ := elemType(t, s, "G")
			var es, as []string
			for _, p := range typ.Particle.Children {
				n := s.Element(p.Element).Name
				es = append(es, n.Local+braces(n.Space))
			}
			for _, a := range typ.Attrs {
				as = append(as, a.Name.Local+braces(a.Name.Space))
			}
			if got := strings.Join(es, " "); got != tc.elems {
				t.Errorf("elements %q, want %q", got, tc.elems)
			}
			if got := strings.Join(as, " "); got != tc.attribs {
				t.Errorf("attributes %q, want %q", got, tc.attribs)
			}
		})
	}
}

func braces(ns string) string {
	if ns == "" {
		return ""
	}
	return "{" + ns + "}"
}

func TestAnonymousAndRecursiveTypes(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="Node">
  <xs:sequence>
    <xs:element name="value" type="xs:int"/>
    <xs:element name="child" type="tns:Node" minOccurs="0" maxOccurs="unbounded"/>
  </xs:sequence>
</xs:complexType>
<xs:element name="tree">
  <xs:complexType>
    <xs:sequence>
      <xs:element name="root" type="tns:Node"/>
      <xs:element ref="tns:tree" minOccurs="0"/>
      <xs:element name="meta">
        <xs:complexType><xs:sequence><xs:element name="k" type="xs:string"/></xs:sequence></xs:complexType>
      </xs:element>
    </xs:sequence>
  </xs:complexType>
</xs:element>
<xs:complexType name="Expr">
  <xs:choice>
    <xs:element name="lit" type="xs:int"/>
    <xs:element name="add" type="tns:Add"/>
  </xs:choice>
</xs:complexType>
<xs:complexType name="Add">
  <xs:sequence><xs:element name="l" type="tns:Expr"/><xs:element name="r" type="tns:Expr"/></xs:sequence>
</xs:complexType>`)
	nodeID, node := typeNamed(t, s, "Node")
	if got := model(s, node.Particle); got != "seq(value:int, child:Node[0..*])" {
		t.Errorf("Node: %s", got)
	}
	if s.Element(node.Particle.Children[1].Element).Type != nodeID {
		t.Error("Node.child is not of type Node")
	}
	treeID, tree := elemNamed(t, s, "tree")
	tt := s.Type(tree.Type)
	if !tt.Name.IsZero() {
		t.Errorf("tree's type is named %s", tt.Name)
	}
	if got := model(s, tt.Particle); got != "seq(root:Node, tree:_[0..1], meta:_)" {
		t.Errorf("tree: %s", got)
	}
	if tt.Particle.Children[1].Element != treeID {
		t.Error("tree's reference to itself is not the global tree")
	}
	exprID, _ := typeNamed(t, s, "Expr")
	_, add := typeNamed(t, s, "Add")
	if s.Element(add.Particle.Children[0].Element).Type != exprID {
		t.Error("Add.l is not an Expr")
	}

	// A type that derives from itself is an error, not a hang.
	_, err := compileFiles(map[string]string{"main.xsd": schemaXML("", `<xs:complexType name="A">
  <xs:complexContent><xs:extension base="tns:B"/></xs:complexContent>
</xs:complexType>
<xs:complexType name="B">
  <xs:complexContent><xs:extension base="tns:A"/></xs:complexContent>
</xs:complexType>`)}, false)
	if err == nil || !strings.Contains(err.Error(), "main.xsd:5: type \"A\" derives from itself") {
		t.Errorf("circular derivation: %v", err)
	}
}

func TestBuiltinTypes(t *testing.T) {
	const (
		x2001 = "http://www.w3.org/2001/XMLSchema"
		x1999 = "http://www.w3.org/1999/XMLSchema"
		x2000 = "http://www.w3.org/2000/10/XMLSchema"
		enc   = "http://schemas.xmlsoap.org/soap/encoding/"
		enc12 = "http://www.w3.org/2003/05/soap-encoding"
	)
	s := mustCompile(t, ``)
	tests := []struct {
		space, local string
		want         Builtin
	}{
		{x2001, "anyType", AnyType},
		{x2001, "string", String},
		{x2001, "int", Int},
		{x2001, "dateTime", DateTime},
		{x2001, "base64Binary", Base64Binary},
		{x2001, "QName", QNameType},
		{x2001, "NMTOKENS", NMTokens},
		{x2001, "unsignedByte", UnsignedByte},
		{x2001, "dayTimeDuration", DayTimeDuration},
		{x1999, "string", String},
		{x1999, "timeInstant", DateTime},
		{x1999, "ur-type", AnyType},
		{x2000, "uriReference", AnyURI},
		{x2000, "binary", Base64Binary},
		{enc, "string", String},
		{enc, "base64", Base64Binary},
		{enc, "int", Int},
		{enc, "Array", SOAPArray},
		{enc, "Struct", SOAPStruct},
		{enc12, "double", Double},
	}
	for _, tc := range tests {
		id, ok := s.TypeByName(QName{tc.space, tc.local})
		if !ok || id != TypeID(tc.want) {
			t.Errorf("TypeByName({%s}%s) = %d, %v; want %v", tc.space, tc.local, id, ok, tc.want)
		}
	}
	// Built-in IDs, bases and kinds.
	for b := Builtin(0); b < numBuiltins; b++ {
		typ := s.Type(TypeID(b))
		if typ.Builtin != b && typ.Variety != List {
			t.Errorf("%v: Builtin %v", b, typ.Builtin)
		}
		if (b == AnyType || b == SOAPArray || b == SOAPStruct) == typ.Simple {
			t.Errorf("%v: Simple %v", b, typ.Simple)
		}
	}
	if !s.IsDerivedFrom(TypeID(UnsignedByte), TypeID(Integer)) || !s.IsDerivedFrom(TypeID(ID), TypeID(String)) || s.IsDerivedFrom(TypeID(Int), TypeID(String)) {
		t.Error("built-in derivation chains")
	}
	if !Short.IsInteger() || !Double.IsNumeric() || String.IsNumeric() || Boolean.IsInteger() {
		t.Error("IsInteger/IsNumeric")
	}

	// References to built-ins in every namespace spelling compile.
	s2 := mustCompile(t, `
<xs:complexType name="T" xmlns:x99="http://www.w3.org/1999/XMLSchema" xmlns:enc12="http://www.w3.org/2003/05/soap-encoding">
  <xs:sequence>
    <xs:element name="a" type="x99:timeInstant"/>
    <xs:element name="b" type="soapenc:string"/>
    <xs:element name="c" type="soapenc:base64"/>
    <xs:element name="d" type="enc12:int"/>
    <xs:element name="e" type="xs:anyType"/>
    <xs:element name="f"/>
  </xs:sequence>
</xs:complexType>`)
	_, typ := typeNamed(t, s2, "T")
	if got, want := model(s2, typ.Particle), "seq(a:dateTime, b:string, c:base64Binary, d:int, e:anyType, f:anyType)"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestSOAPEncodedArrays(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="Item"><xs:sequence><xs:element name="n" type="xs:int"/></xs:sequence></xs:complexType>
<xs:complexType name="IntArray">
  <xs:complexContent>
    <xs:restriction base="soapenc:Array">
      <xs:attribute ref="soapenc:arrayType" wsdl:arrayType="xs:int[]"/>
    </xs:restriction>
  </xs:complexContent>
</xs:complexType>
<xs:complexType name="ItemMatrix">
  <xs:complexContent>
    <xs:restriction base="soapenc:Array">
      <xs:attribute ref="soapenc:arrayType" wsdl:arrayType="tns:Item[][]"/>
    </xs:restriction>
  </xs:complexContent>
</xs:complexType>
<xs:complexType name="Grid">
  <xs:complexContent>
    <xs:restriction base="soapenc:Array">
      <xs:attribute ref="soapenc:arrayType" wsdl:arrayType="xs:string[,]"/>
    </xs:restriction>
  </xs:complexContent>
</xs:complexType>
<xs:complexType name="SeqArray">
  <xs:complexContent>
    <xs:restriction base="soapenc:Array">
      <xs:sequence><xs:element name="item" type="tns:Item" minOccurs="0" maxOccurs="unbounded"/></xs:sequence>
    </xs:restriction>
  </xs:complexContent>
</xs:complexType>
<xs:complexType name="Derived">
  <xs:complexContent><xs:restriction base="tns:IntArray"/></xs:complexContent>
</xs:complexType>
<xs:complexType name="Struct">
  <xs:complexContent><xs:extension base="soapenc:Struct"><xs:sequence><xs:element name="s" type="xs:string"/></xs:sequence></xs:extension></xs:complexContent>
</xs:complexType>`)
	itemID, _ := typeNamed(t, s, "Item")
	tests := []struct {
		typ  string
		item TypeID
		dims int
	}{
		{"IntArray", TypeID(Int), 1},
		{"ItemMatrix", itemID, 2},
		{"Grid", TypeID(String), 2},
		{"SeqArray", itemID, 1},
		{"Derived", TypeID(Int), 1},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			_, typ := typeNamed(t, s, tc.typ)
			if !typ.IsArray() || typ.ArrayItem != tc.item || typ.ArrayDims != tc.dims {
				t.Errorf("array item %d dims %d, want %d %d", typ.ArrayItem, typ.ArrayDims, tc.item, tc.dims)
			}
			if !s.IsDerivedFrom(TypeID(typeIDOf(t, s, tc.typ)), TypeID(SOAPArray)) {
				t.Error("not derived from soapenc:Array")
			}
		})
	}
	_, ia := typeNamed(t, s, "IntArray")
	if len(ia.Attrs) != 1 || ia.Attrs[0].Name != (QName{NSSOAPEnc, "arrayType"}) || ia.Attrs[0].ArrayType != "{"+NSXSD+"}int[]" {
		t.Errorf("arrayType use: %+v", ia.Attrs)
	}
	if _, st := typeNamed(t, s, "Struct"); st.IsArray() || !s.IsDerivedFrom(typeIDOf(t, s, "Struct"), TypeID(SOAPStruct)) {
		t.Error("Struct")
	}
	if s.Type(TypeID(SOAPArray)).ArrayItem != TypeID(AnyType) {
		t.Error("soapenc:Array itself is an array of anyType")
	}
}

func typeIDOf(t *testing.T, s *Schema, local string) TypeID {
	id, _ := typeNamed(t, s, local)
	return id
}

func TestChameleonInclude(t *testing.T) {
	files := map[string]string{
		"main.xsd": schemaXML(`elementFormDefault="qualified"`, `
<xs:include schemaLocation="common/cham.xsd"/>
<xs:element name="order" type="tns:Order"/>`),
		"other.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:other" xmlns:o="urn:other">
  <xs:include schemaLocation="common/cham.xsd"/>
  <xs:element name="o" type="o:Order"/>
</xs:schema>`,
		"common/cham.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:complexType name="Order">
    <xs:sequence>
      <xs:element name="line" type="Line" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:complexType name="Line"><xs:sequence><xs:element name="qty" type="xs:int"/></xs:sequence></xs:complexType>
  <xs:element name="note" type="xs:string"/>
</xs:schema>`,
	}
	files["main.xsd"] = strings.Replace(files["main.xsd"], `<xs:include`, `<xs:import namespace="urn:other" schemaLocation="other.xsd"/>
<xs:include`, 1)
	s, err := compileFiles(files, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, ns := range []string{tns, "urn:other"} {
		id, ok := s.TypeByName(QName{ns, "Order"})
		if !ok {
			t.Fatalf("Order not in %s", ns)
		}
		typ := s.Type(id)
		line := s.Element(typ.Particle.Children[0].Element)
		if line.Name != (QName{ns, "line"}) || s.Type(line.Type).Name != (QName{ns, "Line"}) {
			t.Errorf("%s: Order/line is %s of type %s", ns, line.Name, s.Type(line.Type).Name)
		}
		if _, ok := s.ElementByName(QName{ns, "note"}); !ok {
			t.Errorf("note not in %s", ns)
		}
	}
	if _, ok := s.TypeByName(QName{"", "Order"}); ok {
		t.Error("chameleon type also in no namespace")
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings: %q", s.Warnings)
	}
}

func TestRedefine(t *testing.T) {
	files := map[string]string{
		"main.xsd": schemaXML(`elementFormDefault="qualified"`, `
<xs:redefine schemaLocation="base.xsd">
  <xs:complexType name="Addr">
    <xs:complexContent>
      <xs:extension base="tns:Addr">
        <xs:sequence><xs:element name="country" type="xs:string"/></xs:sequence>
      </xs:extension>
    </xs:complexContent>
  </xs:complexType>
  <xs:simpleType name="Zip">
    <xs:restriction base="tns:Zip"><xs:maxLength value="5"/></xs:restriction>
  </xs:simpleType>
  <xs:group name="Extra">
    <xs:sequence>
      <xs:group ref="tns:Extra"/>
      <xs:element name="more" type="xs:string"/>
    </xs:sequence>
  </xs:group>
  <xs:attributeGroup name="Attrs">
    <xs:attributeGroup ref="tns:Attrs"/>
    <xs:attribute name="b" type="xs:string"/>
  </xs:attributeGroup>
</xs:redefine>
<xs:element name="home" type="tns:Addr"/>
<xs:complexType name="Box"><xs:group ref="tns:Extra"/><xs:attributeGroup ref="tns:Attrs"/></xs:complexType>`),
		"base.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:complexType name="Addr">
    <xs:sequence><xs:element name="street" type="xs:string"/><xs:element name="zip" type="tns:Zip"/></xs:sequence>
  </xs:complexType>
  <xs:simpleType name="Zip"><xs:restriction base="xs:string"><xs:pattern value="[0-9]+"/></xs:restriction></xs:simpleType>
  <xs:group name="Extra"><xs:sequence><xs:element name="extra" type="xs:string"/></xs:sequence></xs:group>
  <xs:attributeGroup name="Attrs"><xs:attribute name="a" type="xs:string"/></xs:attributeGroup>
</xs:schema>`,
	}
	s, err := compileFiles(files, true)
	if err != nil {
		t.Fatal(err)
	}
	addr := elemType(t, s, "home")
	if addr.Name.Local != "Addr" || addr.Derivation != Extension {
		t.Fatalf("home is of type %s derived by %v, want the redefined Addr", addr.Name, addr.Derivation)
	}
	if got, want := model(s, addr.Particle), "seq(seq(street:string, zip:Zip), seq(country:string))"; got != want {
		t.Errorf("Addr\n got %s\nwant %s", got, want)
	}
	if id, _ := s.TypeByName(QName{tns, "Addr"}); s.Type(id) != addr {
		t.Error("TypeByName(Addr) is not the redefinition")
	}
	_, zip := typeNamed(t, s, "Zip")
	if zip.Facets.MaxLength != (Limit{5, true}) || !slices.Equal(zip.Facets.Patterns, []string{"[0-9]+"}) {
		t.Errorf("Zip facets %+v", zip.Facets)
	}
	_, box := typeNamed(t, s, "Box")
	if got, want := model(s, box.Particle), "seq(seq(extra:string), more:string)"; got != want {
		t.Errorf("Box\n got %s\nwant %s", got, want)
	}
	if got, want := attrList(s, box.Attrs), "a:string b:string"; got != want {
		t.Errorf("Box attributes %q, want %q", got, want)
	}
}

// TestDanglingReferences: in strict mode a reference to a missing
// component is an error naming the file and line; in lenient mode a
// warning with the file and line, and the reference reads as anyType (or
// nothing, for groups).
func TestDanglingReferences(t *testing.T) {
	tests := []struct {
		name, body string
		want       string // in the error and the warning
		model      string // lenient: model of type T
	}{
		{"type", `<xs:complexType name="T"><xs:sequence>
  <xs:element name="a" type="tns:Missing"/>
</xs:sequence></xs:complexType>`, "main.xsd:6: type {urn:t}Missing not found", "seq(a:anyType)"},
		{"element ref", `<xs:complexType name="T"><xs:sequence>
  <xs:element ref="tns:missing"/>
</xs:sequence></xs:complexType>`, "main.xsd:6: element {urn:t}missing not found", "seq(missing:anyType)"},
		{"group", `<xs:complexType name="T"><xs:sequence>
  <xs:group ref="tns:Missing"/><xs:element name="b" type="xs:int"/>
</xs:sequence></xs:complexType>`, "main.xsd:6: group {urn:t}Missing not found", "seq(b:int)"},
		{"attributeGroup", `<xs:complexType name="T"><xs:sequence/>
  <xs:attributeGroup ref="tns:Missing"/>
</xs:complexType>`, "main.xsd:6: attributeGroup {urn:t}Missing not found", "seq()"},
		{"attribute ref", `<xs:complexType name="T"><xs:sequence/>
  <xs:attribute ref="tns:missing"/>
</xs:complexType>`, "main.xsd:6: attribute {urn:t}missing not found", "seq()"},
		{"base", `<xs:complexType name="T"><xs:complexContent>
  <xs:extension base="tns:Missing"><xs:sequence><xs:element name="c" type="xs:int"/></xs:sequence></xs:extension>
</xs:complexContent></xs:complexType>`, "main.xsd:6: type {urn:t}Missing not found", "seq(seq(any(##any lax)[0..*]), seq(c:int))"},
		{"undeclared prefix", `<xs:complexType name="T"><xs:sequence>
  <xs:element name="a" type="nope:Missing"/>
</xs:sequence></xs:complexType>`, `main.xsd:6: type "nope:Missing": prefix not declared`, "seq(a:anyType)"},
		{"undeclared prefix, unique local name", `<xs:complexType name="Local"/><xs:complexType name="T"><xs:sequence>
  <xs:element name="a" type="nope:Local"/>
</xs:sequence></xs:complexType>`, `main.xsd:6: type "nope:Local"`, "seq(a:Local)"},
		{"undeclared prefix, element ref", `<xs:element name="el" type="xs:int"/><xs:complexType name="T"><xs:sequence>
  <xs:element ref="nope:el"/>
</xs:sequence></xs:complexType>`, `main.xsd:6: element "nope:el"`, "seq(el:int)"},
		{"substitution group", `<xs:element name="e" type="xs:int" substitutionGroup="tns:head"/>
<xs:complexType name="T"><xs:sequence>
  <xs:element ref="tns:e"/>
</xs:sequence></xs:complexType>`, "main.xsd:5: substitution group head {urn:t}head not found", "seq(e:int)"},
		{"array item", `<xs:complexType name="T"><xs:complexContent>
  <xs:restriction base="soapenc:Array">
    <xs:attribute ref="soapenc:arrayType" wsdl:arrayType="tns:Missing[]"/>
  </xs:restriction>
</xs:complexContent></xs:complexType>`, "main.xsd:6: array item type {urn:t}Missing not found", "<nil>"},
		{"unknown built-in", `<xs:complexType name="T"><xs:sequence>
  <xs:element name="a" type="xs:strin"/>
</xs:sequence></xs:complexType>`, `main.xsd:6: "xs:strin" is not a built-in type of XML Schema`, "seq(a:anyType)"},
	}
	for _, tc := range tests {
		files := map[string]string{"main.xsd": schemaXML("", tc.body)}
		t.Run(tc.name+"/strict", func(t *testing.T) {
			_, err := compileFiles(files, true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
		t.Run(tc.name+"/lenient", func(t *testing.T) {
			s, err := compileFiles(files, false)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, w := range s.Warnings {
				if strings.Contains(w, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("warnings %q, want one containing %q", s.Warnings, tc.want)
			}
			_, typ := typeNamed(t, s, "T")
			if got := model(s, typ.Particle); got != tc.model {
				t.Errorf("model %s, want %s", got, tc.model)
			}
		})
	}
}

// TestImportErrors: a missing or broken imported document names the
// chain; a schema whose root is not a schema says so.
func TestImportErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"missing import", map[string]string{"main.xsd": schemaXML("", `<xs:import namespace="urn:b" schemaLocation="b.xsd"/>`)},
			`import "b.xsd" from main.xsd:5: b.xsd: not found`},
		{"missing include", map[string]string{"main.xsd": schemaXML("", `<xs:import namespace="urn:b" schemaLocation="b.xsd"/>`),
			"b.xsd": `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:b">
  <xs:include schemaLocation="sub/c.xsd"/>
</xs:schema>`},
			`import "b.xsd" from main.xsd:5: include "sub/c.xsd" from b.xsd:2: sub/c.xsd: not found`},
		{"malformed import", map[string]string{"main.xsd": schemaXML("", `<xs:import namespace="urn:b" schemaLocation="b.xsd"/>`),
			"b.xsd": "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n<a></b>\n</xs:schema>"},
			`import "b.xsd" from main.xsd:5: b.xsd: line 2: `},
		{"not a schema", map[string]string{"main.xsd": schemaXML("", `<xs:include schemaLocation="b.xml"/>`),
			"b.xml": "<root/>"},
			`b.xml:1: root element is root, not an XML Schema`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				_, err := compileFiles(tc.files, strict)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("strict=%v: got %v, want %q", strict, err, tc.want)
				}
			}
		})
	}
}

// TestDocumentation: xsd:documentation is kept on types and elements.
func TestDocumentation(t *testing.T) {
	s := mustCompile(t, `
<xs:complexType name="T">
  <xs:annotation><xs:documentation>  A   type.
  </xs:documentation></xs:annotation>
  <xs:sequence/>
</xs:complexType>
<xs:element name="e" type="tns:T"><xs:annotation><xs:documentation>An element.</xs:documentation></xs:annotation></xs:element>`)
	if _, typ := typeNamed(t, s, "T"); typ.Doc != "A type." || typ.Source != "main.xsd:6" {
		t.Errorf("doc %q source %q", typ.Doc, typ.Source)
	}
	if _, e := elemNamed(t, s, "e"); e.Doc != "An element." || e.Source != "main.xsd:11" {
		t.Errorf("doc %q source %q", e.Doc, e.Source)
	}
}

// Each derivation step copies its base's attributes and facets, and each
// base lists every type derived from it: a chain of 10,000 extensions
// (2 MB) made 780 MB of model. Chains deeper than MaxDerivationDepth are
// refused; one just within compiles.
func TestDerivationDepth(t *testing.T) {
	chain := func(n int) string {
		var b strings.Builder
		b.WriteString(`<xs:complexType name="t0"><xs:attribute name="a0" type="xs:string"/></xs:complexType>`)
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, "\n"+`<xs:complexType name="t%d"><xs:complexContent><xs:extension base="tns:t%d"><xs:attribute name="a%d" type="xs:string"/></xs:extension></xs:complexContent></xs:complexType>`, i, i-1, i)
		}
		return b.String()
	}
	s, err := compileFiles(map[string]string{"main.xsd": schemaXML("", chain(MaxDerivationDepth+1))}, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, ty := typeNamed(t, s, fmt.Sprintf("t%d", MaxDerivationDepth)); len(ty.Attrs) != MaxDerivationDepth+1 {
		t.Errorf("the deepest type has %d attributes", len(ty.Attrs))
	}
	_, err = compileFiles(map[string]string{"main.xsd": schemaXML("", chain(10000))}, false)
	want := fmt.Sprintf("main.xsd:%d: type derives through more than %d bases", 5+MaxDerivationDepth+1, MaxDerivationDepth)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a chain of 10,000: %v, want %s", err, want)
	}
}

// An attributeGroup of a thousand uses referenced by thousands of types
// made gigabytes (and compared each use with every other at each
// reference: 26 s for 800 KB). The uses of all types together are
// bounded; groups of many uses keep their order and let later uses of a
// name replace earlier ones.
func TestAttributeUsesBounded(t *testing.T) {
	group := func(n int) string {
		var b strings.Builder
		b.WriteString(`<xs:attributeGroup name="big">`)
		for i := range n {
			fmt.Fprintf(&b, `<xs:attribute name="a%d" type="xs:string"/>`, i)
		}
		b.WriteString(`<xs:attribute name="a3" type="xs:int"/></xs:attributeGroup>`)
		return b.String()
	}
	refs := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "\n"+`<xs:complexType name="t%d"><xs:attributeGroup ref="tns:big"/></xs:complexType>`, i)
		}
		return b.String()
	}
	s := mustCompile(t, group(40)+refs(2)+`<xs:complexType name="r"><xs:complexContent><xs:restriction base="tns:t0">`+
		`<xs:attributeGroup ref="tns:big"/><xs:attribute name="a1" use="prohibited"/></xs:restriction></xs:complexContent></xs:complexType>`)
	for _, name := range []string{"t1", "r"} {
		_, ty := typeNamed(t, s, name)
		if len(ty.Attrs) != 40 || ty.Attrs[0].Name.Local != "a0" || ty.Attrs[39].Name.Local != "a39" || ty.Attrs[3].Type != TypeID(Int) {
			t.Errorf("%s: %d uses, a3 of type %d", name, len(ty.Attrs), ty.Attrs[3].Type)
		}
	}
	_, err := compileFiles(map[string]string{"main.xsd": schemaXML("", group(1000)+refs(10000))}, false)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than %d attribute uses", MaxAttrUses)) {
		t.Errorf("10,000 references to 1,000 uses: %v", err)
	}
}

// Schemas without a target namespace take each includer's: a chain of
// them, each including the next, included from many namespaces, defines
// its types again in each. Eighty such small documents included from
// eighty namespaces would be 320,000 types; past MaxDeclarations the
// schema is refused, naming the document.
func TestChameleonFanOutBounded(t *testing.T) {
	const n = 80
	files := map[string]string{}
	var main strings.Builder
	main.WriteString(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:m">`)
	for i := range n {
		files[fmt.Sprintf("n%d.xsd", i)] = fmt.Sprintf(`<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:n%d"><xs:include schemaLocation="c0.xsd"/></xs:schema>`, i)
		fmt.Fprintf(&main, `<xs:import namespace="urn:n%d" schemaLocation="n%d.xsd"/>`, i, i)
		var b strings.Builder
		fmt.Fprintf(&b, `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="c%d.xsd"/>`, i+1)
		for k := range 50 {
			fmt.Fprintf(&b, `<xs:complexType name="c%d_%d"/>`, i, k)
		}
		files[fmt.Sprintf("c%d.xsd", i)] = b.String() + `</xs:schema>`
	}
	files[fmt.Sprintf("c%d.xsd", n)] = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>`
	files["main.xsd"] = main.String() + `</xs:schema>`
	_, err := compileFiles(files, false)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than %d type definitions and element declarations", MaxDeclarations)) {
		t.Errorf("got %v", err)
	}
	// A few namespaces are fine.
	files["main.xsd"] = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:m"><xs:import namespace="urn:n1" schemaLocation="n1.xsd"/><xs:import namespace="urn:n2" schemaLocation="n2.xsd"/></xs:schema>`
	s, err := compileFiles(files, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.TypeByName(QName{"urn:n2", "c79_49"}); !ok {
		t.Error("c79_49 is not in urn:n2")
	}
}

// Groups are shared in the model, but a walk of a content model (a codec
// plan, an OpenAPI schema) visits a group at each reference: forty
// groups each referring twice to the next are 2^40 particles. Content
// models that expand beyond MaxExpandedParticles, or all of them beyond
// MaxExpandedTotal, are refused; the count itself costs one visit per
// group.
func TestGroupFanOutBounded(t *testing.T) {
	groups := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, `<xs:group name="g%d"><xs:sequence><xs:group ref="tns:g%d"/><xs:group ref="tns:g%d" minOccurs="0"/></xs:sequence></xs:group>`, i, i+1, i+1)
		}
		fmt.Fprintf(&b, `<xs:group name="g%d"><xs:sequence><xs:element name="x" type="xs:string"/></xs:sequence></xs:group>`, n)
		return b.String()
	}
	types := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "\n"+`<xs:complexType name="T%d"><xs:group ref="tns:g0"/></xs:complexType>`, i)
		}
		return b.String()
	}
	s := mustCompile(t, groups(10)+types(1))
	_, ty := typeNamed(t, s, "T0")
	memo := map[childrenKey]int{}
	if n := expanded(ty.Particle, memo); n < 1<<10 || len(memo) > 12 {
		t.Errorf("T0 expands to %d particles, counted in %d steps", n, len(memo))
	}
	_, err := compileFiles(map[string]string{"main.xsd": schemaXML("", groups(40)+types(1))}, false)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("main.xsd:6: the content model of type T0 expands to more than %d particles", MaxExpandedParticles)) {
		t.Errorf("40 groups: %v", err)
	}
	_, err = compileFiles(map[string]string{"main.xsd": schemaXML("", groups(13)+types(200))}, false)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("expand to more than %d particles in all", MaxExpandedTotal)) {
		t.Errorf("200 types of 13 groups: %v", err)
	}
}

// Substitution groups that form a cycle are refused: each element on it
// was listed as a substitute of itself and of the others, up to 64
// times, and a codec plan made each the member of its own array.
func TestSubstitutionGroupCycle(t *testing.T) {
	for name, body := range map[string]string{
		"two elements": `<xs:element name="h1" substitutionGroup="tns:h2" type="xs:string"/>
<xs:element name="h2" substitutionGroup="tns:h1" type="xs:string"/>`,
		"into an abstract cycle": `<xs:element name="a" substitutionGroup="tns:h1" type="xs:string"/>
<xs:element name="h1" abstract="true" substitutionGroup="tns:h2" type="xs:string"/>
<xs:element name="h2" abstract="true" substitutionGroup="tns:h1" type="xs:string"/>`,
	} {
		_, err := compileFiles(map[string]string{"main.xsd": schemaXML("", body)}, false)
		if err == nil || !strings.Contains(err.Error(), "main.xsd:5: the substitution groups of element") || !strings.Contains(err.Error(), "form a cycle") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// A chain of substitution groups deeper than MaxDerivationDepth is
// refused: the elements below the 64th head were left out of the heads
// above it without a word.
func TestSubstitutionGroupChain(t *testing.T) {
	chain := func(n int) string {
		var b strings.Builder
		b.WriteString(`<xs:element name="e0" type="xs:string"/>`)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "\n"+`<xs:element name="e%d" substitutionGroup="tns:e%d" type="xs:string"/>`, i, i-1)
		}
		return b.String()
	}
	s, err := compileFiles(map[string]string{"main.xsd": schemaXML("", chain(MaxDerivationDepth))}, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range s.Elements {
		if e := &s.Elements[i]; e.Name.Local == "e0" && len(e.Substitutes) != MaxDerivationDepth {
			t.Errorf("e0 has %d substitutes, want %d", len(e.Substitutes), MaxDerivationDepth)
		}
	}
	_, err = compileFiles(map[string]string{"main.xsd": schemaXML("", chain(MaxDerivationDepth+1))}, false)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("more than %d substitution group heads", MaxDerivationDepth)) {
		t.Errorf("a chain of %d heads: %v", MaxDerivationDepth+1, err)
	}
}
