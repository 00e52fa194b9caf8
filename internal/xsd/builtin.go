package xsd

// Namespaces the compiler knows without fetching anything.
const (
	NSXSD      = "http://www.w3.org/2001/XMLSchema"
	NSXSD1999  = "http://www.w3.org/1999/XMLSchema"
	NSXSD2000  = "http://www.w3.org/2000/10/XMLSchema"
	NSXSI      = "http://www.w3.org/2001/XMLSchema-instance"
	NSSOAPEnc  = "http://schemas.xmlsoap.org/soap/encoding/"
	NSSOAP12En = "http://www.w3.org/2003/05/soap-encoding"
	NSWSDL     = "http://schemas.xmlsoap.org/wsdl/"
	NSXML      = "http://www.w3.org/XML/1998/namespace"
)

// The built-in types. Their order fixes their TypeIDs.
const (
	AnyType Builtin = iota
	AnySimpleType
	String
	Boolean
	Decimal
	Float
	Double
	Duration
	DateTime
	Time
	Date
	GYearMonth
	GYear
	GMonthDay
	GDay
	GMonth
	HexBinary
	Base64Binary
	AnyURI
	QNameType
	Notation
	NormalizedString
	Token
	Language
	NMToken
	NMTokens
	NameType
	NCName
	ID
	IDRef
	IDRefs
	Entity
	Entities
	Integer
	NonPositiveInteger
	NegativeInteger
	Long
	Int
	Short
	Byte
	NonNegativeInteger
	UnsignedLong
	UnsignedInt
	UnsignedShort
	UnsignedByte
	PositiveInteger
	DateTimeStamp
	DayTimeDuration
	YearMonthDuration
	// SOAP encoding compound types (SOAP 1.1 namespace names).
	SOAPArray
	SOAPStruct
	numBuiltins
)

type builtinInfo struct {
	name string
	base Builtin
	list Builtin // item type of the built-in list types
}

var builtins = [numBuiltins]builtinInfo{
	AnyType:            {"anyType", -1, -1},
	AnySimpleType:      {"anySimpleType", AnyType, -1},
	String:             {"string", AnySimpleType, -1},
	Boolean:            {"boolean", AnySimpleType, -1},
	Decimal:            {"decimal", AnySimpleType, -1},
	Float:              {"float", AnySimpleType, -1},
	Double:             {"double", AnySimpleType, -1},
	Duration:           {"duration", AnySimpleType, -1},
	DateTime:           {"dateTime", AnySimpleType, -1},
	Time:               {"time", AnySimpleType, -1},
	Date:               {"date", AnySimpleType, -1},
	GYearMonth:         {"gYearMonth", AnySimpleType, -1},
	GYear:              {"gYear", AnySimpleType, -1},
	GMonthDay:          {"gMonthDay", AnySimpleType, -1},
	GDay:               {"gDay", AnySimpleType, -1},
	GMonth:             {"gMonth", AnySimpleType, -1},
	HexBinary:          {"hexBinary", AnySimpleType, -1},
	Base64Binary:       {"base64Binary", AnySimpleType, -1},
	AnyURI:             {"anyURI", AnySimpleType, -1},
	QNameType:          {"QName", AnySimpleType, -1},
	Notation:           {"NOTATION", AnySimpleType, -1},
	NormalizedString:   {"normalizedString", String, -1},
	Token:              {"token", NormalizedString, -1},
	Language:           {"language", Token, -1},
	NMToken:            {"NMTOKEN", Token, -1},
	NMTokens:           {"NMTOKENS", AnySimpleType, NMToken},
	NameType:           {"Name", Token, -1},
	NCName:             {"NCName", NameType, -1},
	ID:                 {"ID", NCName, -1},
	IDRef:              {"IDREF", NCName, -1},
	IDRefs:             {"IDREFS", AnySimpleType, IDRef},
	Entity:             {"ENTITY", NCName, -1},
	Entities:           {"ENTITIES", AnySimpleType, Entity},
	Integer:            {"integer", Decimal, -1},
	NonPositiveInteger: {"nonPositiveInteger", Integer, -1},
	NegativeInteger:    {"negativeInteger", NonPositiveInteger, -1},
	Long:               {"long", Integer, -1},
	Int:                {"int", Long, -1},
	Short:              {"short", Int, -1},
	Byte:               {"byte", Short, -1},
	NonNegativeInteger: {"nonNegativeInteger", Integer, -1},
	UnsignedLong:       {"unsignedLong", NonNegativeInteger, -1},
	UnsignedInt:        {"unsignedInt", UnsignedLong, -1},
	UnsignedShort:      {"unsignedShort", UnsignedInt, -1},
	UnsignedByte:       {"unsignedByte", UnsignedShort, -1},
	PositiveInteger:    {"positiveInteger", NonNegativeInteger, -1},
	DateTimeStamp:      {"dateTimeStamp", DateTime, -1},
	DayTimeDuration:    {"dayTimeDuration", Duration, -1},
	YearMonthDuration:  {"yearMonthDuration", Duration, -1},
	SOAPArray:          {"Array", AnyType, -1},
	SOAPStruct:         {"Struct", AnyType, -1},
}

// IsInteger reports whether b is xs:integer or derived from it.
func (b Builtin) IsInteger() bool { return b >= Integer && b <= PositiveInteger }

// IntegerRange returns the bounds of an integer built-in's value space as
// decimal strings, "" where it has none (xsd:integer has neither); ok is
// false for a built-in that is not an integer type.
func (b Builtin) IntegerRange() (min, max string, ok bool) {
	if !b.IsInteger() {
		return "", "", false
	}
	r := intRanges[b]
	return r[0], r[1], true
}

