package xsd

import (
	"strings"

	"github.com/soapbridge/soapbridge/internal/xmltree"
)

// References lists the schemaLocation of every document schema imports,
// includes, redefines or overrides, in document order, as written: the
// documents the compiler reads when it is given schema. Imports of the
// namespaces the compiler knows without reading them (XML Schema, SOAP
// encoding, xml:) are left out.
func References(schema *xmltree.Element) []string {
	var locs []string
	for _, ch := range schema.Children {
		if !isXSD(ch.Name.Space) {
			continue
		}
		switch ch.Name.Local {
		case "import":
			if knownNamespaces[ch.AttrValue("namespace")] {
				continue
			}
		case "include", "redefine", "override":
		default:
			continue
		}
		if loc := strings.TrimSpace(ch.AttrValue("schemaLocation")); loc != "" {
			locs = append(locs, loc)
		}
	}
	return locs
}
