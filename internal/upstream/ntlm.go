package upstream

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"

	"github.com/soapbridge/soapbridge/internal/wwwauth"
)

// NTLMCredentials is a Windows account for NTLM: User alone, User with
// Domain, or a user principal name (user@domain) in User with no Domain,
// which is sent as Windows sends it (the whole name as the user, an empty
// domain).
type NTLMCredentials struct {
	User     string
	Domain   string
	Password string
}

// String names the account as DOMAIN\user (or user), never with the
// password.
func (c NTLMCredentials) String() string {
	if c.Domain == "" {
		return c.User
	}
	return c.Domain + `\` + c.User
}

// NewClientNTLM returns a Client that authenticates to upstreams with NTLM
// as cred, over the HTTP Negotiate or NTLM scheme, as the server offers.
//
// NTLM authenticates a connection, not a request, so the client keeps its
// own pool of connections, each authenticated by one handshake and reused
// (kept alive) for later calls: a Client must serve one account only, and
// its connections are never shared with another Client. The three legs of a
// handshake go over one connection, and a connection never dials again: when
// the server closes it, the handshake or the call fails instead of carrying
// the credentials over a new connection. Credentials are sent only as NTLM
// messages, never as HTTP Basic, whatever the server offers. Requests are
// HTTP/1.1 (NTLM does not work over HTTP/2); a request with a body must be
// replayable (GetBody), as requests made with http.NewRequest from a bytes
// reader are, or it is buffered.
//
// A call refused after the handshake is an *Error of KindAuth saying the
// credentials were refused; a 401 that offers neither Negotiate nor NTLM
// is one saying so. tc is as for NewClientTLS.
func NewClientNTLM(timeout time.Duration, tc *tls.Config, cred NTLMCredentials) *Client {
	c := NewClientTLS(timeout, tc)
	tmpl := c.HTTP.Transport.(*http.Transport)
	tmpl.ForceAttemptHTTP2 = false
	tmpl.Protocols = new(http.Protocols)
	tmpl.Protocols.SetHTTP1(true)
	tmpl.MaxIdleConnsPerHost = 1
	tmpl.MaxConnsPerHost = 1
	c.HTTP.Transport = &ntlmTransport{cred: cred, tmpl: tmpl, idle: map[string][]*ntlmConn{},
		offered: map[string]string{}, maxIdle: 64, dialer: &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}}
	c.HTTP.CheckRedirect = sameHostRedirect
	return c
}

// sameHostRedirect follows redirects within the host only: an NTLM
// handshake with a host the configuration does not name could be relayed.
func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	if first := via[0].URL; req.URL.Scheme != first.Scheme || canonicalHost(req.URL.Scheme, req.URL.Host) != canonicalHost(first.Scheme, first.Host) {
		return &Error{Kind: KindConfig, Msg: fmt.Sprintf("the upstream redirected to %s://%s, another host than the endpoint's: soapbridge does not authenticate with NTLM there", req.URL.Scheme, req.URL.Host),
			Fix: "set the endpoint to the URL the upstream redirects to"}
	}
	return nil
}

// ntlmTransport is the http.RoundTripper of NewClientNTLM.
type ntlmTransport struct {
	cred    NTLMCredentials
	tmpl    *http.Transport // cloned for each connection; never used itself
	dialer  *net.Dialer
	maxIdle int // idle connections kept per host
	// schemes are the schemes answered, in order of preference; nil
	// means NTLM, then Negotiate.
	schemes []string

	mu   sync.Mutex
	idle map[string][]*ntlmConn // by scheme://host:port
	// offered is the scheme (NTLM or Negotiate) each host asked for last,
	// so that new connections start the handshake at once.
	offered map[string]string
}

// ntlmConn is one connection: an http.Transport that dials once. It is
// used by one request at a time.
type ntlmConn struct {
	tr     *http.Transport
	key    string
	mu     sync.Mutex
	dialed bool
	authed bool // a handshake succeeded on it
	reused bool // it served a request before
}

// errConnGone is returned when a connection's transport wants to dial a
// second time: the connection was closed.
var errConnGone = errors.New("the NTLM-authenticated connection was closed")

func (t *ntlmTransport) newConn(key string) *ntlmConn {
	c := &ntlmConn{key: key, tr: t.tmpl.Clone()}
	c.tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.dialed {
			return nil, errConnGone
		}
		c.dialed = true
		return t.dialer.DialContext(ctx, network, addr)
	}
	return c
}

// get takes an idle connection to key, or a new one.
func (t *ntlmTransport) get(key string) *ntlmConn {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cs := t.idle[key]; len(cs) > 0 {
		c := cs[len(cs)-1]
		t.idle[key] = cs[:len(cs)-1]
		c.reused = true
		return c
	}
	return t.newConn(key)
}

// put returns a connection whose last answer was read completely.
func (t *ntlmTransport) put(c *ntlmConn) {
	t.mu.Lock()
	if len(t.idle[c.key]) < t.maxIdle {
		t.idle[c.key] = append(t.idle[c.key], c)
		c = nil
	}
	t.mu.Unlock()
	if c != nil {
		c.tr.CloseIdleConnections()
	}
}

// CloseIdleConnections closes the connections not in use.
func (t *ntlmTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = map[string][]*ntlmConn{}
	t.mu.Unlock()
	for _, cs := range idle {
		for _, c := range cs {
			c.tr.CloseIdleConnections()
		}
	}
}

// RoundTrip sends req on an authenticated connection, authenticating a new
// one first when none is idle.
func (t *ntlmTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	} else if req.Body != nil {
		req.Body.Close() // every leg sends a fresh copy from GetBody
	}
	key := req.URL.Scheme + "://" + canonicalHost(req.URL.Scheme, req.URL.Host)
	for interrupted := 0; ; {
		c := t.get(key)
		resp, err := t.send(c, req)
		if err == nil || !errors.Is(err, errConnGone) {
			return resp, err
		}
		// The server closed the connection before the next message was
		// written on it: a kept-alive connection that timed out, or a
		// busy server closing between the legs of a handshake. Nothing
		// more was sent; start over on a new connection.
		if !c.reused {
			if interrupted++; interrupted == 3 {
				return nil, &Error{Kind: KindAuth, Msg: "the upstream closed the connection during the NTLM handshake, three times", Err: err,
					Fix: "NTLM needs the messages of its handshake on one kept-alive connection: check that the server and any proxy in between keep connections alive"}
			}
		}
	}
}

func canonicalHost(scheme, host string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	if scheme == "https" {
		return host + ":443"
	}
	return host + ":80"
}

// send makes the request on c, with the NTLM handshake when c is not
// authenticated or the server asks for it again.
func (t *ntlmTransport) send(c *ntlmConn, req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	scheme := t.offered[c.key]
	t.mu.Unlock()
	if c.authed || scheme == "" {
		// An authenticated connection, or a host not seen yet: send
		// without credentials, and learn what a 401 offers.
		resp, err := c.do(req, "")
		if err != nil {
			c.tr.CloseIdleConnections()
			return nil, err
		}
		if resp.StatusCode != http.StatusUnauthorized {
			return t.release(c, resp), nil
		}
		offered := wwwauth.Schemes(resp.Header, "WWW-Authenticate")
		if scheme = t.pickScheme(offered); scheme == "" {
			// Neither NTLM nor Negotiate: a 401 of another scheme, or
			// without WWW-Authenticate (a WS-Security refusal, whose SOAP
			// fault the caller reads).
			if len(offered) == 0 {
				return t.release(c, resp), nil
			}
			drain(resp)
			c.tr.CloseIdleConnections()
			return nil, &Error{Kind: KindAuth, Status: http.StatusUnauthorized, Offered: offered,
				Msg: fmt.Sprintf("the upstream refused the call (HTTP 401): NTLM is configured, but it offers neither Negotiate nor NTLM; it offers %s", strings.Join(offered, ", ")),
				Fix: "configure one of the offered schemes, or ask the service's owner to enable Windows authentication (NTLM)"}
		}
		drain(resp)
		c.authed = false
		if resp.Close {
			// The handshake can start on a new connection.
			c.tr.CloseIdleConnections()
			c = t.newConn(c.key)
		}
		t.mu.Lock()
		t.offered[c.key] = scheme
		t.mu.Unlock()
	}
	resp, err := t.handshake(c, req, scheme)
	if err != nil {
		c.tr.CloseIdleConnections()
		return nil, err
	}
	return resp, nil
}

// handshake authenticates c with the negotiate and authenticate messages,
// each sent with the request, and returns the server's answer to the
// authenticated request.
func (t *ntlmTransport) handshake(c *ntlmConn, req *http.Request, scheme string) (*http.Response, error) {
	negotiate, err := ntlmssp.NewNegotiateMessage("", "")
	if err != nil {
		return nil, fmt.Errorf("NTLM negotiate message: %w", err)
	}
	resp, err := c.do(req, scheme+" "+base64.StdEncoding.EncodeToString(negotiate))
	if err != nil {
		if req.Context().Err() == nil {
			// The server answers a negotiate message with a challenge and
			// processes nothing: when it closes the connection instead (a
			// busy server drops kept-alive connections), start over.
			err = fmt.Errorf("%w: %w", errConnGone, err)
		}
		return nil, err
	}
	if resp.StatusCode != http.StatusUnauthorized {
		// Accepted without a challenge (RFC 4559 allows it).
		c.authed = true
		return t.release(c, resp), nil
	}
	offered := wwwauth.Schemes(resp.Header, "WWW-Authenticate")
	challenge := challengeToken(resp.Header, scheme)
	drain(resp)
	if len(challenge) == 0 {
		t.forget(c.key)
		return nil, &Error{Kind: KindAuth, Status: http.StatusUnauthorized, Offered: offered,
			Msg: fmt.Sprintf("the upstream offers %s but answered soapbridge's NTLM negotiate message without a challenge: it does not accept NTLM in that scheme (Kerberos only?)", scheme),
			Fix: "ask the service's owner to allow NTLM, or configure Kerberos"}
	}
	user := t.cred.User
	if t.cred.Domain != "" {
		user = t.cred.Domain + `\` + t.cred.User
	}
	authenticate, err := ntlmssp.NewAuthenticateMessage(challenge, user, t.cred.Password, nil)
	if err != nil {
		return nil, &Error{Kind: KindAuth, Status: http.StatusUnauthorized, Offered: offered,
			Msg: fmt.Sprintf("soapbridge cannot answer the upstream's NTLM challenge: %v", err),
			Fix: "the server asks for NTLMv1 or key exchange, which soapbridge does not do: ask its owner to accept NTLMv2"}
	}
	resp, err = c.do(req, scheme+" "+base64.StdEncoding.EncodeToString(authenticate))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusUnauthorized {
		drain(resp)
		return nil, &Error{Kind: KindAuth, Status: http.StatusUnauthorized, Offered: wwwauth.Schemes(resp.Header, "WWW-Authenticate"), Refused: true,
			Msg: fmt.Sprintf("the upstream refused the NTLM credentials of %s (HTTP 401 after the %s handshake)", t.cred, scheme),
			Fix: `check the user name, domain and password (DOMAIN\user); the account may also be locked, expired, or not allowed on this server`}
	}
	c.authed = true
	return t.release(c, resp), nil
}

// forget drops the remembered scheme of a host.
func (t *ntlmTransport) forget(key string) {
	t.mu.Lock()
	delete(t.offered, key)
	t.mu.Unlock()
}

// do sends one leg of the request on c with the given Authorization
// header ("" for none) and a fresh copy of the body.
func (c *ntlmConn) do(req *http.Request, authorization string) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Del("Authorization")
	if authorization != "" {
		r.Header.Set("Authorization", authorization)
	}
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}
	return c.tr.RoundTrip(r)
}

// release hands resp to the caller; c goes back to the pool when its body
// has been read to the end and closed, and is closed otherwise.
func (t *ntlmTransport) release(c *ntlmConn, resp *http.Response) *http.Response {
	resp.Body = &releaseBody{ReadCloser: resp.Body, done: func(reusable bool) {
		if reusable && !resp.Close {
			t.put(c)
		} else {
			c.tr.CloseIdleConnections()
		}
	}}
	return resp
}

type releaseBody struct {
	io.ReadCloser
	eof  bool
	once sync.Once
	done func(reusable bool)
}

func (b *releaseBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *releaseBody) Close() error {
	if !b.eof {
		// What is left after a SOAP envelope is whitespace at most: read
		// it, so that the authenticated connection can be reused.
		if _, err := io.CopyN(io.Discard, b.ReadCloser, 4<<10); err == io.EOF {
			b.eof = true
		}
	}
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.done(b.eof && err == nil) })
	return err
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// pickScheme chooses NTLM over Negotiate (Negotiate may prefer Kerberos,
// for which soapbridge sends no token here), "" when neither is offered.
func (t *ntlmTransport) pickScheme(offered []string) string {
	prefer := t.schemes
	if prefer == nil {
		prefer = []string{"NTLM", "Negotiate"}
	}
	for _, want := range prefer {
		for _, o := range offered {
			if strings.EqualFold(o, want) {
				return want
			}
		}
	}
	return ""
}

// challengeToken returns the decoded token of the scheme's
// WWW-Authenticate header, nil when there is none.
func challengeToken(h http.Header, scheme string) []byte {
	for _, v := range h.Values("WWW-Authenticate") {
		name, data, _ := strings.Cut(strings.TrimSpace(v), " ")
		if !strings.EqualFold(name, scheme) {
			continue
		}
		if b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data)); err == nil && len(b) > 0 {
			return b
		}
	}
	return nil
}
