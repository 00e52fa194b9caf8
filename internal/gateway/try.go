package gateway

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"html"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/upstream"
)

// TryResult is the answer of POST /v1/admin/services/{service}/try/{operation}:
// what the data API would have answered, with the SOAP exchange behind it,
// secrets redacted. The dashboard's "Try it" shows it.
type TryResult struct {
	// Status and Body are the data API's answer: the output JSON, or a
	// problem.
	Status    int             `json:"status"`
	Body      json.RawMessage `json:"body"`
	LatencyMS float64         `json:"latency_ms"`
	Port      string          `json:"port"`
	Endpoint  string          `json:"endpoint,omitempty"`
	// SOAPRequest and SOAPResponse are the envelopes as sent and received,
	// with passwords, configured SOAP headers and other secrets replaced
	// by "***".
	SOAPRequest    string `json:"soap_request,omitempty"`
	SOAPResponse   string `json:"soap_response,omitempty"`
	UpstreamStatus int    `json:"upstream_status,omitempty"`
}

// try is the admin's "Try it": a call through the service's configured
// auth, answered with the exchange. It is logged and counted like a call.
func (g *Gateway) try(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	name, opName := r.PathValue("service"), r.PathValue("operation")
	s := g.service(name)
	if s == nil {
		writeProblem(w, r, g.missing(name))
		return
	}
	b, err := s.operation(opName, r.URL.Query().Get("port"))
	if err != nil {
		p := problem(http.StatusNotFound, "unknown-operation", "Unknown Operation", err.Error())
		p.Operations = s.operationNames()
		writeProblem(w, r, p)
		return
	}
	body, p := g.readCallBody(w, r)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	var out bytes.Buffer
	x := &upstream.Exchange{}
	t, err := g.invoke(r.Context(), s, b, body, &out, x)
	res := TryResult{Status: http.StatusOK, Port: b.port.Name}
	outcome, errText := "ok", ""
	switch {
	case err == nil:
		res.Body = out.Bytes()
	case t == nil:
		p := err.(*Problem)
		res.Status, res.Body, outcome, errText = p.Status, problemJSON(w, r, p), "upstream", p.Detail
	default:
		p, o := callProblem(err, t)
		s.auth.hideSecretsIn(p)
		res.Status, res.Body, outcome, errText = p.Status, problemJSON(w, r, p), o, p.Detail
	}
	if t != nil {
		res.Endpoint = t.Endpoint
		secrets := s.auth.secrets()
		res.SOAPRequest = redact(x.Request, secrets)
		res.SOAPResponse = redact(x.Response, secrets)
		res.UpstreamStatus = x.Status
	}
	res.LatencyMS = float64(time.Since(start).Microseconds()) / 1000
	g.calls.add(callRecord(g, r, name, opName, b.port.Name, res.Status, outcome, errText, time.Since(start)))
	g.log.Info("try", "service", name, "operation", opName, "port", b.port.Name, "status", res.Status,
		"latency_ms", res.LatencyMS, "key", keyOf(r).Name, "outcome", outcome, "request_id", w.Header().Get("X-Request-Id"))
	writeJSON(w, http.StatusOK, res)
}

func problemJSON(w http.ResponseWriter, r *http.Request, p *Problem) json.RawMessage {
	p.Instance = r.URL.Path
	p.RequestID = w.Header().Get("X-Request-Id")
	b, _ := json.Marshal(p)
	return b
}

// secrets lists the values a dump must not show.
func (a *upstreamAuth) secrets() []string {
	var out []string
	if a.password != "" {
		out = append(out, a.password)
	}
	for _, vs := range a.headers {
		out = append(out, vs...)
	}
	for _, b := range a.soapHeaders {
		out = append(out, string(b))
		out = append(out, blockValues(b)...)
	}
	return out
}

// blockValues lists the text and attribute values of a SOAP header block:
// an upstream that quotes the token it was sent quotes the text, not the
// block.
func blockValues(block []byte) []string {
	var out []string
	d := xml.NewDecoder(bytes.NewReader(block))
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		switch t := tok.(type) {
		case xml.CharData:
			if v := strings.TrimSpace(string(t)); v != "" {
				out = append(out, v)
			}
		case xml.StartElement:
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" && strings.TrimSpace(a.Value) != "" {
					out = append(out, a.Value)
				}
			}
		}
	}
}

// passwordRE finds the content of WS-Security Password and Nonce elements.
var passwordRE = regexp.MustCompile(`(<(?:[A-Za-z_][\w.-]*:)?(?:Password|Nonce)\b[^>]*>)[^<]*(</)`)

// redact replaces the secrets in an XML dump, in plain and in escaped form,
// and the content of every Password and Nonce element, by "***".
func redact(xml []byte, secrets []string) string {
	if len(xml) == 0 {
		return ""
	}
	s := passwordRE.ReplaceAllString(string(xml), "${1}***${2}")
	return hideSecrets(s, secrets)
}

// hideSecrets replaces the secrets in s, as they are and escaped for XML
// or JSON, by "***". Secrets shorter than 3 bytes are left: they cannot
// be found without mangling the text.
func hideSecrets(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) < 3 {
			continue
		}
		s = strings.ReplaceAll(s, v, "***")
		if esc := html.EscapeString(v); esc != v {
			s = strings.ReplaceAll(s, esc, "***")
		}
		for _, escapeHTML := range []bool{true, false} {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(escapeHTML)
			if enc.Encode(v) == nil {
				if esc := strings.TrimSuffix(b.String(), "\n"); len(esc) > 2 && esc[1:len(esc)-1] != v {
					s = strings.ReplaceAll(s, esc[1:len(esc)-1], "***")
				}
			}
		}
	}
	return s
}

// hideSecretsIn removes the service's secrets from a problem about a call
// (see hideSecrets): an upstream's fault or error page may quote what it
// was sent, such as the token of a configured header, and the caller of
// the data API must not learn it.
func (a *upstreamAuth) hideSecretsIn(p *Problem) {
	secrets := a.secrets()
	if len(secrets) == 0 {
		return
	}
	p.Detail = hideSecrets(p.Detail, secrets)
	if pf, ok := p.Fault.(*soap.Fault); ok && pf != nil {
		f := *pf
		f.Reason = hideSecrets(f.Reason, secrets)
		f.Role, f.Node = hideSecrets(f.Role, secrets), hideSecrets(f.Node, secrets)
		if len(f.Detail) > 0 {
			f.Detail = json.RawMessage(hideSecrets(string(f.Detail), secrets))
		}
		p.Fault = &f
	}
	if p.Diagnosis != nil {
		d := *p.Diagnosis
		d.Summary, d.Fix = hideSecrets(d.Summary, secrets), hideSecrets(d.Fix, secrets)
		p.Diagnosis = &d
	}
}
