package wsdl

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/cputime"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/testpeer"
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
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				if _, err := Open(context.Background(), c.Entry, fetch.Options{}, Lenient); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time of the whole process (garbage collection included)
			// per compile: on a busy machine wall-clock time overstates it.
			if used := cputime.Process() - cpu; used > 0 && cpu > 0 {
				b.ReportMetric(used.Seconds()*1e3/float64(b.N), "cpu-ms/op")
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

// BenchmarkCompileVsZeep compiles the five largest corpus cases and, in the
// same run, has python3-zeep load each (fresh Client, every operation's
// signature resolved; the median of 3 loads), reporting zeep's time and the
// ratio beside ours:
//
//	go test ./internal/wsdl -run '^$' -bench CompileVsZeep
func BenchmarkCompileVsZeep(b *testing.B) {
	python := testpeer.Require(b, testpeer.Zeep)
	script := filepath.Join(testpeer.RepoRoot(b), "test", "zeep", "inspect.py")
	for _, c := range largestCases(b, 5) {
		b.Run(c.Name, func(b *testing.B) {
			out, err := exec.Command(python, script, "--bench", "3", c.Entry).Output()
			var z struct {
				OK      bool    `json:"ok"`
				Seconds float64 `json:"seconds_per_load"`
				Error   string  `json:"error"`
			}
			if err == nil {
				err = json.NewDecoder(bytes.NewReader(out)).Decode(&z)
			}
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				if _, err := Open(context.Background(), c.Entry, fetch.Options{}, Lenient); err != nil {
					b.Fatal(err)
				}
			}
			ours := time.Since(start).Seconds() / float64(b.N)
			if err != nil || !z.OK {
				b.Logf("zeep could not load it: %v %s", err, z.Error)
				return
			}
			b.ReportMetric(z.Seconds*1000, "zeep-ms")
			b.ReportMetric(z.Seconds/ours, "x-faster-than-zeep")
		})
	}
}

// BenchmarkCompileRemote compiles netsuite-full (a WSDL importing 47 schema
// documents) from an HTTP server that answers each request after 20 ms, as
// a service across a network does: the imports are read side by side
// (fetch.Loader.ReadAhead), so the compile takes a few round trips, not one
// per document.
func BenchmarkCompileRemote(b *testing.B) {
	dir := filepath.Join(corpusDir, "netsuite-full")
	if _, err := os.Stat(dir); err != nil {
		b.Skip("shared corpus not present")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		http.ServeFile(w, r, filepath.Join(dir, filepath.FromSlash(path.Clean(r.URL.Path))))
	}))
	defer srv.Close()
	for b.Loop() {
		if _, err := Open(context.Background(), srv.URL+"/netsuite.wsdl", fetch.Options{Remote: true}, Lenient); err != nil {
			b.Fatal(err)
		}
	}
}
