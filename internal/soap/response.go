package soap

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"sync"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xmltok"
)

// Limits bound what ReadResponse accepts.
type Limits struct {
	Tokens xmltok.Limits
	// MaxAttachments bounds the bytes of MTOM parts held in memory,
	// each part counting 256 bytes and its Content-ID besides.
	MaxAttachments int64
}

// Fault is a SOAP 1.1 or 1.2 fault.
type Fault struct {
	Version wsdl.SOAPVersion `json:"soap_version"`
	// Code is the fault code normalized across versions: "Sender" (1.1
	// Client), "Receiver" (1.1 Server), "VersionMismatch",
	// "MustUnderstand", "DataEncodingUnknown", or the code's local name.
	Code string `json:"code"`
	// RawCode is the code as sent, "{namespace}local".
	RawCode  string   `json:"raw_code"`
	Subcodes []string `json:"subcodes,omitempty"`
	Reason   string   `json:"reason"`
	// Role is faultactor (1.1) or Role (1.2); Node is 1.2's Node.
	Role string `json:"role,omitempty"`
	Node string `json:"node,omitempty"`
	// Name is the declared wsdl:fault the detail matched, if any.
	Name string `json:"fault,omitempty"`
	// Detail is the decoded detail: an object keyed by the local names of
	// the detail's children, typed by the fault's schema when declared.
	Detail json.RawMessage `json:"detail,omitempty"`
}

func (f *Fault) Error() string {
	s := fmt.Sprintf("SOAP fault %s: %s", f.Code, f.Reason)
	if f.Name != "" {
		s += " (" + f.Name + ")"
	}
	return s
}

// IsClient reports whether the fault blames the request (Client/Sender).
func (f *Fault) IsClient() bool { return f.Code == "Sender" }

// VersionMismatchError is returned when the response envelope is of another
// SOAP version than the request.
type VersionMismatchError struct {
	Sent, Got wsdl.SOAPVersion
}

func (e *VersionMismatchError) Error() string {
	return fmt.Sprintf("soap: sent a SOAP %s request, the response is a SOAP %s envelope", e.Sent, e.Got)
}

// ProtocolError is a response that is not a SOAP envelope.
type ProtocolError struct {
	Msg string
}

func (e *ProtocolError) Error() string { return "soap: " + e.Msg }

// decoders reuses tokenizers (with default limits) between responses.
var decoders = sync.Pool{New: func() any { return xmltok.NewDecoder(nil, xmltok.Limits{}) }}

// ReadResponse reads a response of content type contentType from r. The
// output message's JSON is written to w; a SOAP fault is returned as a
// *Fault. v is the SOAP version of the request.
func ReadResponse(r io.Reader, contentType string, v wsdl.SOAPVersion, rd *codec.ResponseDecoder, c *codec.Codec, op *wsdl.Operation, w *bufio.Writer, lim Limits) error {
	opts := codec.DecodeOptions{}
	mt, params, _ := mime.ParseMediaType(contentType)
	if strings.EqualFold(mt, "multipart/related") {
		root, parts, err := readMultipart(r, params, lim)
		if err != nil {
			return err
		}
		r = bytes.NewReader(root)
		// A part may be included more than once, but the bytes
		// included are at most those of all parts and a mebibyte: a
		// megabyte part included a thousand times would otherwise be
		// a gigabyte of output (or of one value, in memory) from a
		// small message.
		budget, included := int64(1<<20), int64(0)
		for _, b := range parts {
			budget += int64(len(b))
		}
		opts.Attachment = func(cid string) ([]byte, error) {
			b, ok := parts[strings.TrimPrefix(cid, "cid:")]
			if !ok {
				return nil, errors.New("no such MIME part")
			}
			if included += int64(len(b)); included > budget {
				return nil, fmt.Errorf("parts included again and again add up to more than %d bytes, those of all parts and 1 MiB", budget)
			}
			return b, nil
		}
		rd.SetOptions(opts)
	}
	if op != nil && op.Output != nil && op.Output.Use == wsdl.Encoded {
		// SOAP-encoded responses may share values through multiRef
		// elements; they are small, so they are read whole and the
		// references inlined.
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		if data, err = inlineMultiRefs(data); err != nil {
			return err
		}
		r = bytes.NewReader(data)
	}
	d := decoders.Get().(*xmltok.Decoder)
	defer decoders.Put(d)
	d.Reset(r)
	if lim.Tokens != (xmltok.Limits{}) {
		d = xmltok.NewDecoder(r, lim.Tokens)
	}
	env, err := firstElement(d)
	if err != nil {
		return err
	}
	got := wsdl.SOAPVersion("")
	switch env.Name.Space {
	case codec.NSSOAP11Env:
		got = wsdl.SOAP11
	case codec.NSSOAP12Env:
		got = wsdl.SOAP12
	}
	if env.Name.Local != "Envelope" || got == "" {
		return &ProtocolError{Msg: fmt.Sprintf("the response is not a SOAP envelope (root element %s)", env.Name.Local)}
	}
	ns := env.Name.Space
	for {
		tok, err := d.Next()
		if err != nil {
			return tokenError(err)
		}
		if tok.Kind == xmltok.EndElement {
			return &ProtocolError{Msg: "the envelope has no Body"}
		}
		if tok.Kind != xmltok.StartElement {
			continue
		}
		switch {
		case tok.Name.Space == ns && tok.Name.Local == "Header":
			if err := readHeaders(d, rd); err != nil {
				return err
			}
		case tok.Name.Space == ns && tok.Name.Local == "Body":
			return readBody(d, ns, got, v, rd, c, op, w, opts)
		default:
			if err := d.Skip(); err != nil {
				return tokenError(err)
			}
		}
	}
}

