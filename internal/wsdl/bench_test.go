package wsdl

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
)

// largestCases returns the n corpus cases with the most bytes of documents.
func largestCases(t testing.TB, n int) []corpusCase {
	type sized struct {
		c    corpusCase
		size int64
	}
	var all []sized
	for _, c := range corpusCases(t) {
		if c.ExpectError {
			continue
		}
		var size int64
		filepath.Walk(filepath.Join(corpusDir, c.Name), func(_ string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				size += fi.Size()
			}
			return nil
		})
		all = append(all, sized{c, size})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].size > all[j].size })
	var out []corpusCase
	for i := 0; i < n && i < len(all); i++ {
		out = append(out, all[i].c)
	}
	return out
}

// BenchmarkCompile compiles the five largest corpus cases from their files,
// and loads each one's serialized model the way the gateway's cache does.
func BenchmarkCompile(b *testing.B) {
	for _, c := range largestCases(b, 5) {
		b.Run(c.Name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Open(context.Background(), c.Entry, fetch.Options{}, Lenient); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.Name+"/cached", func(b *testing.B) {
			m, err := Open(context.Background(), c.Entry, fetch.Options{}, Lenient)
			if err != nil {
				b.Fatal(err)
			}
			data, err := m.MarshalBinary()
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var m Model
				if err := m.UnmarshalBinary(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
