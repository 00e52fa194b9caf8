package codec

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// Namespaces the codec writes.
const (
	NSSOAP11Env = "http://schemas.xmlsoap.org/soap/envelope/"
	NSSOAP12Env = "http://www.w3.org/2003/05/soap-envelope"
)

// Codec encodes and decodes the messages of one compiled model. It is safe
// for concurrent use; per-type plans are built on first use.
type Codec struct {
	m      *wsdl.Model
	s      *xsd.Schema
	plans  []atomic.Pointer[plan]
	checks []atomic.Pointer[facetCheck]
}

// New returns a Codec for m.
func New(m *wsdl.Model) *Codec {
	return &Codec{
		m:      m,
		s:      m.Schema,
		plans:  make([]atomic.Pointer[plan], len(m.Schema.Types)),
		checks: make([]atomic.Pointer[facetCheck], len(m.Schema.Types)),
	}
}

// Model returns the model the codec was built for.
func (c *Codec) Model() *wsdl.Model { return c.m }

func (c *Codec) plan(id xsd.TypeID) *plan {
	if p := c.plans[id].Load(); p != nil {
		return p
	}
	p := buildPlan(c.s, c.s.Type(id))
	c.plans[id].Store(p)
	return p
}

func (c *Codec) check(id xsd.TypeID) *facetCheck {
	if f := c.checks[id].Load(); f != nil {
		return f
	}
	f := newFacetCheck(c.s.Type(id))
	c.checks[id].Store(f)
	return f
}

// Problem is one way a request does not fit the schema.
type Problem struct {
	// Pointer is the RFC 6901 JSON pointer of the offending value ("" for
	// the whole request).
	Pointer string `json:"pointer"`
	// Detail says what is wrong, Expected what would be right.
	Detail   string `json:"detail"`
	Expected string `json:"expected,omitempty"`
}

// ValidationError lists every problem found in a request.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "codec: request does not fit the schema (%d problem", len(e.Problems))
	if len(e.Problems) != 1 {
		b.WriteByte('s')
	}
	b.WriteString(")")
	for i, p := range e.Problems {
		if i == 5 {
			b.WriteString("; …")
			break
		}
		ptr := orRoot(p.Pointer)
		if len(ptr) > 128 {
			ptr = QuoteCut(ptr) // a member name can be a megabyte long
		}
		fmt.Fprintf(&b, "; %s: %s", ptr, p.Detail)
		if p.Expected != "" {
			b.WriteString(", want " + p.Expected)
		}
	}
	return b.String()
}

func orRoot(p string) string {
	if p == "" {
		return "(request)"
	}
	return p
}

// maxProblems bounds the problems reported for one request.
const maxProblems = 100

// xsdName renders a type's name for messages: built-ins by local name.
func (c *Codec) typeLabel(id xsd.TypeID) string {
	t := c.s.Type(id)
	if t.Name.IsZero() {
		return "an anonymous " + map[bool]string{true: "simple", false: "complex"}[t.Simple] + " type"
	}
	if t.Name.Space == xsd.NSXSD {
		return t.Name.Local
	}
	return t.Name.Local
}
