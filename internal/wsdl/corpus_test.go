package wsdl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
)

type corpusCase struct {
	Name        string
	Entry       string // absolute path of the entry WSDL
	ExpectError bool
}

// corpusCases lists the cases of ../shared/corpus, or skips the test when
// the corpus is absent.
func corpusCases(t testing.TB) []corpusCase {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("shared corpus not present: %v", err)
	}
	var cases []corpusCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "case.txt"))
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		abs, _ := filepath.Abs(filepath.Join(dir, e.Name(), strings.TrimSpace(lines[0])))
		c := corpusCase{Name: e.Name(), Entry: abs}
		for _, l := range lines[1:] {
			if strings.TrimSpace(l) == "expect: error" {
				c.ExpectError = true
			}
		}
		cases = append(cases, c)
	}
	return cases
}

func TestCorpusQuick(t *testing.T) {
	ok, bad := 0, 0
	for _, c := range corpusCases(t) {
		_, err := Open(context.Background(), c.Entry, fetch.Options{}, Lenient)
		if (err != nil) != c.ExpectError {
			bad++
			t.Logf("%s: expectError=%v err=%v", c.Name, c.ExpectError, err)
		} else {
			ok++
		}
	}
	t.Logf("ok %d bad %d", ok, bad)
}
