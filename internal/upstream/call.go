package upstream

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// Target is where and how one operation is called.
type Target struct {
	Codec    *codec.Codec
	Op       *wsdl.Operation
	Version  wsdl.SOAPVersion
	Endpoint string
	// Basic, when set, is sent as HTTP Basic credentials.
	Basic *BasicAuth
	// Headers are extra HTTP headers.
	Headers http.Header
	// SOAPHeaders are extra SOAP header blocks (raw XML).
	SOAPHeaders [][]byte
	// MaxResponse bounds the response body; 0 means 256 MiB.
	MaxResponse int64
	// AuthScheme names the configured authentication that is not HTTP
	// Basic ("WS-Security UsernameToken"), for diagnoses.
	AuthScheme string
	// Clock is set by Call from the response's Date header.
	Clock ClockSample
	// Sign, when set, turns the envelope into the one sent (a message
	// signature); its errors are *Error of KindConfig. Nil leaves the
	// envelope as soap.NewRequest builds it.
	Sign func(envelope []byte) ([]byte, error)
	// VerifyResponse, when set, checks the whole response body (with its
	// HTTP status) before it is decoded: the response is then held in
	// memory. An error refuses the response with an *Error of
	// KindSignature.
	VerifyResponse func(body []byte, status int) error
}

// ClockSample is the upstream's clock compared with ours during one call.
type ClockSample struct {
	// Skew is the upstream's clock minus this machine's, to within about
	// half a second (Date has whole seconds) plus half the round trip.
	Skew     time.Duration
	Measured bool
}

// BasicAuth is a user name and password for HTTP Basic.
type BasicAuth struct{ User, Password string }

// Exchange records the SOAP request and response of a call, for --dump
// and the dashboard.
type Exchange struct {
	Request    []byte
	Response   []byte
	Status     int
	RespHeader http.Header
}

// Client calls upstreams. Its zero value is not usable; use NewClient.
type Client struct {
	HTTP *http.Client
	// writers recycles the output buffers of Call (32 KiB each).
	writers sync.Pool
	// date is the last Date header parsed: it changes once a second.
	date atomic.Pointer[parsedDate]
}

// parsedDate is a Date header and its time.
type parsedDate struct {
	text string
	t    time.Time
}

// parseDate parses a Date header as http.ParseTime does, remembering the
// last one.
func (c *Client) parseDate(text string) (time.Time, error) {
	if d := c.date.Load(); d != nil && d.text == text {
		return d.t, nil
	}
	t, err := http.ParseTime(text)
	if err == nil {
		c.date.Store(&parsedDate{text: text, t: t})
	}
	return t, err
}

// NewClient returns a Client with a pooled transport and timeouts suited to
// SOAP services, verifying TLS certificates against the system's roots.
func NewClient(timeout time.Duration) *Client {
	return NewClientTLS(timeout, nil)
}

