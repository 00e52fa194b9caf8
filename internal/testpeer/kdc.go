package testpeer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Realm is a throw-away Kerberos realm served by MIT's krb5kdc, started
// by KerberosRealm. Everything it has lives in Dir.
type Realm struct {
	// Realm is the realm's name, such as SOAPBRIDGE.TEST.
	Realm string
	// KDC is the KDC's address, 127.0.0.1:PORT, on TCP and UDP.
	KDC string
	// Krb5Conf is a krb5.conf naming the realm and its KDC, with
	// localhost mapped to the realm; give it to servers as KRB5_CONFIG.
	Krb5Conf string
	// User and Password are a user principal (requiring
	// pre-authentication, as Active Directory does) and its password.
	User, Password string
	// SPN is the service principal HTTP/localhost, whose key is in
	// ServiceKeytab (mode 0644, readable by Apache's workers).
	SPN           string
	ServiceKeytab string
	// Dir holds the database, the configuration and kdc.log.
	Dir string

	env []string
}

// KerberosRealm creates a realm with a random name suffix in a new PeerDir
// (kdc.conf and krb5.conf through KRB5_KDC_PROFILE and KRB5_CONFIG, a
// database with a random master password, the user and HTTP/localhost
// principals, the service keytab), starts krb5kdc in the foreground on a
// free TCP and UDP port, and waits until it accepts connections. The KDC is
// stopped in t.Cleanup. It requires the KDC peer.
func KerberosRealm(t testing.TB) *Realm {
	t.Helper()
	kdc := Require(t, KDC)
	dir := PeerDir(t)
	port := freeTCPUDPPort(t)
	r := &Realm{
		Realm: "SB" + strings.ToUpper(randomHex(t, 3)) + ".TEST",
		KDC:   fmt.Sprintf("127.0.0.1:%d", port),
		User:  "alice", Password: "pw-" + randomHex(t, 8),
		SPN:           "HTTP/localhost",
		ServiceKeytab: filepath.Join(dir, "http.keytab"),
		Krb5Conf:      filepath.Join(dir, "krb5.conf"),
		Dir:           dir,
	}
	kdcConf := filepath.Join(dir, "kdc.conf")
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatalf("testpeer: %v", err)
		}
	}
	write(kdcConf, fmt.Sprintf(`[kdcdefaults]
	kdc_ports = %[2]d
	kdc_tcp_ports = %[2]d
[realms]
	%[1]s = {
		database_name = %[3]s/principal
		key_stash_file = %[3]s/stash
		acl_file = %[3]s/kadm5.acl
		kdc_ports = %[2]d
		kdc_tcp_ports = %[2]d
		max_life = 10h 0m 0s
		max_renewable_life = 7d 0h 0m 0s
		supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
	}
[logging]
	kdc = FILE:%[3]s/kdc.log
`, r.Realm, port, dir))
	write(filepath.Join(dir, "kadm5.acl"), "")
	write(r.Krb5Conf, fmt.Sprintf(`[libdefaults]
	default_realm = %[1]s
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	udp_preference_limit = 1
[realms]
	%[1]s = {
		kdc = %[2]s
	}
[domain_realm]
	localhost = %[1]s
`, r.Realm, r.KDC))
	r.env = []string{"KRB5_CONFIG=" + r.Krb5Conf, "KRB5_KDC_PROFILE=" + kdcConf}
	sbin := filepath.Dir(kdc)
	r.run(t, filepath.Join(sbin, "kdb5_util"), "-r", r.Realm, "create", "-s", "-P", randomHex(t, 16))
	r.Kadmin(t, fmt.Sprintf("addprinc -pw %s +requires_preauth %s", r.Password, r.User))
	r.Kadmin(t, "addprinc -randkey "+r.SPN)
	r.Kadmin(t, fmt.Sprintf("ktadd -k %s %s", r.ServiceKeytab, r.SPN))
	if err := os.Chmod(r.ServiceKeytab, 0o644); err != nil {
		t.Fatalf("testpeer: %v", err)
	}
	args := append(append([]string{}, r.env...), kdc, "-n", "-r", r.Realm)
	p := StartProcess(t, context.Background(), dir, "env", args...)
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(dir, "kdc.log")); err == nil {
				t.Logf("testpeer: kdc.log:\n%s", tail(b, 8192))
			}
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", r.KDC, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-p.Done():
			t.Fatalf("testpeer: krb5kdc exited: %v", p.Err())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("testpeer: krb5kdc does not accept connections on %s: %v", r.KDC, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return r
}

// Kadmin runs one kadmin.local query against the realm's database
// ("addprinc -randkey HTTP/other", "cpw -randkey HTTP/localhost") and
// returns its output; a failure fails the test.
func (r *Realm) Kadmin(t testing.TB, query string) string {
	t.Helper()
	kdc := Require(t, KDC)
	return r.run(t, filepath.Join(filepath.Dir(kdc), "kadmin.local"), "-r", r.Realm, "-q", query)
}

// UserKeytab returns a keytab holding the user's keys, derived from its
// password (the password stays valid).
func (r *Realm) UserKeytab(t testing.TB) []byte {
	t.Helper()
	path := filepath.Join(r.Dir, "user-"+randomHex(t, 4)+".keytab")
	r.Kadmin(t, fmt.Sprintf("ktadd -k %s -norandkey %s", path, r.User))
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("testpeer: %v", err)
	}
	return b
}

func (r *Realm) run(t testing.TB, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Dir = r.Dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("testpeer: %s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return string(out)
}

// freeTCPUDPPort returns a port of 127.0.0.1 that was free a moment ago
// for both TCP and UDP.
func freeTCPUDPPort(t testing.TB) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("testpeer: free port: %v", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			u.Close()
			return port
		}
	}
	t.Fatal("testpeer: no port free for both TCP and UDP")
	return 0
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("testpeer: %v", err)
	}
	return hex.EncodeToString(b)
}
