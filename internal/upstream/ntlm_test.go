package upstream

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

var (
	ntlmAlice = testpeer.NTLMUser{Domain: "SOAPBRIDGE", User: "alice", Password: "Alice-pw-4242"}
	ntlmBob   = testpeer.NTLMUser{Domain: "SOAPBRIDGE", User: "bob", Password: "Bob-pw-1717"}
)

// ntlmCall calls GetItems through client and returns the output JSON.
func ntlmCall(t *testing.T, client *Client, endpoint string) (string, error) {
	t.Helper()
	tg := target(t, compile(t, "examples/inventory/inventory.wsdl"), "GetItems", wsdl.SOAP11, endpoint)
	tg.AuthScheme = "NTLM"
	var out bytes.Buffer
	err := client.Call(context.Background(), tg, []byte(`{"skuPrefix": "N-", "limit": 2}`), &out, nil)
	return out.String(), err
}

// TestNTLMCallsKeepOneAuthenticatedConnection calls PHP's SoapServer behind
// Apache with mod_auth_gssapi and gss-ntlmssp: the first call authenticates
// a connection (negotiate, challenge, authenticate), later calls reuse it
// without a new handshake, and no request ever carries HTTP Basic, although
// the server offers it.
func TestNTLMCallsKeepOneAuthenticatedConnection(t *testing.T) {
	srv := testpeer.StartNTLMServer(t, testpeer.NTLMConfig{Users: []testpeer.NTLMUser{ntlmAlice, ntlmBob},
		Upstream: phpServer(t), Basic: true})
	client := NewClientNTLM(10*time.Second, nil, NTLMCredentials{User: "alice", Domain: "SOAPBRIDGE", Password: ntlmAlice.Password})
	defer client.CloseIdle()
	for i := range 3 {
		out, err := ntlmCall(t, client, srv.URL+"/ntlm/inventory")
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if !strings.Contains(out, `"sku":"N-2"`) {
			t.Fatalf("call %d: %s", i, out)
		}
	}
	log := srv.Log(t, 5)
	ports := map[int]bool{}
	var unauthorized, ok int
	for _, r := range log {
		ports[r.ClientPort] = true
		if r.Scheme == "Basic" {
			t.Errorf("a request carried HTTP Basic: %+v", r)
		}
		switch r.Status {
		case http.StatusUnauthorized:
			unauthorized++
		case http.StatusOK:
			ok++
			if r.User != `SOAPBRIDGE\alice` {
				t.Errorf("a call was served as %q", r.User)
			}
		}
	}
	if len(ports) != 1 || ok != 3 || unauthorized != 2 {
		t.Errorf("want 3 calls on one connection after one handshake (2 answers 401), got %d connections, %d 401, %d 200:\n%+v", len(ports), unauthorized, ok, log)
	}
}

// TestNTLMRefusedCredentials: a wrong password is an auth error naming the
// account and the offered schemes, and is never retried as HTTP Basic.
func TestNTLMRefusedCredentials(t *testing.T) {
	srv := testpeer.StartNTLMServer(t, testpeer.NTLMConfig{Users: []testpeer.NTLMUser{ntlmAlice},
		Upstream: phpServer(t), Basic: true})
	client := NewClientNTLM(10*time.Second, nil, NTLMCredentials{User: "alice", Domain: "SOAPBRIDGE", Password: "wrong-password"})
	defer client.CloseIdle()
	_, err := ntlmCall(t, client, srv.URL+"/ntlm/inventory")
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != KindAuth || ue.Status != http.StatusUnauthorized {
		t.Fatalf("want an auth error, got %v", err)
	}
	if !strings.Contains(ue.Msg, `refused the NTLM credentials of SOAPBRIDGE\alice`) || strings.Contains(ue.Error(), "wrong-password") {
		t.Errorf("message: %s", ue.Error())
	}
	if !strings.Contains(strings.Join(ue.Offered, " "), "NTLM") {
		t.Errorf("offered: %v", ue.Offered)
	}
	for _, r := range srv.Log(t, 3) {
		if r.Scheme == "Basic" || r.Status == http.StatusOK {
			t.Errorf("unexpected request %+v", r)
		}
	}
}

// TestNTLMNegotiateScheme authenticates in the Negotiate scheme, as a server
// offering only Negotiate is answered.
func TestNTLMNegotiateScheme(t *testing.T) {
	srv := testpeer.StartNTLMServer(t, testpeer.NTLMConfig{Users: []testpeer.NTLMUser{ntlmAlice}, Upstream: phpServer(t)})
	client := NewClientNTLM(10*time.Second, nil, NTLMCredentials{User: "alice", Domain: "SOAPBRIDGE", Password: ntlmAlice.Password})
	defer client.CloseIdle()
	client.HTTP.Transport.(*ntlmTransport).schemes = []string{"Negotiate"}
	if _, err := ntlmCall(t, client, srv.URL+"/ntlm/inventory"); err != nil {
		t.Fatal(err)
	}
	log := srv.Log(t, 3)
	if last := log[len(log)-1]; last.Status != http.StatusOK || last.User != `SOAPBRIDGE\alice` {
		t.Fatalf("%+v", log)
	}
	var negotiate int
	for _, r := range log {
		if r.Scheme == "Negotiate" {
			negotiate++
		}
	}
	if negotiate != 2 {
		t.Errorf("want the two handshake messages in the Negotiate scheme: %+v", log)
	}
}

