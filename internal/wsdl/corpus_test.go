package wsdl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpusCase is one case of ../shared/corpus: a folder whose case.txt names
// the entry WSDL and, on a second line "expect: error", marks a case that
// cannot compile here (a missing file or an unreachable remote import).
type corpusCase struct {
	Name        string
	Entry       string // absolute path of the entry WSDL
	EntryRel    string // entry relative to the case folder
	ExpectError bool
}

// corpusDir is the shared corpus, relative to this package.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

// corpusCases lists the corpus cases, or skips the test when the corpus is
// absent (a fresh clone without ../shared).
func corpusCases(t testing.TB) []corpusCase {
	t.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("shared corpus not present: %v", err)
	}
	var cases []corpusCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(corpusDir, e.Name(), "case.txt"))
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		rel := strings.TrimSpace(lines[0])
		abs, err := filepath.Abs(filepath.Join(corpusDir, e.Name(), rel))
		if err != nil {
			t.Fatal(err)
		}
		c := corpusCase{Name: e.Name(), Entry: abs, EntryRel: rel}
		for _, l := range lines[1:] {
			if strings.TrimSpace(l) == "expect: error" {
				c.ExpectError = true
			}
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Skip("shared corpus has no cases")
	}
	return cases
}