// intRanges are the bounds of the bounded integer built-ins.
var intRanges = map[Builtin][2]string{
	Long:               {"-9223372036854775808", "9223372036854775807"},
	Int:                {"-2147483648", "2147483647"},
	Short:              {"-32768", "32767"},
	Byte:               {"-128", "127"},
	UnsignedLong:       {"0", "18446744073709551615"},
	UnsignedInt:        {"0", "4294967295"},
	UnsignedShort:      {"0", "65535"},
	UnsignedByte:       {"0", "255"},
	NonNegativeInteger: {"0", ""},
	PositiveInteger:    {"1", ""},
	NonPositiveInteger: {"", "0"},
	NegativeInteger:    {"", "-1"},
}

// IsNumeric reports whether values of b are numbers: integers, decimal,
// float and double.
func (b Builtin) IsNumeric() bool { return b == Decimal || b == Float || b == Double || b.IsInteger() }

// aliases maps names of the 1999 and 2000/10 schema drafts that differ from
// their 2001 names.
var aliases = map[string]Builtin{
	"timeInstant":   DateTime,
	"ur-type":       AnyType,
	"timeDuration":  Duration,
	"recurringDate": Date,
	"binary":        Base64Binary,
	"uriReference":  AnyURI,
}

// canonical maps the names of built-in types in the schema drafts' and SOAP
// encoding namespaces to their XML Schema 2001 names.
func canonical(q QName) QName {
	switch q.Space {
	case NSXSD1999, NSXSD2000:
		if b, ok := aliases[q.Local]; ok {
			return QName{NSXSD, builtins[b].name}
		}
		return QName{NSXSD, q.Local}
	case NSSOAPEnc, NSSOAP12En:
		if q.Local == "base64" {
			return QName{NSXSD, "base64Binary"}
		}
		if b, ok := builtinByName[q.Local]; ok && b != SOAPArray && b != SOAPStruct {
			return QName{NSXSD, q.Local}
		}
		return QName{NSSOAPEnc, q.Local}
	}
	return q
}

// builtinByName indexes the built-ins by local name; read-only.
var builtinByName = func() map[string]Builtin {
	m := make(map[string]Builtin, numBuiltins)
	for b := Builtin(0); b < numBuiltins; b++ {
		m[builtins[b].name] = b
	}
	return m
}()

// builtinTypes returns the built-in types in TypeID order.
func builtinTypes() []Type {
	ts := make([]Type, numBuiltins)
	for b := Builtin(0); b < numBuiltins; b++ {
		info := builtins[b]
		t := Type{
			Name:      QName{NSXSD, info.name},
			Builtin:   b,
			Base:      TypeID(info.base),
			ArrayItem: NoType,
			Item:      NoType,
			Value:     NoType,
		}
		if b != AnyType && b != SOAPArray && b != SOAPStruct {
			t.Simple = true
			t.Derivation = Restriction
			t.Content = ContentSimple
			t.Value = TypeID(b)
		}
		switch {
		case b == AnyType:
			t.Content = ContentMixed
			t.Particle = &Particle{Kind: PSequence, Min: 1, Max: 1, Children: []Particle{{Kind: PAny, Min: 0, Max: Unbounded, Any: &Wildcard{Namespace: "##any", Process: "lax"}}}}
			t.AnyAttr = &Wildcard{Namespace: "##any", Process: "lax"}
		case info.list >= 0:
			t.Variety = List
			t.Derivation = DerivList
			t.Item = TypeID(info.list)
			t.Builtin = info.list
		case b == SOAPArray, b == SOAPStruct:
			t.Name.Space = NSSOAPEnc
			t.Derivation = Restriction
			t.Content = ContentElements
			t.Particle = &Particle{Kind: PSequence, Min: 1, Max: 1, Children: []Particle{{Kind: PAny, Min: 0, Max: Unbounded, Any: &Wildcard{Namespace: "##any", Process: "lax"}}}}
			t.AnyAttr = &Wildcard{Namespace: "##other", Process: "lax"}
			if b == SOAPArray {
				t.ArrayItem = TypeID(AnyType)
				t.ArrayDims = 1
			}
		}
		switch b {
		case NormalizedString:
			t.Facets.WhiteSpace = "replace"
		case String:
			t.Facets.WhiteSpace = "preserve"
		case AnySimpleType, AnyType, SOAPArray, SOAPStruct:
		default:
			t.Facets.WhiteSpace = "collapse"
		}
		ts[b] = t
	}
	return ts
}

// builtinAttributes are the global attributes of the xml:, soapenc: and
// wsdl: namespaces that schemas reference without importing them.
func builtinAttributes() []AttrUse {
	var as []AttrUse
	add := func(space, local string, t Builtin) {
		as = append(as, AttrUse{Name: QName{space, local}, Type: TypeID(t)})
	}
	for _, n := range []string{"lang", "space", "base", "id"} {
		add(NSXML, n, String)
	}
	for _, ns := range []string{NSSOAPEnc, NSSOAP12En} {
		add(ns, "arrayType", String)
		add(ns, "offset", String)
		add(ns, "position", String)
		add(ns, "id", ID)
		add(ns, "href", AnyURI)
		add(ns, "ref", IDRef)
		add(ns, "root", Boolean)
		add(ns, "itemType", QNameType)
		add(ns, "arraySize", String)
		add(ns, "nodeType", String)
	}
	add(NSWSDL, "arrayType", String)
	add(NSXSI, "type", QNameType)
	add(NSXSI, "nil", Boolean)
	add(NSXSI, "schemaLocation", String)
	add(NSXSI, "noNamespaceSchemaLocation", AnyURI)
	return as
}
