package kerberos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// TestLoginAndTicketFailures logs in to a real MIT KDC and classifies each
// way it can fail.
func TestLoginAndTicketFailures(t *testing.T) {
	r := testpeer.KerberosRealm(t)
	ctx := context.Background()
	good := Config{Realm: r.Realm, KDC: r.KDC, Username: r.User, Password: r.Password}
	c, err := New(good)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Ticket(ctx, r.SPN); err != nil {
		t.Fatalf("ticket with the password: %v", err)
	}
	h, err := c.Negotiate(ctx, r.SPN)
	if err != nil || !strings.HasPrefix(h, "Negotiate ") || len(h) < 200 {
		t.Fatalf("Negotiate: %q %v", h, err)
	}
	kt := good
	kt.Password, kt.Keytab = "", r.UserKeytab(t)
	if err := mustNew(t, kt).Ticket(ctx, r.SPN); err != nil {
		t.Fatalf("ticket with the keytab: %v", err)
	}

	closed := fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t))
	for _, tc := range []struct {
		name   string
		edit   func(*Config)
		spn    string
		reason Reason
		says   string
	}{
		{"wrong password", func(c *Config) { c.Password = "Wr0ng-pass-7x" }, r.SPN, ReasonBadPassword, "pre-authentication failed"},
		{"stale keytab", func(c *Config) { c.Username, c.Password, c.Keytab = "bob", "", staleKeytab(t, r) }, r.SPN, ReasonBadPassword, "keytab"},
		{"unknown user", func(c *Config) { c.Username = "mallory" }, r.SPN, ReasonUserUnknown, "has no user mallory@" + r.Realm},
		{"unknown SPN", nil, "HTTP/wrong.example", ReasonSPNUnknown, "has no principal HTTP/wrong.example@" + r.Realm},
		{"KDC unreachable", func(c *Config) { c.KDC = closed }, r.SPN, ReasonKDCUnreachable, "the KDC " + closed + " does not answer"},
		// MIT's KDC answers a realm it does not serve with "client unknown".
		{"realm not served", func(c *Config) { c.Realm = "OTHER.TEST" }, r.SPN, ReasonUserUnknown, "has no user alice@OTHER.TEST"},
		{"no KDC for the realm", func(c *Config) { c.KDC, c.Realm = "", "NOWHERE.INVALID" }, r.SPN, ReasonRealmUnknown, "no KDC is known for the realm NOWHERE.INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := good
			if tc.edit != nil {
				tc.edit(&cfg)
			}
			err := mustNew(t, cfg).Ticket(ctx, tc.spn)
			var ke *Error
			if !errors.As(err, &ke) || ke.Reason != tc.reason || !strings.Contains(ke.Msg, tc.says) || ke.Fix == "" {
				t.Fatalf("got %#v (%v), want reason %s saying %q", ke, err, tc.reason, tc.says)
			}
			if cfg.Password != "" && strings.Contains(err.Error(), cfg.Password) {
				t.Fatal("the error holds the password")
			}
		})
	}
}

