package codec

import (
	"math/rand"

	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// GenerateInput exposes the value generator of gen_test.go to the external
// test package (which may import soap): a JSON request for op that fits the
// schema, or ok=false when the generator gives up. Header values, keyed as
// in "$headers", are generated for about half of the declared input
// headers; headersByPart holds the same values keyed by part name.
func GenerateInput(c *Codec, op *wsdl.Operation, rng *rand.Rand) (in map[string]any, headersByPart map[string]any, ok bool) {
	g := &generator{c: c, rng: rng}
	in, ok = g.input(op)
	if !ok {
		return nil, nil, false
	}
	hs := map[string]any{}
	headersByPart = map[string]any{}
	for _, h := range op.Input.Headers {
		if h.Part.Element == xsd.NoElem || rng.Intn(2) == 0 {
			continue
		}
		e := c.s.Element(h.Part.Element)
		if e.Abstract || len(e.Substitutes) > 0 {
			continue
		}
		v, ok := g.value(e.Type, false)
		if !ok || v == nil {
			continue
		}
		if _, dup := hs[e.Name.Local]; dup {
			continue
		}
		hs[e.Name.Local] = v
		headersByPart[h.Part.Name] = v
	}
	if len(hs) > 0 {
		in[memberHeaders] = hs
	}
	return in, headersByPart, true
}
