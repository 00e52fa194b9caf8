package wsdl

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// zeepDisagreements are corpus cases where zeep and soapbridge see
// different operations, with the reason zeep is wrong. Each entry was
// investigated by hand.
var zeepDisagreements = map[string]string{
	"node-soap-connection-econnrefused": "an xsd:import from an unreachable host: zeep (strict=False) ignores the failed import; " +
		"the corpus expects an error, and soapbridge reports one naming the import",
	"node-soap-default_namespace_soap12": "the binding uses the soap: prefix without declaring it; zeep drops the binding and " +
		"its port, soapbridge reads soap: as the SOAP 1.1 binding namespace (with a warning) and keeps the operation",
	"zeep-hello_world_recursive_import": "the binding is in the entry document and its portType in the wsdl:import-ed one; " +
		"zeep 4.2.1 resolves no operations for the port, although the WSDL is valid",
	"node-soap-wsdl_with_attributes": "the schema uses the s: prefix without declaring it; zeep drops the port, soapbridge " +
		"reads s: as XML Schema (the usual .NET prefix), with a warning",
	"node-soap-tnsImportConflict-root": "the port names its binding in the wrong namespace; zeep drops the port, soapbridge " +
		"finds the one binding of that local name, with a warning",
	"node-soap-strict-stockquote": "elements are typed with unprefixed built-in names (type=\"string\") in a schema whose " +
		"default namespace is not XML Schema; zeep drops the port, soapbridge reads the built-ins, with warnings",
	"node-soap-sample-GetSubscription__should_handle_ref_minOccurs_and_maxOccurs": "one operation's message names an element " +
		"no schema defines; zeep drops the whole port, soapbridge leaves out only that operation, with a warning",
	"node-soap-complex-registration-common": "a fault names a message that does not exist; zeep drops the port, soapbridge " +
		"leaves out only that fault, with a warning",
	"node-soap-complex-registration": "as node-soap-complex-registration-common, which it imports",
}

// TestZeepDifferential compares the (service, port, operation, SOAP
// version, style) tuples of every corpus case python3-zeep loads with
// ours: zeep is an independent implementation, so agreement on hundreds of
// real WSDLs is evidence that bindings, versions and styles are read right.
func TestZeepDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("runs zeep on every corpus case")
	}
	cases := corpusCases(t)
	// zeep loads every case in a few runs of its own (one zeep import each,
	// not one per case).
	var entries []string
	for _, c := range cases {
		entries = append(entries, c.Entry)
	}
	zeep, err := testpeer.ZeepInspectAll(t, entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			z := zeep[c.Entry]
			if !z.OK {
				t.Skipf("zeep does not load it: %s", firstLine(z.Error))
			}
			m, err := Open(context.Background(), c.Entry, fetch.Options{}, Lenient)
			if err != nil {
				if why, ok := zeepDisagreements[c.Name]; ok {
					t.Skipf("known disagreement: %s", why)
				}
				t.Fatalf("zeep loads it, we do not: %v", err)
			}
			var zs []string
			for _, o := range z.Operations {
				zs = append(zs, fmt.Sprintf("%s/%s/%s %s %s", o.Service, o.Port, o.Operation, o.SOAPVersion, o.Style))
			}
			ours := operationTuples(m)
			sort.Strings(zs)
			if strings.Join(zs, "\n") != strings.Join(ours, "\n") {
				if why, ok := zeepDisagreements[c.Name]; ok {
					t.Skipf("known disagreement: %s", why)
				}
				t.Errorf("operations differ\n zeep: %q\n ours: %q", zs, ours)
			}
		})
	}
}

func operationTuples(m *Model) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range m.Services {
		for _, p := range s.Ports {
			for _, o := range m.Bindings[p.Binding].Operations {
				k := fmt.Sprintf("%s/%s/%s %s %s", s.Name, p.Name, o.Name, p.SOAPVersion, o.Style)
				if !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
