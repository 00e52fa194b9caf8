package soap

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// streamedEnvelope is an io.Reader of a GetItemsResponse envelope of at
// least size bytes, generated as it is read: it is never in memory whole.
type streamedEnvelope struct {
	head, item, tail []byte
	items, left      int // items to send, items not yet sent
	buf              []byte
	sentTail         bool
}

func newStreamedEnvelope(size int64) *streamedEnvelope {
	doc := inventoryResponse(1)
	i := bytes.Index(doc, []byte("<ns1:item "))
	j := bytes.Index(doc, []byte("</ns1:GetItemsResponse>"))
	s := &streamedEnvelope{head: doc[:i], item: doc[i:j], tail: doc[j:]}
	s.items = int(size/int64(len(s.item))) + 1
	s.left = s.items
	s.buf = s.head
	return s
}

func (s *streamedEnvelope) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(s.buf) == 0 {
			switch {
			case s.left > 0:
				s.left--
				s.buf = s.item
			case !s.sentTail:
				s.sentTail = true
				s.buf = s.tail
			default:
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
		}
		c := copy(p[n:], s.buf)
		s.buf = s.buf[c:]
		n += c
	}
	return n, nil
}

func (s *streamedEnvelope) size() int64 {
	return int64(len(s.head)) + int64(s.items)*int64(len(s.item)) + int64(len(s.tail))
}

// countingWriter counts the JSON written, and the items in it.
type countingWriter struct {
	n     int64
	items int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.items += bytes.Count(p, []byte(`"sku":`))
	return len(p), nil
}

const streamEnv = "SOAPBRIDGE_STREAM_MB"

// streamMB is the size of the streamed response: 500 MB, or
// $SOAPBRIDGE_STREAM_MB.
func streamMB() int64 {
	if v, err := strconv.ParseInt(os.Getenv(streamEnv), 10, 64); err == nil && v > 0 {
		return v
	}
	return 500
}

// TestStreamedDecodeMemory decodes a 500 MB response, generated on the
// fly, in a child process and checks the child's peak RSS (getrusage
// ru_maxrss, the kernel's high-water mark of resident memory) stays under
// 64 MiB: responses are decoded as they stream, never held whole. It
// takes about 10 s on one core; -short skips it. Run it alone with
//
//	go test ./internal/soap -run TestStreamedDecodeMemory -v
//
// and another size with SOAPBRIDGE_STREAM_MB=2000.
func TestStreamedDecodeMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 500 MB response")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory: the bound is measured without it")
	}
	if os.Getenv("SOAPBRIDGE_STREAM_CHILD") == "1" {
		t.Skip("in the child")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStreamedDecodeChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "SOAPBRIDGE_STREAM_CHILD=1")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	elapsed := time.Since(start)
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage for the child")
	}
	peak := ru.Maxrss * 1024 // kilobytes on Linux
	line := ""
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "decoded ") {
			line = strings.TrimSpace(l)
		}
	}
	if line == "" {
		t.Fatalf("the child did not report:\n%s", out)
	}
	t.Logf("%s; child peak RSS %.1f MiB; %s", line, float64(peak)/(1<<20), elapsed.Round(time.Millisecond))
	if peak >= 64<<20 {
		t.Errorf("peak RSS %.1f MiB while decoding a streamed response; want under 64 MiB", float64(peak)/(1<<20))
	}
}

// TestStreamedDecodeChild is the child of TestStreamedDecodeMemory.
func TestStreamedDecodeChild(t *testing.T) {
	if os.Getenv("SOAPBRIDGE_STREAM_CHILD") != "1" {
		t.Skip("run by TestStreamedDecodeMemory")
	}
	c, op := inventoryOp(t)
	src := newStreamedEnvelope(streamMB() << 20)
	w := &countingWriter{}
	bw := bufio.NewWriterSize(w, 64<<10)
	rd := c.NewResponseDecoder(op, bw, codec.DecodeOptions{})
	start := time.Now()
	if err := ReadResponse(src, "text/xml; charset=utf-8", wsdl.SOAP11, rd, c, op, bw, Limits{}); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	if w.items != src.items {
		t.Fatalf("decoded %d items, sent %d", w.items, src.items)
	}
	hwm := ""
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				hwm = strings.Join(strings.Fields(l)[1:], " ")
			}
		}
	}
	fmt.Printf("decoded %d MB (%d items) into %d MB of JSON in %s (%.0f MB/s); VmHWM %s\n",
		src.size()/1e6, src.items, w.n/1e6, d.Round(time.Millisecond), float64(src.size())/d.Seconds()/1e6, hwm)
}
