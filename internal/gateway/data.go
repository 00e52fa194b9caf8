package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/diagnose"
	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/store"
	"github.com/soapbridge/soapbridge/internal/upstream"
	"github.com/soapbridge/soapbridge/internal/wssec"
)

func (g *Gateway) listCallable(w http.ResponseWriter, r *http.Request) {
	k := keyOf(r)
	out := []*ServiceSummary{}
	for _, s := range g.sortedServices() {
		if k.MayCall(s.name) {
			out = append(out, s.summary(false))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": out})
}

// callable finds the service a key may call, or the problem to answer.
// A key without scope for a service learns nothing of whether it exists.
func (g *Gateway) callable(r *http.Request) (*service, *Problem) {
	name := r.PathValue("service")
	if !keyOf(r).MayCall(name) {
		return nil, problem(http.StatusForbidden, "forbidden", "Forbidden", "this API key may not call service "+codec.QuoteCut(name))
	}
	s := g.service(name)
	if s == nil && g.unloadedService(name) != "" {
		return nil, unavailable(name, "")
	}
	if s == nil {
		return nil, unknownService(name)
	}
	return s, nil
}

func (g *Gateway) describeCallable(w http.ResponseWriter, r *http.Request) {
	s, p := g.callable(r)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	writeJSON(w, http.StatusOK, s.summary(false))
}

// call is POST /v1/services/{service}/{operation}: JSON in, SOAP call,
// JSON out.
func (g *Gateway) call(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := store.Call{Service: r.PathValue("service"), Operation: r.PathValue("operation")}
	status, outcome, errText := g.serveCall(w, r, &rec)
	rec = callRecord(g, r, rec.Service, rec.Operation, rec.Port, status, outcome, errText, time.Since(start))
	g.calls.add(rec)
	ctx := r.Context()
	if !g.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	// Typed attributes: the line is written for every call, and values
	// boxed in an []any would cost an allocation each.
	attrs := [...]slog.Attr{
		slog.String("service", rec.Service), slog.String("operation", rec.Operation), slog.String("port", rec.Port),
		slog.Int("status", status), slog.Float64("latency_ms", float64(rec.Latency.Microseconds())/1000),
		slog.String("key", rec.Key), slog.String("outcome", outcome),
		slog.String("request_id", w.Header().Get("X-Request-Id")), slog.String("error", rec.Error),
	}
	n := len(attrs)
	if errText == "" {
		n--
	}
	g.log.LogAttrs(ctx, slog.LevelInfo, "call", attrs[:n]...)
}

// callRecord is the call log record of a call. The names a request gave
// are cut to maxLoggedName bytes and the error to maxLoggedError: a
// request's path can be a megabyte long, and the log keeps thousands of
// records.
func callRecord(g *Gateway, r *http.Request, service, op, port string, status int, outcome, errText string, latency time.Duration) store.Call {
	return store.Call{At: g.cfg.Now().UTC().Add(-latency), Service: cut(service, maxLoggedName), Operation: cut(op, maxLoggedName),
		Port: cut(port, maxLoggedName), Key: keyOf(r).Name, Status: status, Outcome: outcome, Error: cut(errText, maxLoggedError), Latency: latency}
}

// Bounds of what a call log record and log line keep of a request.
const (
	maxLoggedName  = 256
	maxLoggedError = 2048
)

// serveCall answers a call and reports its status, outcome and error for
// the log.
func (g *Gateway) serveCall(w http.ResponseWriter, r *http.Request, rec *store.Call) (int, string, string) {
	fail := func(p *Problem, outcome string) (int, string, string) {
		writeProblem(w, r, p)
		return p.Status, outcome, p.Detail
	}
	s, p := g.callable(r)
	if p != nil {
		return fail(p, "error")
	}
	b, err := s.operation(rec.Operation, r.URL.Query().Get("port"))
	if err != nil {
		p := problem(http.StatusNotFound, "unknown-operation", "Unknown Operation", err.Error())
		p.Operations = s.operationNames()
		return fail(p, "error")
	}
	rec.Port = b.port.Name
	body, p := g.readCallBody(w, r)
	if p != nil {
		return fail(p, "invalid")
	}
	out := &deferredWriter{w: w, limit: 256 << 10, buf: g.answerBuf()}
	t, err := g.invoke(r.Context(), s, b, body, out, nil)
	if err == nil {
		out.finish()
		g.recycleAnswerBuf(out.buf)
		return http.StatusOK, "ok", ""
	}
	if out.committed {
		// Part of a 200 answer is already sent: all that is left is to
		// break the connection, so the client cannot take a truncated
		// answer for a whole one.
		g.log.Error("call failed after the answer started", "service", s.name, "operation", rec.Operation, "error", err)
		panic(http.ErrAbortHandler)
	}
	if t == nil {
		p := err.(*Problem)
		return fail(p, "upstream")
	}
	p, outcome := callProblem(err, t)
	s.auth.hideSecretsIn(p)
	return fail(p, outcome)
}

// invoke calls operation b of s with the JSON request body, writing the
// output JSON to w. It returns the target it called, or nil with a
// *Problem when there was nothing to call.
//
// With WS-Security, timestamps are shifted by the upstream's measured
// clock skew when it exceeds diagnose.SkewThreshold; when a call is refused
// with a WS-Security fault and that call itself revealed a skew it did not
// compensate, it is sent once more, compensated.
func (g *Gateway) invoke(ctx context.Context, s *service, b binding, body []byte, w io.Writer, x *upstream.Exchange) (*upstream.Target, error) {
	if s.auth.cfg.Endpoint == "" && b.port.Address == "" {
		return nil, problem(http.StatusBadGateway, "upstream", "Bad Gateway", fmt.Sprintf("port %s has no endpoint address; set one with PUT /v1/admin/services/%s/auth {\"endpoint\": ...}", b.port.Name, s.name))
	}
	client := g.client
	if s.auth.client != nil {
		client = s.auth.client
	}
	ctx, cancel := context.WithTimeout(ctx, s.auth.timeout)
	defer cancel()
	offset := s.clock.offset(s.auth)
	for attempt := 0; ; attempt++ {
		t := &upstream.Target{
			Codec: s.codec, Op: b.op, Version: b.port.SOAPVersion, Endpoint: b.port.Address,
			MaxResponse: g.cfg.MaxResponse,
		}
		if s.auth.cfg.Endpoint != "" {
			t.Endpoint = s.auth.cfg.Endpoint
		}
		if err := s.auth.apply(t, g.cfg.Now(), offset); err != nil {
			return nil, problem(http.StatusInternalServerError, "internal", "Internal Server Error", "building the upstream authentication failed: "+err.Error())
		}
		if ns, ok := s.addressing(b); ok {
			t.SOAPHeaders = append(t.SOAPHeaders, soap.AddressingHeaders(ns, s.action(b), t.Endpoint))
		}
		err := client.Call(ctx, t, body, w, x)
		if t.Clock.Measured && s.clock.record(t.Clock.Skew) {
			g.log.Warn("upstream clock skew", "service", s.name, "skew_seconds", t.Clock.Skew.Round(time.Second).Seconds(),
				"compensating", s.auth.usesWSSTimestamps() && !s.auth.cfg.NoSkewCompensation)
		}
		var f *soap.Fault
		if attempt == 0 && err != nil && errors.As(err, &f) && isWSSecurityFault(f) && t.Clock.Measured {
			if next := s.clock.offset(s.auth); (next - offset).Abs() >= diagnose.SkewThreshold {
				offset = next
				continue
			}
		}
		return t, err
	}
}

// clockState is the upstream's clock skew as last measured. It is shared
// by the versions of a service (an auth change keeps it).
type clockState struct {
	mu       sync.Mutex
	skew     time.Duration
	measured bool
}

// record stores a measurement and reports whether the skew crossed the
// threshold (either way), which is worth a log line.
func (c *clockState) record(skew time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	was := c.measured && c.skew.Abs() >= diagnose.SkewThreshold
	c.skew, c.measured = skew, true
	return was != (skew.Abs() >= diagnose.SkewThreshold)
}

// offset is the shift to apply to WS-Security times: the measured skew when
// it exceeds the threshold and compensation is on.
func (c *clockState) offset(a *upstreamAuth) time.Duration {
	if !a.usesWSSTimestamps() || a.cfg.NoSkewCompensation {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.measured || c.skew.Abs() < diagnose.SkewThreshold {
		return 0
	}
	return c.skew
}

// seconds returns the measured skew in whole seconds, or nil.
func (c *clockState) seconds() *float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.measured {
		return nil
	}
	v := c.skew.Round(time.Second).Seconds()
	return &v
}

// readCallBody reads the JSON request of a call; an empty body is {}.
func (g *Gateway) readCallBody(w http.ResponseWriter, r *http.Request) ([]byte, *Problem) {
	ct := r.Header.Get("Content-Type")
	if ct != "application/json" { // the common case needs no parsing
		ct, _, _ = mime.ParseMediaType(ct)
	}
	if r.ContentLength == 0 && ct == "" {
		return []byte("{}"), nil
	}
	if !isJSON(ct) {
		return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported Media Type", "send the operation's input as JSON with Content-Type: application/json")
	}
	// The body has BodyTimeout to arrive (withRequestID).
	body, err := readAll(http.MaxBytesReader(w, r.Body, g.cfg.MaxRequest), r.ContentLength)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The server gives up the rest of the body and the connection
		// at once, instead of waiting for them.
		w.Header().Set("Connection", "close")
		return nil, problem(http.StatusBadRequest, "invalid-request", "Bad Request", fmt.Sprintf("the request body did not arrive within %v", g.cfg.BodyTimeout))
	}
	if err != nil {
		return nil, bodyProblem(err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return []byte("{}"), nil
	}
	return body, nil
}

// readAll is io.ReadAll reading into one buffer of the announced length
// (when it is known and at most 64 KiB) at once. A larger announced
// length is not trusted with memory before the bytes arrive: a client
// announcing a megabyte and sending it a byte a minute held a megabyte
// from the start.
func readAll(r io.Reader, length int64) ([]byte, error) {
	if length <= 0 || length > maxPreallocated {
		return io.ReadAll(r)
	}
	// One byte more, so that the end is seen without growing.
	b := make([]byte, 0, length+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // longer than announced: grow
		}
	}
}

// maxPreallocated is the largest announced body length readAll allocates
// before reading.
const maxPreallocated = 64 << 10

// callProblem turns a failed call into the problem to answer and the
// outcome to log.
func callProblem(err error, t *upstream.Target) (*Problem, string) {
	var ve *codec.ValidationError
	var f *soap.Fault
	var vm *soap.VersionMismatchError
	var ue *upstream.Error
	var pe *soap.ProtocolError
	switch {
	case errors.As(err, &ve):
		p := problem(http.StatusBadRequest, "validation", "Invalid Request", ve.Error())
		p.Errors = ve.Problems
		return p, "invalid"
	case errors.As(err, &f):
		return faultProblem(f, t), "fault"
	case errors.As(err, &vm):
		p := problem(http.StatusBadGateway, "upstream", "Bad Gateway", vm.Error())
		p.Diagnosis = &Diagnosis{Kind: "soap_version", Endpoint: t.Endpoint,
			Summary: fmt.Sprintf("soapbridge sent SOAP %s and the upstream answered in SOAP %s", vm.Sent, vm.Got),
			Fix:     "call the WSDL's port of the other SOAP version (?port=NAME), or check that the endpoint belongs to this WSDL"}
		return p, "upstream"
	case errors.As(err, &ue) && ue.Kind == upstream.KindSignature:
		return signatureProblem(ue, t), "upstream"
	case errors.As(err, &ue):
		status := http.StatusBadGateway
		if ue.Kind == upstream.KindTimeout {
			status = http.StatusGatewayTimeout
		}
		p := problem(status, "upstream", http.StatusText(status), ue.Msg)
		p.Diagnosis = &Diagnosis{Kind: string(ue.Kind), Reason: ue.Reason, Summary: ue.Msg, Fix: ue.Fix, UpstreamStatus: ue.Status, OfferedAuth: ue.Offered, Endpoint: t.Endpoint}
		return p, "upstream"
	case errors.As(err, &pe):
		p := problem(http.StatusBadGateway, "upstream", "Bad Gateway", pe.Error())
		p.Diagnosis = &Diagnosis{Kind: "protocol", Summary: "the upstream's answer is not the SOAP response the WSDL describes: " + pe.Msg,
			Fix: "check that the endpoint belongs to this WSDL and speaks SOAP " + string(t.Version), Endpoint: t.Endpoint}
		return p, "upstream"
	case errors.Is(err, context.DeadlineExceeded):
		p := problem(http.StatusGatewayTimeout, "upstream", "Gateway Timeout", "the upstream did not answer in time")
		p.Diagnosis = &Diagnosis{Kind: "timeout", Summary: "the upstream did not answer in time", Fix: "check that the service is up, or raise timeout_seconds", Endpoint: t.Endpoint}
		return p, "upstream"
	}
	p := problem(http.StatusBadGateway, "upstream", "Bad Gateway", err.Error())
	p.Diagnosis = &Diagnosis{Kind: "protocol", Summary: err.Error(), Endpoint: t.Endpoint}
	return p, "upstream"
}

// faultProblem maps a SOAP fault: the caller's fault (Client/Sender) is
// 422, the upstream's (Server/Receiver and the rest) 502.
func faultProblem(f *soap.Fault, t *upstream.Target) *Problem {
	status, title := http.StatusBadGateway, "Upstream Fault"
	if f.Code == "Sender" {
		status, title = http.StatusUnprocessableEntity, "Upstream Rejected The Request"
	}
	p := problem(status, "soap-fault", title, f.Reason)
	p.Fault = f
	if isWSSecurityFault(f) {
		p.Status, p.Title = http.StatusBadGateway, "Upstream Refused The Credentials"
		p.Diagnosis = &Diagnosis{Kind: "auth", Endpoint: t.Endpoint,
			Summary: "the upstream refused the WS-Security header: " + f.Reason,
			Fix:     wssFaultFix(t)}
		if t.Clock.Measured && t.Clock.Skew.Abs() >= diagnose.SkewThreshold {
			secs := t.Clock.Skew.Round(time.Second).Seconds()
			p.Diagnosis.ClockSkewSeconds = &secs
			p.Diagnosis.Summary += fmt.Sprintf(" (the upstream's clock is %s off this machine's)", t.Clock.Skew.Round(time.Second))
			p.Diagnosis.Fix = "synchronize the clocks (NTP) of this machine and the upstream, or turn compensate_clock_skew on; then check the credentials"
		}
		return p
	}
	switch f.Code {
	case "VersionMismatch":
		p.Diagnosis = &Diagnosis{Kind: "soap_version", Endpoint: t.Endpoint,
			Summary: fmt.Sprintf("the upstream does not accept SOAP %s envelopes", t.Version),
			Fix:     "call the WSDL's port of the other SOAP version (?port=NAME)"}
	case "MustUnderstand":
		p.Diagnosis = &Diagnosis{Kind: "config", Endpoint: t.Endpoint,
			Summary: "the upstream does not understand a SOAP header soapbridge sent with mustUnderstand",
			Fix:     "remove the header (WS-Security or a configured SOAP header) from the service's auth if the upstream does not expect it"}
	}
	return p
}

// deferredWriter holds the start of a 200 answer, so that an error before
// limit bytes can still become a problem response; past limit it streams.
type deferredWriter struct {
	w         http.ResponseWriter
	buf       []byte
	limit     int
	committed bool
}

func (d *deferredWriter) Write(p []byte) (int, error) {
	if d.committed {
		return d.w.Write(p)
	}
	if len(d.buf)+len(p) <= d.limit {
		d.buf = append(d.buf, p...)
		return len(p), nil
	}
	d.commit(-1)
	if _, err := d.w.Write(d.buf); err != nil {
		return 0, err
	}
	d.buf = nil
	return d.w.Write(p)
}

func (d *deferredWriter) commit(length int) {
	// Set for every call: the values share one array.
	h := d.w.Header()
	vals := [...]string{"application/json", "no-store", ""}
	h["Content-Type"] = vals[0:1:1]
	h["Cache-Control"] = vals[1:2:2]
	if length >= 0 {
		vals[2] = strconv.Itoa(length)
		h["Content-Length"] = vals[2:3:3]
	}
	d.w.WriteHeader(http.StatusOK)
	d.committed = true
}

// answerBuf returns an empty buffer for a deferredWriter, recycled from
// an earlier answer when there is one.
func (g *Gateway) answerBuf() []byte {
	if p, ok := g.answerBufs.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, 4<<10)
}

// recycleAnswerBuf keeps b for a later answer, unless it is large. b must
// not be used any more.
func (g *Gateway) recycleAnswerBuf(b []byte) {
	if cap(b) > 0 && cap(b) <= 64<<10 {
		g.answerBufs.Put(&b)
	}
}

// finish sends what is held.
func (d *deferredWriter) finish() {
	if !d.committed {
		d.buf = append(d.buf, '\n')
		d.commit(len(d.buf))
		d.w.Write(d.buf)
	}
}

// isWSSecurityFault reports a fault whose code or subcode is a WS-Security
// one (wsse:FailedAuthentication, wsse:InvalidSecurity...).
func isWSSecurityFault(f *soap.Fault) bool {
	if strings.HasPrefix(f.RawCode, "{"+wssec.NSSecExt+"}") {
		return true
	}
	for _, c := range f.Subcodes {
		if strings.HasPrefix(c, "{"+wssec.NSSecExt+"}") {
			return true
		}
	}
	return false
}
