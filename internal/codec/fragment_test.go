package codec

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xmltok"
)

// inEnvelope parses fragment inside a SOAP envelope declaring the
// envelope's prefixes, as the gateway sends it.
func inEnvelope(fragment string) error {
	var b strings.Builder
	b.WriteString("<soapenv:Envelope")
	for _, ns := range EnvelopeNamespaces(wsdl.SOAP11) {
		b.WriteString(" xmlns:" + ns[0] + `="` + ns[1] + `"`)
	}
	b.WriteString("><soapenv:Body>" + fragment + "</soapenv:Body></soapenv:Envelope>")
	d := xmltok.NewDecoderBytes([]byte(b.String()), xmltok.Limits{MaxDepth: 1 << 20})
	for {
		if _, err := d.Next(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

func TestCheckElement(t *testing.T) {
	for s, want := range map[string]string{
		`<a/>`:                               "",
		`<x:a xmlns:x="urn:x"><b/></x:a>`:    "urn:x",
		`<a xmlns="urn:d"><b xmlns=""/></a>`: "urn:d",
		` <!-- c --> <soapenv:Fault/> `:      NSSOAP11Env,
	} {
		if ns, err := CheckElement(s, wsdl.SOAP11); err != nil || ns != want {
			t.Errorf("%s: %q, %v; want %q", s, ns, err, want)
		}
	}
	for _, s := range []string{
		``, `text`, `<a/>text`, `<a/><b/>`, `<a>`, `</a>`, `<a></b>`, `<x:a/>`, `<a x:b="1"/>`,
		`<a b="1" b="2"/>`, `<?xml version="1.0"?><a/>`, `<!DOCTYPE a><a/>`, `<a>&ent;</a>`, "<a>\x01</a>",
		`<a×b/>`, `<x:a xmlns:x=""/>`, `<a xmlns:x="u" xmlns:y="u" x:b="1" y:b="2"/>`, `<xmlns:a/>`, `<a><x:b xmlns:x="u"/><x:c/></a>`,
	} {
		if _, err := CheckElement(s, wsdl.SOAP11); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
	// The message names markup, never text: a header block may hold a
	// credential.
	if _, err := CheckElement(`<a>s3cr3t&s3cr3t;</a>`, wsdl.SOAP11); err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("error %v", err)
	}
}

// FuzzCheckElement: what CheckElement accepts, copied into an envelope,
// is a well-formed, namespace-well-formed document.
func FuzzCheckElement(f *testing.F) {
	for _, s := range []string{`<a/>`, `<x:a xmlns:x="urn:x" xsi:nil="true"><b>t&amp;</b></x:a>`, `<a><![CDATA[x]]></a>`, `<?pi x?><a/>`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := CheckElement(s, wsdl.SOAP11); err != nil {
			return
		}
		if err := inEnvelope(s); err != nil {
			t.Fatalf("%q accepted, but in an envelope: %v", s, err)
		}
	})
}
