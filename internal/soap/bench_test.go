package soap

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/cputime"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// inventoryResponse is the envelope of docs and notes/performance.md: a
// GetItemsResponse of n items.
func inventoryResponse(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns1:GetItemsResponse xmlns:ns1="urn:example:inventory">`)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<ns1:item sku="S-%d"><ns1:id>%d</ns1:id><ns1:name>Item number %d &amp; co</ns1:name><ns1:price>%d.99</ns1:price><ns1:tags>red</ns1:tags><ns1:tags>big</ns1:tags><ns1:discontinued>false</ns1:discontinued></ns1:item>`, i, i, i, i)
	}
	b.WriteString(`</ns1:GetItemsResponse></soap:Body></soap:Envelope>`)
	return b.Bytes()
}

func inventoryOp(tb testing.TB) (*codec.Codec, *wsdl.Operation) {
	m, err := wsdl.Open(context.Background(), "../../examples/inventory/inventory.wsdl", fetch.Options{}, wsdl.Strict)
	if err != nil {
		tb.Fatal(err)
	}
	return codec.New(m), &m.Bindings[0].Operations[0]
}

// decode decodes the response in r to JSON in bw and flushes it. The
// benchmarks reuse one writer across responses, as upstream.Client does
// through its pool: a writer per response would be the fixed cost that
// dominates small responses, and not one the gateway pays.
func decode(c *codec.Codec, op *wsdl.Operation, r io.Reader, bw *bufio.Writer) error {
	rd := c.NewResponseDecoder(op, bw, codec.DecodeOptions{})
	if err := ReadResponse(r, "text/xml; charset=utf-8", wsdl.SOAP11, rd, c, op, bw, Limits{}); err != nil {
		return err
	}
	return bw.Flush()
}

// discardWriter is the writer the benchmarks decode into: upstream.Client's
// size.
func discardWriter() *bufio.Writer { return bufio.NewWriterSize(io.Discard, 32<<10) }

// benchSizes are the envelope sizes of the benchmarks: about 1 KB, 100 KB
// and 50 MB.
var benchSizes = []struct {
	name  string
	items int
}{
	{"1KB", 4}, {"100KB", 465}, {"50MB", 233_000},
}

// envelopes caches the benchmark envelopes by item count: the 50 MB one
// is built once per process.
var envelopes sync.Map // int -> func() []byte

func envelopeOf(items int) []byte {
	f, _ := envelopes.LoadOrStore(items, sync.OnceValue(func() []byte { return inventoryResponse(items) }))
	return f.(func() []byte)()
}

// BenchmarkDecode decodes GetItemsResponse envelopes of about 1 KB, 100 KB
// and 50 MB into JSON.
func BenchmarkDecode(b *testing.B) {
	c, op := inventoryOp(b)
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			doc := envelopeOf(sz.items)
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			bw := discardWriter()
			cpu := cputime.Process()
			for b.Loop() {
				if err := decode(c, op, bytes.NewReader(doc), bw); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu, len(doc))
		})
	}
}

// reportCPU reports throughput per CPU second of the whole process
// (garbage collection included) since cpu: on a machine shared with other
// work, wall-clock MB/s understates what one core does.
func reportCPU(b *testing.B, cpu time.Duration, size int) {
	if used := cputime.Process() - cpu; used > 0 && cpu > 0 {
		b.ReportMetric(float64(size)*float64(b.N)/used.Seconds()/1e6, "MB/cpu-s")
	}
}

// itemsJSON is the JSON of a GetItemsResponse of n items, the same values
// as inventoryResponse(n).
func itemsJSON(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"item":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"sku":"S-%d","id":%d,"name":"Item number %d & co","price":%d.99,"tags":["red","big"],"discontinued":false}`, i, i, i, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// BenchmarkEncode validates and encodes the JSON of GetItemsResponse
// envelopes of about 1 KB, 100 KB and 50 MB (the response message encoded
// as if it were a request, for a message of that size) and wraps it in an
// envelope; throughput is in envelope bytes.
func BenchmarkEncode(b *testing.B) {
	c, op := inventoryOp(b)
	mirror := *op
	mirror.Input = op.Output
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			in := itemsJSON(sz.items)
			enc, err := c.EncodeInput(&mirror, wsdl.SOAP11, in)
			if err != nil {
				b.Fatal(err)
			}
			size := len(NewRequest(wsdl.SOAP11, op.SOAPAction, enc).Envelope)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			cpu := cputime.Process()
			for b.Loop() {
				enc, err := c.EncodeInput(&mirror, wsdl.SOAP11, in)
				if err != nil {
					b.Fatal(err)
				}
				_ = NewRequest(wsdl.SOAP11, op.SOAPAction, enc)
			}
			reportCPU(b, cpu, size)
		})
	}
}

// BenchmarkDecodeVsPeers decodes the 1 KB, 100 KB and 50 MB envelopes and,
// in the same run, has python3-zeep (binding.process_reply) and node-soap
// (wsdl.xmlToObject) decode the same files, reporting their throughput and
// the ratios (test/bench/compare.sh prints them as a table):
//
//	go test ./internal/soap -run '^$' -bench DecodeVsPeers
func BenchmarkDecodeVsPeers(b *testing.B) {
	c, op := inventoryOp(b)
	root := testpeer.RepoRoot(b)
	python := testpeer.Require(b, testpeer.Zeep)
	node := testpeer.Require(b, testpeer.Node)
	wsdlPath := filepath.Join(root, "examples", "inventory", "inventory.wsdl")
	dir := b.TempDir()
	for _, sz := range benchSizes {
		doc := envelopeOf(sz.items)
		file := filepath.Join(dir, sz.name+".xml")
		if err := os.WriteFile(file, doc, 0o644); err != nil {
			b.Fatal(err)
		}
		// Enough runs for a stable median on small envelopes.
		runs := strconv.Itoa(max(3, min(200, (4<<20)/len(doc))))
		peer := func(name string, cmd *exec.Cmd) float64 {
			out, err := cmd.Output()
			var r struct{ Seconds float64 }
			if err == nil {
				err = json.Unmarshal(out, &r)
			}
			if err != nil || r.Seconds == 0 {
				b.Fatalf("%s: %v %s", name, err, out)
			}
			return float64(len(doc)) / r.Seconds / 1e6
		}
		zeepMBs := peer("zeep", exec.Command(python, filepath.Join(root, "test", "bench", "zeep_decode.py"), wsdlPath, "GetItems", file, runs))
		cmd := exec.Command(node, "decode_bench.js", wsdlPath, file, runs)
		cmd.Dir = testpeer.NodePeerDir(b)
		nodeMBs := peer("node-soap", cmd)
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			bw := discardWriter()
			start := time.Now()
			for b.Loop() {
				if err := decode(c, op, bytes.NewReader(doc), bw); err != nil {
					b.Fatal(err)
				}
			}
			ours := float64(len(doc)) * float64(b.N) / time.Since(start).Seconds() / 1e6
			b.ReportMetric(zeepMBs, "zeep-MB/s")
			b.ReportMetric(nodeMBs, "node-soap-MB/s")
			b.ReportMetric(ours/zeepMBs, "x-zeep")
			b.ReportMetric(ours/nodeMBs, "x-node-soap")
		})
	}
}
