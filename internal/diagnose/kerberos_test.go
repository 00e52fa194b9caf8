package diagnose

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/soapbridge/soapbridge/internal/kerberos"
	"github.com/soapbridge/soapbridge/internal/testpeer"
)

// TestKerberos runs the kerberos and spn checks against an MIT KDC, with
// an endpoint that asks for Negotiate and a WSDL policy asking for SPNEGO.
func TestKerberos(t *testing.T) {
	realm := testpeer.KerberosRealm(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", "Negotiate")
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	run := func(cfg kerberos.Config, spn string) *Report {
		t.Helper()
		k, err := kerberos.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer k.Close()
		return Run(context.Background(), Target{Endpoint: srv.URL, Auth: "kerberos", Kerberos: k, SPN: spn,
			Policies: []string{"SymmetricBinding", "SpnegoContextToken", "KerberosToken"}})
	}
	good := kerberos.Config{Realm: realm.Realm, KDC: realm.KDC, Username: realm.User, Password: realm.Password}
	r := run(good, realm.SPN)
	want(t, r, "auth", OK, "asks for Negotiate, and kerberos is configured")
	want(t, r, "policy", OK, "fits the WSDL's security policy")
	want(t, r, "kerberos", OK, realm.User+"@"+realm.Realm+" logs in")
	want(t, r, "spn", OK, "issues service tickets for "+realm.SPN)

	r = run(good, "HTTP/erp.example.com")
	want(t, r, "spn", Error, "has no principal HTTP/erp.example.com@"+realm.Realm)

	bad := good
	bad.KDC = fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t))
	r = run(bad, realm.SPN)
	want(t, r, "kerberos", Error, "does not answer")
	want(t, r, "spn", Skipped, "login to the KDC fails")
}
