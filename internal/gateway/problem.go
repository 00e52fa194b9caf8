package gateway

import (
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// problemBase is where the problem types are documented.
const problemBase = "https://github.com/soapbridge/soapbridge/blob/main/docs/problems.md#"

// Problem is an RFC 9457 problem detail. Members beyond the standard five
// are extensions; each problem type in docs/problems.md says which it has.
type Problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Instance string `json:"instance,omitempty"`

	// Errors lists every way a request does not fit the schema.
	Errors any `json:"errors,omitempty"`
	// Fault is the upstream's SOAP fault.
	Fault any `json:"fault,omitempty"`
	// Diagnosis says what went wrong upstream and what to change.
	Diagnosis *Diagnosis `json:"diagnosis,omitempty"`
	// Operations lists what a service offers, with an unknown operation.
	Operations []string `json:"operations,omitempty"`
	// RequestID names the request in soapbridge's log.
	RequestID string `json:"request_id,omitempty"`
}

// Diagnosis is soapbridge's reading of an upstream problem.
type Diagnosis struct {
	// Kind is "dns", "unreachable", "tls", "timeout", "auth", "http",
	// "too_large", "soap_version", "config" or "protocol".
	Kind string `json:"kind"`
	// Reason refines kind "kerberos": kdc_unreachable, realm_unknown,
	// user_unknown, bad_password, account, spn_unknown, clock_skew,
	// enctype, ticket_refused.
	Reason  string `json:"reason,omitempty"`
	Summary string `json:"summary"`
	Fix     string `json:"fix,omitempty"`
	// UpstreamStatus is the upstream's HTTP status, when it answered.
	UpstreamStatus int `json:"upstream_status,omitempty"`
	// OfferedAuth lists the schemes of the upstream's WWW-Authenticate.
	OfferedAuth []string `json:"offered_auth,omitempty"`
	Endpoint    string   `json:"endpoint,omitempty"`
	// ClockSkewSeconds is the upstream's clock minus soapbridge's, when
	// the failed call measured a skew that matters.
	ClockSkewSeconds *float64 `json:"clock_skew_seconds,omitempty"`
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// cut shortens s to at most max bytes (at a character boundary), marking
// the cut with "…": what a request names goes into the log and the call
// log, which must not grow by a megabyte per call.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	i := max - len("…")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func problem(status int, slug, title, detail string) *Problem {
	return &Problem{Type: problemBase + slug, Title: title, Status: status, Detail: detail}
}

// writeProblem writes p; the request id and instance are filled in from r.
func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	if p.RequestID == "" {
		p.RequestID = w.Header().Get("X-Request-Id")
	}
	body, err := json.Marshal(p)
	if err != nil {
		body = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500}`)
		p.Status = http.StatusInternalServerError
	}
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	w.Write(append(body, '\n'))
}

// writeJSON writes v as a JSON response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		writeProblem(w, nil, problem(http.StatusInternalServerError, "internal", "Internal Server Error", "encoding the response failed"))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
