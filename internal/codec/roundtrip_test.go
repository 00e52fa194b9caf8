package codec

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xmltok"
)

// corpusEntries lists the entry WSDLs of ../shared/corpus, or skips.
func corpusEntries(t testing.TB) map[string]string {
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("shared corpus not present: %v", err)
	}
	out := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name(), "case.txt"))
		if err != nil || strings.Contains(string(b), "expect: error") {
			continue
		}
		out[e.Name()] = filepath.Join(dir, e.Name(), strings.TrimSpace(strings.Split(string(b), "\n")[0]))
	}
	return out
}

// roundTrip encodes a JSON request for op, wraps it in an envelope, decodes
// it as if it were the response, and returns the JSON and the envelope.
func roundTrip(t testing.TB, c *Codec, op *wsdl.Operation, v wsdl.SOAPVersion, in []byte) ([]byte, []byte, error) {
	enc, err := c.EncodeInput(op, v, in)
	if err != nil {
		return nil, nil, err
	}
	return decodeInput(c, op, v, enc.Body)
}

// decodeInput wraps body, the XML of op's input message, in an envelope
// and decodes it as if it were op's output. It returns the JSON and the
// envelope.
func decodeInput(c *Codec, op *wsdl.Operation, v wsdl.SOAPVersion, body []byte) ([]byte, []byte, error) {
	env := "http://schemas.xmlsoap.org/soap/envelope/"
	if v == wsdl.SOAP12 {
		env = "http://www.w3.org/2003/05/soap-envelope"
	}
	var xml bytes.Buffer
	xml.WriteString(`<soapenv:Envelope`)
	for _, b := range EnvelopeNamespaces(v) {
		xml.WriteString(` xmlns:` + b[0] + `="` + b[1] + `"`)
	}
	xml.WriteString(`><soapenv:Body>`)
	xml.Write(body)
	xml.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	// Decode the input message as an output.
	mirror := *op
	mirror.Output = op.Input
	d := xmltok.NewDecoderBytes(xml.Bytes(), xmltok.Limits{})
	for {
		tok, err := d.Next()
		if err != nil {
			return nil, xml.Bytes(), err
		}
		if tok.Kind == xmltok.StartElement && tok.Name.Local == "Body" && tok.Name.Space == env {
			break
		}
	}
	var out bytes.Buffer
	bw := bufio.NewWriter(&out)
	rd := c.NewResponseDecoder(&mirror, bw, DecodeOptions{Strict: true})
	first, err := d.Next()
	if err != nil {
		return nil, xml.Bytes(), err
	}
	var fp *xmltok.Token
	if first.Kind == xmltok.StartElement {
		fp = &first
	}
	if err := rd.Body(d, fp); err != nil {
		return nil, xml.Bytes(), err
	}
	return out.Bytes(), xml.Bytes(), nil
}

// TestRoundTripCorpus generates values for the inputs of every operation of
// every corpus case and checks JSON -> XML -> JSON is the identity.
func TestRoundTripCorpus(t *testing.T) {
	entries := corpusEntries(t)
	rng := rand.New(rand.NewSource(42))
	var tried, passed int
	for name, path := range entries {
		m, err := wsdl.Open(context.Background(), path, fetch.Options{}, wsdl.Lenient)
		if err != nil {
			continue
		}
		c := New(m)
		for bi := range m.Bindings {
			b := &m.Bindings[bi]
			for oi := range b.Operations {
				op := &b.Operations[oi]
				if op.Input == nil {
					continue
				}
				for round := 0; round < 3; round++ {
					g := &generator{c: c, rng: rng}
					in, ok := g.input(op)
					if !ok {
						continue
					}
					data, _ := json.Marshal(in)
					tried++
					out, xml, err := roundTrip(t, c, op, b.SOAPVersion, data)
					if err != nil {
						t.Errorf("%s %s: %v\n in: %s\nxml: %s", name, op.Name, err, data, xml)
						continue
					}
					var a, z any
					json.Unmarshal(data, &a)
					json.Unmarshal(out, &z)
					// docs/mapping.md: a repeated element that did not
					// occur is [] in responses; absent in a request.
					if !reflect.DeepEqual(dropEmpty(a), dropEmpty(z)) {
						t.Errorf("%s %s: not the identity\n in: %s\nout: %s\nxml: %s", name, op.Name, data, out, xml)
						continue
					}
					passed++
				}
			}
		}
	}
	t.Logf("%d of %d generated requests round-tripped", passed, tried)
	if tried < 500 {
		t.Errorf("only %d requests generated; the generator gives up too often", tried)
	}
}

// dropEmpty removes members whose value is an empty array.
func dropEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if arr, ok := e.([]any); ok && len(arr) == 0 {
				delete(x, k)
				continue
			}
			x[k] = dropEmpty(e)
		}
	case []any:
		for i := range x {
			x[i] = dropEmpty(x[i])
		}
	}
	return v
}
