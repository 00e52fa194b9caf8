package wsdl

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
)

var update = flag.Bool("update", false, "rewrite docs/conformance.md from the corpus results")

// clearError matches an error that says where: a document with a line
// ("types.xsd:12", "svc.wsdl: line 3"), or an import chain naming the
// location that failed.
var clearError = regexp.MustCompile(`(\.(wsdl|xsd|xml)(:\d+|: line \d+))|(import "[^"]+" from [^:]+:\d+)`)

type conformanceResult struct {
	c        corpusCase
	err      error
	services int
	ports    int
	ops      int
	warnings int
	unsup    int
}

// TestConformance compiles every corpus case. At least 97% of the cases
// expected to compile must compile; every case that does not (expected or
// not) must fail with a clear error naming the document and line, or the
// import chain, of the problem. Run with -update to rewrite
// docs/conformance.md.
func TestConformance(t *testing.T) {
	cases := corpusCases(t)
	var results []conformanceResult
	compiled, expectCompile := 0, 0
	for _, c := range cases {
		m, err := Open(context.Background(), c.Entry, fetch.Options{}, Lenient)
		r := conformanceResult{c: c, err: err}
		if err == nil {
			r.services, r.warnings, r.unsup = len(m.Services), len(m.Warnings), len(m.Unsupported)
			for _, s := range m.Services {
				r.ports += len(s.Ports)
				for _, p := range s.Ports {
					r.ops += len(m.Bindings[p.Binding].Operations)
				}
			}
		}
		results = append(results, r)
		if !c.ExpectError {
			expectCompile++
			if err == nil {
				compiled++
			}
		}
		switch {
		case err != nil && !clearError.MatchString(err.Error()):
			t.Errorf("%s: error does not say where: %v", c.Name, err)
		case err == nil && c.ExpectError:
			t.Errorf("%s: compiled, but the case expects an error (a missing or unreachable import)", c.Name)
		}
	}
	rate := float64(compiled) / float64(expectCompile)
	t.Logf("%d of %d cases expected to compile did (%.1f%%)", compiled, expectCompile, 100*rate)
	if rate < 0.97 {
		t.Errorf("only %.1f%% of the cases compile; want at least 97%%", 100*rate)
	}
	if *update {
		if err := writeConformance(results, compiled, expectCompile); err != nil {
			t.Fatal(err)
		}
	}
}

func writeConformance(results []conformanceResult, compiled, expectCompile int) error {
	var b strings.Builder
	b.WriteString("# WSDL conformance\n\n")
	b.WriteString("Every case of the shared corpus of real third-party WSDLs (`../shared/corpus`, see its SOURCES.md), compiled\n")
	b.WriteString("offline in the default lenient mode. Regenerate with\n`go test ./internal/wsdl -run TestConformance -update`.\n\n")
	expectErr, clear := 0, 0
	for _, r := range results {
		if r.c.ExpectError {
			expectErr++
			if r.err != nil {
				clear++
			}
		}
	}
	fmt.Fprintf(&b, "**%d of %d cases expected to compile compile (%.1f%%)**; %d of %d cases expected to fail (a missing file or an\nunreachable remote import) fail with an error naming it.\n\n",
		compiled, expectCompile, 100*float64(compiled)/float64(expectCompile), clear, expectErr)
	b.WriteString("| case | entry | expected | result | services | ports | operations | warnings |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		exp := "compile"
		if r.c.ExpectError {
			exp = "error"
		}
		res := "compiled"
		if r.err != nil {
			res = "error: " + strings.ReplaceAll(r.err.Error(), "|", `\|`)
			if len(res) > 300 {
				res = res[:300] + "…"
			}
		}
		if r.unsup > 0 {
			res += fmt.Sprintf(" (%d unsupported non-SOAP ports)", r.unsup)
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %d | %d | %d | %d |\n", r.c.Name, r.c.EntryRel, exp, res, r.services, r.ports, r.ops, r.warnings)
	}
	return os.WriteFile(filepath.Join("..", "..", "docs", "conformance.md"), []byte(b.String()), 0o644)
}
