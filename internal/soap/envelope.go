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
	nss := codec.EnvelopeNamespaces(v)
	size := len(enc.Body) + len(enc.Header) + 160
	for _, d := range nss {
		size += len(` xmlns:=""`) + len(d[0]) + len(d[1])
	}
	for _, h := range extraHeaders {
		size += len(h)
	}
	b := make([]byte, 0, size)
	b = append(b, `<?xml version="1.0" encoding="utf-8"?>`...)
	b = append(b, `<soapenv:Envelope`...)
	for _, d := range nss {
		b = append(b, ` xmlns:`...)
		b = append(b, d[0]...)
		b = append(b, `="`...)
		b = append(b, d[1]...)
		b = append(b, '"')
	}
	b = append(b, '>')
	if len(enc.Header) > 0 || len(extraHeaders) > 0 {
		b = append(b, "<soapenv:Header>"...)
		for _, h := range extraHeaders {
			b = append(b, h...)
		}
		b = append(b, enc.Header...)
		b = append(b, "</soapenv:Header>"...)
	}
	b = append(b, "<soapenv:Body>"...)
	b = append(b, enc.Body...)
	b = append(b, "</soapenv:Body></soapenv:Envelope>"...)
	r := &Request{Envelope: b}
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