func tokenError(err error) error {
	if errors.Is(err, io.EOF) {
		return &ProtocolError{Msg: "the response ends before the envelope does"}
	}
	var se *xmltok.SyntaxError
	if errors.As(err, &se) {
		return &ProtocolError{Msg: "the response is not well-formed XML: " + se.Error()}
	}
	return err
}

func firstElement(d *xmltok.Decoder) (xmltok.Token, error) {
	for {
		tok, err := d.Next()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return tok, &ProtocolError{Msg: "the response is empty"}
			}
			return tok, tokenError(err)
		}
		if tok.Kind == xmltok.StartElement {
			return tok, nil
		}
		if tok.Kind == xmltok.Text && len(bytes.TrimSpace(tok.Text)) > 0 {
			return tok, &ProtocolError{Msg: "the response is not XML"}
		}
	}
}

func readHeaders(d *xmltok.Decoder, rd *codec.ResponseDecoder) error {
	for {
		tok, err := d.Next()
		if err != nil {
			return tokenError(err)
		}
		switch tok.Kind {
		case xmltok.EndElement:
			return nil
		case xmltok.StartElement:
			if err := rd.Header(d, tok); err != nil {
				return err
			}
		}
	}
}

// readBody decodes the body, or its fault. A fault must be the body's
// first element.
func readBody(d *xmltok.Decoder, ns string, got, sent wsdl.SOAPVersion, rd *codec.ResponseDecoder, c *codec.Codec, op *wsdl.Operation, w *bufio.Writer, opts codec.DecodeOptions) error {
	// Peek at the first child: a Fault, or the output.
	var first xmltok.Token
	for {
		tok, err := d.Next()
		if err != nil {
			return tokenError(err)
		}
		if tok.Kind == xmltok.StartElement {
			first = tok
			break
		}
		if tok.Kind == xmltok.EndElement {
			break
		}
	}
	if first.Kind == xmltok.StartElement && first.Name.Space == ns && first.Name.Local == "Fault" {
		f, err := readFault(d, got, c, op, opts)
		if err != nil {
			return err
		}
		if got != sent && f.Code == "VersionMismatch" {
			return &VersionMismatchError{Sent: sent, Got: got}
		}
		return f
	}
	if got != sent {
		return &VersionMismatchError{Sent: sent, Got: got}
	}
	if first.Kind == xmltok.StartElement {
		return rd.Body(d, &first)
	}
	return rd.Body(d, nil)
}

// readFault reads a Fault element's children (its start tag was read).
func readFault(d *xmltok.Decoder, v wsdl.SOAPVersion, c *codec.Codec, op *wsdl.Operation, opts codec.DecodeOptions) (*Fault, error) {
	f := &Fault{Version: v}
	text := func() (string, error) {
		var b []byte
		for {
			tok, err := d.Next()
			if err != nil {
				return "", tokenError(err)
			}
			switch tok.Kind {
			case xmltok.Text:
				b = append(b, tok.Text...)
			case xmltok.StartElement:
				if err := d.Skip(); err != nil {
					return "", tokenError(err)
				}
			case xmltok.EndElement:
				return strings.TrimSpace(string(b)), nil
			}
		}
	}
	qname := func(s string) string {
		prefix, local, ok := strings.Cut(s, ":")
		if !ok {
			prefix, local = "", s
		}
		if ns, ok := d.LookupPrefix(prefix); ok && ns != "" {
			return "{" + ns + "}" + local
		}
		return local
	}
	detail := func() error {
		var buf bytes.Buffer
		bw := bufio.NewWriter(&buf)
		name, err := c.DecodeFaultDetail(d, op, bw, opts)
		if err != nil {
			return err
		}
		f.Name = name
		if buf.Len() > 2 {
			f.Detail = json.RawMessage(buf.Bytes())
		}
		return nil
	}
	for {
		tok, err := d.Next()
		if err != nil {
			return nil, tokenError(err)
		}
		if tok.Kind == xmltok.EndElement {
			break
		}
		if tok.Kind != xmltok.StartElement {
			continue
		}
		var err2 error
		switch tok.Name.Local {
		case "faultcode":
			var s string
			s, err2 = text()
			f.RawCode = qname(s)
		case "faultstring":
			f.Reason, err2 = text()
		case "faultactor":
			f.Role, err2 = text()
		case "detail", "Detail":
			err2 = detail()
		case "Code":
			err2 = readCode(d, f, text, qname)
		case "Reason":
			err2 = readReason(d, f, text)
		case "Node":
			f.Node, err2 = text()
		case "Role":
			f.Role, err2 = text()
		default:
			err2 = d.Skip()
		}
		if err2 != nil {
			return nil, err2
		}
	}
	f.Code = normalizeCode(f.RawCode)
	return f, nil
}

