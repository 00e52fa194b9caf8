package soap

import (
	"mime"
	"strings"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// Request is an encoded SOAP request, ready for an HTTP POST.
type Request struct {
	Envelope []byte
	// ContentType is the Content-Type header; for SOAP 1.2 it carries the
	// action parameter.
	ContentType string
	// SOAPAction is the SOAPAction header value for SOAP 1.1 (quoted, as
	// the header requires); empty for SOAP 1.2.
	SOAPAction string
}

// EnvelopeNS returns the envelope namespace of a SOAP version.
func EnvelopeNS(v wsdl.SOAPVersion) string {
	if v == wsdl.SOAP12 {
		return codec.NSSOAP12Env
	}
	return codec.NSSOAP11Env
}

// NewRequest wraps encoded body and header content in an envelope of
// version v. extraHeaders are further header blocks (WS-Security, custom
// headers), placed before the message's own.
func NewRequest(v wsdl.SOAPVersion, action string, enc *codec.Encoded, extraHeaders ...[]byte) *Request {
	var b strings.Builder
	size := len(enc.Body) + len(enc.Header) + 256
	for _, h := range extraHeaders {
		size += len(h)
	}
	b.Grow(size)
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>`)
	b.WriteString(`<soapenv:Envelope`)
	for _, d := range codec.EnvelopeNamespaces(v) {
		b.WriteString(` xmlns:` + d[0] + `="` + d[1] + `"`)
	}
	b.WriteString(`>`)
	if len(enc.Header) > 0 || len(extraHeaders) > 0 {
		b.WriteString("<soapenv:Header>")
		for _, h := range extraHeaders {
			b.Write(h)
		}
		b.Write(enc.Header)
		b.WriteString("</soapenv:Header>")
	}
	b.WriteString("<soapenv:Body>")
	b.Write(enc.Body)
	b.WriteString("</soapenv:Body></soapenv:Envelope>")
	r := &Request{Envelope: []byte(b.String())}
	if v == wsdl.SOAP12 {
		params := map[string]string{"charset": "utf-8"}
		if action != "" {
			params["action"] = action
		}
		r.ContentType = mime.FormatMediaType("application/soap+xml", params)
	} else {
		r.ContentType = "text/xml; charset=utf-8"
		r.SOAPAction = `"` + strings.ReplaceAll(action, `"`, "") + `"`
	}
	return r
}