// basicOnly is a server that asks for HTTP Basic and records every
// Authorization header it is sent.
type basicOnly struct {
	mu   sync.Mutex
	auth []string
}

func (b *basicOnly) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.auth = append(b.auth, r.Header.Get("Authorization"))
	b.mu.Unlock()
	w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
	w.WriteHeader(http.StatusUnauthorized)
}

// TestNTLMNotOffered: a server that asks only for Basic gets no
// credentials, and the error says NTLM is not offered.
func TestNTLMNotOffered(t *testing.T) {
	h := &basicOnly{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := NewClientNTLM(10*time.Second, nil, NTLMCredentials{User: "alice", Password: "secret-pw"})
	_, err := ntlmCall(t, client, srv.URL)
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != KindAuth || !strings.Contains(ue.Msg, "offers neither Negotiate nor NTLM; it offers Basic") {
		t.Fatalf("got %v", err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.auth) != 1 || h.auth[0] != "" {
		t.Errorf("the server was sent %q", h.auth)
	}
}

// TestNTLMConnectionClosedDuringHandshake: a server that closes the
// connection after its challenge never sees the authenticate message on
// another connection.
func TestNTLMConnectionClosedDuringHandshake(t *testing.T) {
	var mu sync.Mutex
	var conns []string // remote address of each request, with its scheme
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		conns = append(conns, r.RemoteAddr+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Connection", "close")
		if strings.HasPrefix(r.Header.Get("Authorization"), "NTLM ") {
			// A type 2 message (challenge) with no target info.
			w.Header().Set("WWW-Authenticate", "NTLM "+base64.StdEncoding.EncodeToString(nlmpChallengeWith(0, flagKeyExch, false)))
		} else {
			w.Header().Set("WWW-Authenticate", "NTLM")
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	client := NewClientNTLM(10*time.Second, nil, NTLMCredentials{User: "alice", Password: "secret-pw"})
	_, err := ntlmCall(t, client, srv.URL)
	if err == nil || !strings.Contains(err.Error(), "closed the connection during the NTLM handshake, three times") {
		t.Fatalf("got %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, c := range conns {
		if strings.Contains(c, "NTLM TlRMTVNTUAADAA") { // type 3: authenticate
			t.Errorf("the authenticate message was sent on a new connection: %q", conns)
		}
	}
}

// TestNTLMv1ChallengeRefused: a server whose challenge asks for NTLMv1 (the
// LM key) gets no answer, and the error says what it asked for.
func TestNTLMv1ChallengeRefused(t *testing.T) {
	challenge := base64.StdEncoding.EncodeToString(nlmpChallengeWith(flagLMKey, flagKeyExch, false))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Authorization"), "NTLM ") {
			w.Header().Set("WWW-Authenticate", "NTLM "+challenge)
		} else {
			w.Header().Set("WWW-Authenticate", "NTLM")
		}
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	client := NewClientNTLM(10*time.Second, nil, NTLMCredentials{User: "alice", Password: "secret-pw"})
	defer client.CloseIdle()
	_, err := ntlmCall(t, client, srv.URL)
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != KindAuth || !strings.Contains(ue.Msg, "requested v1") || !strings.Contains(ue.Fix, "NTLMv2") {
		t.Fatalf("got %v", err)
	}
}

// TestNTLMConcurrentCalls: calls in parallel (fewer than the server's 16
// workers) each get a connection of their own, each authenticated once, and
// all are served as the account.
func TestNTLMConcurrentCalls(t *testing.T) {
	srv := testpeer.StartNTLMServer(t, testpeer.NTLMConfig{Users: []testpeer.NTLMUser{ntlmAlice}, Upstream: phpServer(t)})
	client := NewClientNTLM(10*time.Second, nil, NTLMCredentials{User: "alice", Domain: "SOAPBRIDGE", Password: ntlmAlice.Password})
	defer client.CloseIdle()
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for range 12 {
		wg.Go(func() {
			if _, err := ntlmCall(t, client, srv.URL+"/ntlm/inventory"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	negotiated := map[int]int{}
	for _, r := range srv.Log(t, 12) {
		if r.Status == http.StatusOK && r.User != `SOAPBRIDGE\alice` {
			t.Errorf("served as %q: %+v", r.User, r)
		}
		if r.Scheme == "NTLM" && r.Status == http.StatusUnauthorized {
			negotiated[r.ClientPort]++
		}
	}
	for port, n := range negotiated {
		if n != 1 {
			t.Errorf("connection %d negotiated %d times", port, n)
		}
	}
}

// TestNTLMRedirectToAnotherHost: a redirect to another host is not followed,
// so no handshake is made with a host the configuration does not name.
func TestNTLMRedirectToAnotherHost(t *testing.T) {
	var other sync.Mutex
	reached := false
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Lock()
		reached = true
		other.Unlock()
		w.Header().Set("WWW-Authenticate", "NTLM")
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.RedirectHandler(elsewhere.URL+"/soap", http.StatusTemporaryRedirect))
	defer srv.Close()
	client := NewClientNTLM(10*time.Second, nil, NTLMCredentials{User: "alice", Password: "secret-pw"})
	_, err := ntlmCall(t, client, srv.URL)
	if err == nil || !strings.Contains(err.Error(), "another host than the endpoint's") {
		t.Fatalf("got %v", err)
	}
	other.Lock()
	defer other.Unlock()
	if reached {
		t.Error("the redirect was followed")
	}
}