func mustNew(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// staleKeytab returns a keytab of a new user bob whose key then changes.
func staleKeytab(t *testing.T, r *testpeer.Realm) []byte {
	path := filepath.Join(t.TempDir(), "bob.keytab")
	r.Kadmin(t, "addprinc -randkey +requires_preauth bob")
	r.Kadmin(t, "ktadd -k "+path+" bob")
	r.Kadmin(t, "cpw -randkey bob")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestClassifyKDCErrors classifies KRB-ERRORs that a test KDC cannot be
// made to send (clock skew needs another clock; disabled accounts and
// encryption types need Active Directory), as gokrb5 reports them.
func TestClassifyKDCErrors(t *testing.T) {
	c := &Client{cfg: Config{Realm: "EXAMPLE.COM", KDC: "dc1.example.com", Username: "svc", Password: "x"}}
	for code, want := range map[int32]Reason{
		errorcode.KRB_AP_ERR_SKEW:        ReasonClockSkew,
		errorcode.KDC_ERR_CLIENT_REVOKED: ReasonAccount,
		errorcode.KDC_ERR_KEY_EXPIRED:    ReasonAccount,
		errorcode.KDC_ERR_ETYPE_NOSUPP:   ReasonEncType,
		errorcode.KDC_ERR_PREAUTH_FAILED: ReasonBadPassword,
		errorcode.KDC_ERR_BADOPTION:      ReasonOther,
	} {
		krbErr := messages.NewKRBError(types.PrincipalName{}, "EXAMPLE.COM", code, "")
		err := fmt.Errorf("could not get valid TGT for client's realm: [Root cause: KDC_Error] KDC_Error: AS Exchange Error: kerberos error response from KDC: %w", krbErr)
		got := c.classify(stepLogin, "", err)
		if got.Reason != want || got.Msg == "" {
			t.Errorf("code %d: %+v, want %s", code, got, want)
		}
	}
	if got := c.classify(stepLogin, "", errors.New("KDC_ERR_NONE")); got.Reason != ReasonOther {
		t.Errorf("no code: %+v", got)
	}
}

// TestTransportThroughApache calls Apache's mod_auth_gssapi with SPNEGO:
// a valid ticket is accepted; when the server's keytab is stale, the
// ticket is refused with ReasonTicketRefused.
func TestTransportThroughApache(t *testing.T) {
	r := testpeer.KerberosRealm(t)
	dir := testpeer.PeerDir(t)
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello kerberos\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := testpeer.ApacheServer(t, testpeer.ApacheConfig{
		Dir:     dir,
		Modules: []string{"auth_gssapi"},
		Env:     []string{"KRB5_CONFIG=" + r.Krb5Conf, "KRB5RCACHETYPE=none"},
		Directives: fmt.Sprintf(`DocumentRoot %q
<Location />
	AuthType GSSAPI
	AuthName "kerberos test"
	GssapiCredStore keytab:%s
	GssapiAllowedMech krb5
	Require valid-user
</Location>
`, dir, r.ServiceKeytab),
	})
	c := mustNew(t, Config{Realm: r.Realm, KDC: r.KDC, Username: r.User, Password: r.Password})
	hc := &http.Client{Transport: c.Transport(http.DefaultTransport)}
	get := func(body ...string) (*http.Response, error) {
		req, _ := http.NewRequest("GET", base+"/hello.txt", nil)
		if len(body) > 0 { // a body that must be sent twice
			req, _ = http.NewRequest("POST", base+"/hello.txt", strings.NewReader(body[0]))
		}
		return hc.Do(req)
	}
	for i := range 3 {
		resp, err := get()
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "hello kerberos") {
			t.Fatalf("call %d: %s %s", i, resp.Status, b)
		}
	}
	// The service's key changes at the KDC; the server's keytab is stale.
	r.Kadmin(t, "cpw -randkey "+r.SPN)
	c.Forget()
	_, err := get("<soap/>")
	var ke *Error
	if !errors.As(err, &ke) || ke.Reason != ReasonTicketRefused || !strings.Contains(ke.Msg, r.SPN+"@"+r.Realm) {
		t.Fatalf("stale server keytab: %v", err)
	}
}

func TestDeriveSPN(t *testing.T) {
	for in, want := range map[string]string{"ERP.example.com:8443": "HTTP/erp.example.com", "localhost": "HTTP/localhost", "[::1]:80": "HTTP/::1", "host.": "HTTP/host"} {
		if got := DeriveSPN(in); got != want {
			t.Errorf("DeriveSPN(%q) = %q, want %q", in, got, want)
		}
	}
	if KDCAddress("dc1") != "dc1:88" || KDCAddress("dc1:750") != "dc1:750" {
		t.Error("KDCAddress")
	}
}