func readCode(d *xmltok.Decoder, f *Fault, text func() (string, error), qname func(string) string) error {
	top := true
	for {
		tok, err := d.Next()
		if err != nil {
			return tokenError(err)
		}
		switch tok.Kind {
		case xmltok.EndElement:
			if tok.Name.Local == "Code" {
				return nil
			}
		case xmltok.StartElement:
			switch tok.Name.Local {
			case "Value":
				s, err := text()
				if err != nil {
					return err
				}
				if top {
					f.RawCode = qname(s)
					top = false
				} else {
					f.Subcodes = append(f.Subcodes, qname(s))
				}
			case "Subcode":
				// Descend: its Value is the next subcode.
			default:
				if err := d.Skip(); err != nil {
					return tokenError(err)
				}
			}
		}
	}
}

func readReason(d *xmltok.Decoder, f *Fault, text func() (string, error)) error {
	for {
		tok, err := d.Next()
		if err != nil {
			return tokenError(err)
		}
		switch tok.Kind {
		case xmltok.EndElement:
			return nil
		case xmltok.StartElement:
			s, err := text()
			if err != nil {
				return err
			}
			if f.Reason == "" {
				f.Reason = s
			}
		}
	}
}

// normalizeCode maps the fault codes of both versions onto SOAP 1.2 names.
func normalizeCode(raw string) string {
	local := raw
	if i := strings.LastIndexByte(raw, '}'); i >= 0 {
		local = raw[i+1:]
	}
	// SOAP 1.1 allows dotted codes such as Client.Authentication.
	base, _, _ := strings.Cut(local, ".")
	switch base {
	case "Client", "Sender":
		return "Sender"
	case "Server", "Receiver":
		return "Receiver"
	}
	return base
}

// partOverhead is what a MIME part counts against Limits.MaxAttachments
// besides its bytes and its Content-ID.
const partOverhead = 256

// readMultipart reads an MTOM/XOP multipart/related message: the root part
// (named by the start parameter, else the first) and the other parts by
// Content-ID.
func readMultipart(r io.Reader, params map[string]string, lim Limits) ([]byte, map[string][]byte, error) {
	boundary := params["boundary"]
	if boundary == "" {
		return nil, nil, &ProtocolError{Msg: "multipart/related response without a boundary"}
	}
	max := lim.MaxAttachments
	if max <= 0 {
		max = 64 << 20
	}
	start := strings.Trim(params["start"], "<>")
	mr := multipart.NewReader(r, boundary)
	parts := map[string][]byte{}
	var root []byte
	var total int64
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, &ProtocolError{Msg: "malformed multipart response: " + err.Error()}
		}
		b, err := io.ReadAll(io.LimitReader(p, max-total+1))
		if err != nil {
			return nil, nil, err
		}
		// Each part counts what keeping it costs besides its bytes:
		// a message of a million empty parts was a million entries.
		total += int64(len(b)) + partOverhead + int64(len(p.Header.Get("Content-ID")))
		if total > max {
			return nil, nil, &ProtocolError{Msg: fmt.Sprintf("MTOM attachments larger than %d bytes", max)}
		}
		if enc := p.Header.Get("Content-Transfer-Encoding"); strings.EqualFold(enc, "base64") {
			if dec, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(b), nil))); err == nil {
				b = dec
			}
		}
		id := strings.Trim(p.Header.Get("Content-ID"), "<>")
		if root == nil && (start == "" || id == start) {
			root = b
			continue
		}
		parts[id] = b
	}
	if root == nil {
		return nil, nil, &ProtocolError{Msg: "multipart response without its root part"}
	}
	return root, parts, nil
}
