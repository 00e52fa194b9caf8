package testpeer

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// NTLMUser is an account of an NTLM server started by NTLMServer.
type NTLMUser struct {
	Domain, User, Password string
}

// NTLMConfig describes an Apache httpd that accepts NTLM (in the NTLM and
// the Negotiate scheme) through mod_auth_gssapi and gss-ntlmssp, in front of
// a SOAP server.
type NTLMConfig struct {
	// Users are the accounts the server accepts (gss-ntlmssp's
	// NTLM_USER_FILE).
	Users []NTLMUser
	// Upstream is the base URL the server proxies to, typically PHPServer's:
	// BASE/ntlm/PATH is Upstream/PATH behind NTLM.
	Upstream string
	// Basic makes the server offer HTTP Basic (checked against the same
	// accounts) besides Negotiate and NTLM.
	Basic bool
}

// NTLMServer is an Apache httpd with mod_auth_gssapi and gss-ntlmssp in
// front of cfg.Upstream: BASE/ntlm/ proxies to the upstream behind NTLM
// (GssapiConnectionBound: one handshake authenticates a kept-alive
// connection), BASE/open/ proxies without authentication. Every request
// is written to its access log, read with Log. It requires the Apache and
// NTLMSSP peers.
type NTLMServer struct {
	// URL is the base URL, http://localhost:PORT.
	URL string
	dir string
}

// StartNTLMServer starts an NTLMServer for the length of the test.
func StartNTLMServer(t testing.TB, cfg NTLMConfig) *NTLMServer {
	t.Helper()
	Require(t, Apache)
	Require(t, NTLMSSP)
	dir := PeerDir(t)
	var users strings.Builder
	for _, u := range cfg.Users {
		fmt.Fprintf(&users, "%s:%s:%s\n", u.Domain, u.User, u.Password)
	}
	userFile := filepath.Join(dir, "ntlm_users")
	if err := os.WriteFile(userFile, []byte(users.String()), 0o644); err != nil {
		t.Fatalf("testpeer: %v", err)
	}
	basic := ""
	if cfg.Basic {
		basic = "\tGssapiBasicAuth On\n"
	}
	up := strings.TrimSuffix(cfg.Upstream, "/")
	directives := fmt.Sprintf(`
LogFormat "%%{remote}p\t%%u\t%%>s\t%%k\t%%{Authorization}i\t%%r" conn
CustomLog %q conn
<Location /ntlm/>
	AuthType GSSAPI
	AuthName "soapbridge test"
	GssapiAllowedMech ntlmssp
	GssapiConnectionBound On
%s	Require valid-user
</Location>
ProxyPass /ntlm/ %s/
ProxyPass /open/ %s/
`, filepath.Join(dir, "access.log"), basic, up, up)
	base := ApacheServer(t, ApacheConfig{
		Dir:        dir,
		Modules:    []string{"proxy", "proxy_http", "auth_gssapi"},
		Directives: directives,
		Env:        []string{"NTLM_USER_FILE=" + userFile, "NETBIOS_DOMAIN_NAME=SOAPBRIDGE", "NETBIOS_COMPUTER_NAME=UPSTREAM"},
	})
	return &NTLMServer{URL: base, dir: dir}
}

// NTLMRequest is one line of an NTLMServer's access log.
type NTLMRequest struct {
	// ClientPort is the client's TCP port: one per connection.
	ClientPort int
	// User is the authenticated user ("" or "-" when none).
	User string
	// Status is the HTTP status answered.
	Status int
	// KeepAlive counts the requests served on the connection before this
	// one.
	KeepAlive int
	// Scheme is the scheme of the request's Authorization header ("-"
	// when it had none): Negotiate, NTLM, Basic.
	Scheme string
	// Line is the request line.
	Line string
}

// Log waits until the server has logged at least n requests (Apache writes
// a request's line just after its answer) and returns all it has logged.
// It fails the test when fewer than n appear within 10 seconds.
func (s *NTLMServer) Log(t testing.TB, n int) []NTLMRequest {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		reqs := s.read(t)
		if len(reqs) >= n {
			return reqs
		}
		if time.Now().After(deadline) {
			t.Fatalf("testpeer: the NTLM server logged %d requests, want at least %d", len(reqs), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *NTLMServer) read(t testing.TB) []NTLMRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.dir, "access.log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("testpeer: %v", err)
	}
	var out []NTLMRequest
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 6 || f[5] == "GET / HTTP/1.1" { // not the readiness probe
			continue
		}
		var r NTLMRequest
		r.ClientPort, _ = strconv.Atoi(f[0])
		r.User = strings.ReplaceAll(f[1], `\\`, `\`) // Apache escapes backslashes
		r.Status, _ = strconv.Atoi(f[2])
		r.KeepAlive, _ = strconv.Atoi(f[3])
		r.Scheme, _, _ = strings.Cut(f[4], " ")
		r.Line = f[5]
		out = append(out, r)
	}
	return out
}