// NewClientTLS is NewClient with its own TLS configuration: a service's CA
// bundle (RootCAs) and client certificate. nil means the system's roots and
// no client certificate. Certificates are always verified.
func NewClientTLS(timeout time.Duration, tc *tls.Config) *Client {
	if tc == nil {
		tc = &tls.Config{}
	}
	tc = tc.Clone()
	tc.InsecureSkipVerify = false
	if tc.MinVersion < tls.VersionTLS12 {
		tc.MinVersion = tls.VersionTLS12
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	tr.ResponseHeaderTimeout = timeout
	tr.TLSHandshakeTimeout = 15 * time.Second
	tr.TLSClientConfig = tc
	return &Client{HTTP: &http.Client{Transport: tr, Timeout: timeout}}
}

// TLSConfig returns a copy of the TLS configuration of the client's
// transport.
func (c *Client) TLSConfig() *tls.Config {
	if nt, isNTLM := c.HTTP.Transport.(*ntlmTransport); isNTLM && nt.tmpl.TLSClientConfig != nil {
		return nt.tmpl.TLSClientConfig.Clone()
	}
	if tc := baseTLS(c.HTTP.Transport); tc != nil {
		return tc
	}
	return &tls.Config{MinVersion: tls.VersionTLS12}
}

// CloseIdle closes the client's idle connections.
func (c *Client) CloseIdle() { c.HTTP.CloseIdleConnections() }

// Call validates and encodes the JSON request, sends it, and writes the
// output JSON to w. A SOAP fault is returned as *soap.Fault, an invalid
// request as *codec.ValidationError, a transport problem as *Error. When
// x is not nil the exchange is recorded in it (the response is then held
// in memory).
func (c *Client) Call(ctx context.Context, t *Target, request []byte, w io.Writer, x *Exchange) error {
	enc, err := t.Codec.EncodeInput(t.Op, t.Version, request)
	if err != nil {
		return err
	}
	action := t.Op.SOAPAction
	if action == "" && t.Op.Input != nil {
		action = t.Op.Input.Action
	}
	sr := soap.NewRequest(t.Version, action, enc, t.SOAPHeaders...)
	if t.Sign != nil {
		if sr.Envelope, err = t.Sign(sr.Envelope); err != nil {
			return &Error{Kind: KindConfig, Msg: "signing the request failed: " + err.Error(), Fix: "check the service's signing certificate", Err: err}
		}
	}
	if x != nil {
		x.Request = sr.Envelope
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Endpoint, bytes.NewReader(sr.Envelope))
	if err != nil {
		return &Error{Kind: KindConfig, Msg: fmt.Sprintf("endpoint %q: %v", t.Endpoint, err), Fix: "set a valid http(s) endpoint URL"}
	}
	// The values share one array: a header built for every call.
	vals := [...]string{sr.ContentType, "text/xml, application/soap+xml, multipart/related", sr.SOAPAction}
	req.Header["Content-Type"] = vals[0:1:1]
	req.Header["Accept"] = vals[1:2:2]
	if t.Version != wsdl.SOAP12 {
		req.Header["Soapaction"] = vals[2:3:3]
	}
	for k, vs := range t.Headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if t.Basic != nil {
		req.SetBasicAuth(t.Basic.User, t.Basic.Password)
	}
	sent := time.Now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return diagnoseTransport(t.Endpoint, err)
	}
	if date, err := c.parseDate(resp.Header.Get("Date")); err == nil {
		mid := sent.Add(time.Since(sent) / 2)
		t.Clock = ClockSample{Skew: date.Add(500 * time.Millisecond).Sub(mid), Measured: true}
	}
	defer resp.Body.Close()
	max := t.MaxResponse
	if max <= 0 {
		max = 256 << 20
	}
	body := io.Reader(&limitedReader{r: resp.Body, n: max})
	if x != nil {
		b, err := io.ReadAll(body)
		if err != nil {
			return diagnoseTransport(t.Endpoint, err)
		}
		x.Response, x.Status, x.RespHeader = b, resp.StatusCode, resp.Header
		body = bytes.NewReader(b)
	}
	if t.VerifyResponse != nil {
		if body, err = verifyResponse(t, resp, body); err != nil {
			return err
		}
	}
	statusErr := diagnoseStatus(resp, t)
	if statusErr != nil && !(statusErr.Status == http.StatusUnauthorized && len(statusErr.Offered) == 0) {
		return statusErr
	}
	bw, _ := c.writers.Get().(*bufio.Writer)
	if bw == nil {
		bw = bufio.NewWriterSize(w, 32<<10)
	} else {
		bw.Reset(w)
	}
	defer func() {
		bw.Reset(nil)
		c.writers.Put(bw)
	}()
	rd := t.Codec.NewResponseDecoder(t.Op, bw, codec.DecodeOptions{})
	err = soap.ReadResponse(body, resp.Header.Get("Content-Type"), t.Version, rd, t.Codec, t.Op, bw, soap.Limits{})
	if statusErr != nil {
		// A 401 without WWW-Authenticate is a message-level refusal
		// (WS-Security): its SOAP fault says why.
		var f *soap.Fault
		if errors.As(err, &f) {
			statusErr.Msg = fmt.Sprintf("the upstream refused the credentials (HTTP 401): %s", f.Reason)
			if t.AuthScheme != "" {
				statusErr.Msg = fmt.Sprintf("the upstream refused the %s (HTTP 401): %s", t.AuthScheme, f.Reason)
			}
			statusErr.Fix = "check the credentials configured for the service"
			statusErr.Err = f
		}
		return statusErr
	}
	var pe *soap.ProtocolError
	if errors.As(err, &pe) && resp.StatusCode/100 != 2 {
		return &Error{Kind: KindHTTP, Status: resp.StatusCode, Msg: fmt.Sprintf("the upstream answered HTTP %s without a SOAP envelope", resp.Status), Fix: "check the endpoint URL and that the service is up"}
	}
	var le *limitError
	if errors.As(err, &le) {
		return &Error{Kind: KindTooLarge, Msg: fmt.Sprintf("the response is larger than %d bytes", max), Fix: "raise the response limit or ask for less data"}
	}
	return err
}

type limitError struct{}

func (limitError) Error() string { return "response too large" }

type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, &limitError{}
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// verifyResponse reads the response and checks it with t.VerifyResponse,
// returning a reader of the checked body.
func verifyResponse(t *Target, resp *http.Response, body io.Reader) (io.Reader, error) {
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); strings.HasPrefix(mt, "multipart/") {
		return nil, &Error{Kind: KindSignature, Status: resp.StatusCode, Msg: "the response is " + mt + " (MTOM): its signature cannot be checked",
			Fix: "turn verify_response_signature off for this service, or ask for responses without attachments"}
	}
	b, err := io.ReadAll(body)
	var le *limitError
	if errors.As(err, &le) {
		return nil, &Error{Kind: KindTooLarge, Msg: "the response is too large", Fix: "raise the response limit or ask for less data"}
	}
	if err != nil {
		return nil, diagnoseTransport(t.Endpoint, err)
	}
	if err := t.VerifyResponse(b, resp.StatusCode); err != nil {
		return nil, &Error{Kind: KindSignature, Status: resp.StatusCode, Msg: "the response's WS-Security signature was refused: " + err.Error(),
			Fix: "check that response_certificate is the upstream's signing certificate or the CA that issues it; a response changed on its way is refused on purpose", Err: err}
	}
	return bytes.NewReader(b), nil
}
