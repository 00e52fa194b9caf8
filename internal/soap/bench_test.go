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
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
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

func decode(c *codec.Codec, op *wsdl.Operation, r io.Reader, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	rd := c.NewResponseDecoder(op, bw, codec.DecodeOptions{})
	return ReadResponse(r, "text/xml; charset=utf-8", wsdl.SOAP11, rd, c, op, bw, Limits{})
}

// BenchmarkDecode decodes GetItemsResponse envelopes of about 1 KB, 100 KB
// and 22 MB (the notes' anchor) into JSON.
func BenchmarkDecode(b *testing.B) {
	c, op := inventoryOp(b)
	for _, n := range []int{4, 450, 100_000} {
		doc := inventoryResponse(n)
		b.Run(fmt.Sprintf("%dKB", len(doc)>>10), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if err := decode(c, op, bytes.NewReader(doc), io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeVsPeers decodes the notes' 22 MB envelope and, in the same
// run, has python3-zeep (binding.process_reply) and node-soap
// (wsdl.xmlToObject) decode the same file, reporting their throughput and
// the ratios:
//
//	go test ./internal/soap -run '^$' -bench DecodeVsPeers -benchtime 5x
func BenchmarkDecodeVsPeers(b *testing.B) {
	c, op := inventoryOp(b)
	doc := inventoryResponse(100_000)
	root := testpeer.RepoRoot(b)
	file := filepath.Join(b.TempDir(), "envelope.xml")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		b.Fatal(err)
	}
	wsdlPath := filepath.Join(root, "examples", "inventory", "inventory.wsdl")
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
	zeepMBs := peer("zeep", exec.Command(testpeer.Require(b, testpeer.Zeep), filepath.Join(root, "test", "bench", "zeep_decode.py"), wsdlPath, "GetItems", file, "3"))
	node := testpeer.Require(b, testpeer.Node)
	cmd := exec.Command(node, "decode_bench.js", wsdlPath, file, "3")
	cmd.Dir = testpeer.NodePeerDir(b)
	nodeMBs := peer("node-soap", cmd)
	b.SetBytes(int64(len(doc)))
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if err := decode(c, op, bytes.NewReader(doc), io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	ours := float64(len(doc)) * float64(b.N) / time.Since(start).Seconds() / 1e6
	b.ReportMetric(zeepMBs, "zeep-MB/s")
	b.ReportMetric(nodeMBs, "node-soap-MB/s")
	b.ReportMetric(ours/zeepMBs, "x-zeep")
	b.ReportMetric(ours/nodeMBs, "x-node-soap")
}
