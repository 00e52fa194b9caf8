package testpeer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestKerberosRealm creates a realm and checks, with MIT's own tools when
// present, that the user can log in and the service keytab holds the SPN.
func TestKerberosRealm(t *testing.T) {
	r := KerberosRealm(t)
	if r.Realm == "" || r.KDC == "" || !strings.HasPrefix(r.SPN, "HTTP/") {
		t.Fatalf("realm %+v", r)
	}
	if fi, err := os.Stat(r.ServiceKeytab); err != nil || fi.Mode().Perm()&0o004 == 0 {
		t.Fatalf("service keytab: %v %v", fi, err)
	}
	if out := r.Kadmin(t, "listprincs"); !strings.Contains(out, r.User+"@"+r.Realm) || !strings.Contains(out, r.SPN+"@"+r.Realm) {
		t.Fatalf("principals: %s", out)
	}
	if len(r.UserKeytab(t)) < 16 {
		t.Fatal("user keytab is empty")
	}
	kinit, err := exec.LookPath("kinit")
	if err != nil {
		t.Log("no kinit: the login is checked by the gateway's tests")
		return
	}
	cmd := exec.Command(kinit, r.User+"@"+r.Realm)
	cmd.Env = append(os.Environ(), "KRB5_CONFIG="+r.Krb5Conf, "KRB5CCNAME=FILE:"+filepath.Join(t.TempDir(), "cc"))
	cmd.Stdin = strings.NewReader(r.Password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kinit: %v\n%s", err, out)
	}
}
