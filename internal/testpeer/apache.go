package testpeer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// apacheModules is where Debian's apache2 keeps its loadable modules.
const apacheModules = "/usr/lib/apache2/modules"

// ApacheConfig describes an Apache httpd started by ApacheServer.
type ApacheConfig struct {
	// Dir holds the server's configuration, logs and any files the
	// directives name (keytabs, user files). It must be readable by the
	// server's worker user: make it with PeerDir. Empty means a new one.
	Dir string
	// Modules are the modules to load besides the base set (mpm_event,
	// authn_core, authz_core, authz_user), by short name: "auth_gssapi",
	// "proxy", "proxy_http", "headers"...
	Modules []string
	// Directives are appended to the server's configuration, at server
	// level: typically <Location> blocks with authentication and a
	// ProxyPass to a SOAP server started by the test.
	Directives string
	// Env is extra environment for the server ("KEY=value"), seen by the
	// modules: KRB5_CONFIG, KRB5_KTNAME, NTLM_USER_FILE...
	Env []string
}

// PeerDir returns a new temporary directory that a server dropping its
// privileges (Apache's workers run as www-data when the test runs as root)
// can read: the directory and its parents up to the test's temp root are
// made world-readable. Files written there with mode 0644 are readable by
// the server.
func PeerDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	// t.TempDir makes dir and its parent 0700.
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatalf("testpeer: %v", err)
		}
	}
	return dir
}

// ApacheServer starts Debian's apache2 in the foreground on a free port of
// 127.0.0.1 with the base configuration plus cfg, and returns its base URL,
// http://localhost:PORT (a host name, so that Kerberos SPNs can name it).
// The server logs to its Dir (error.log, shown when the test fails) and is
// stopped in t.Cleanup. It requires the Apache peer, and fails the test
// when the configuration is refused or the server does not answer.
func ApacheServer(t testing.TB, cfg ApacheConfig) string {
	t.Helper()
	httpd := Require(t, Apache)
	if cfg.Dir == "" {
		cfg.Dir = PeerDir(t)
	}
	port := FreePort(t)
	conf := filepath.Join(cfg.Dir, "httpd.conf")
	if err := os.WriteFile(conf, []byte(apacheConf(cfg, port)), 0o644); err != nil {
		t.Fatalf("testpeer: %v", err)
	}
	env := append(os.Environ(), cfg.Env...)
	// A syntax check first gives a clear failure for a bad configuration.
	check := exec.Command(httpd, "-t", "-f", conf)
	check.Env = env
	if out, err := check.CombinedOutput(); err != nil {
		t.Fatalf("testpeer: apache2 refuses the configuration: %v\n%s\n%s", err, out, conf)
	}
	args := append(append([]string{}, cfg.Env...), httpd, "-f", conf, "-DFOREGROUND")
	p := StartProcess(t, context.Background(), cfg.Dir, "env", args...)
	t.Cleanup(func() {
		if t.Failed() {
			if b, err := os.ReadFile(filepath.Join(cfg.Dir, "error.log")); err == nil {
				t.Logf("testpeer: apache2 error.log:\n%s", tail(b, 8192))
			}
		}
	})
	base := fmt.Sprintf("http://localhost:%d", port)
	p.WaitHTTP(t, fmt.Sprintf("http://127.0.0.1:%d/", port), 15*time.Second)
	return base
}

func apacheConf(cfg ApacheConfig, port int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ServerRoot %q\nServerName localhost\nListen 127.0.0.1:%d\n", cfg.Dir, port)
	fmt.Fprintf(&b, "PidFile %q\nErrorLog %q\nLogLevel info\n", filepath.Join(cfg.Dir, "httpd.pid"), filepath.Join(cfg.Dir, "error.log"))
	fmt.Fprintf(&b, "DefaultRuntimeDir %q\nMutex file:%s default\n", cfg.Dir, cfg.Dir)
	if os.Geteuid() == 0 {
		// Apache refuses to serve as root; its workers drop to www-data.
		b.WriteString("User www-data\nGroup www-data\n")
	}
	b.WriteString("KeepAlive On\nMaxKeepAliveRequests 0\nTimeout 30\n")
	b.WriteString("StartServers 1\nServerLimit 1\nThreadsPerChild 16\nMaxRequestWorkers 16\n")
	mods := append([]string{"mpm_event", "authn_core", "authz_core", "authz_user"}, cfg.Modules...)
	seen := map[string]bool{}
	for _, m := range mods {
		if seen[m] {
			continue
		}
		seen[m] = true
		fmt.Fprintf(&b, "LoadModule %s_module %s/mod_%s.so\n", m, apacheModules, m)
	}
	b.WriteString(cfg.Directives)
	b.WriteString("\n")
	return b.String()
}

// probeApache finds Debian's apache2 with mod_auth_gssapi.
func probeApache() (string, error) {
	httpd := "/usr/sbin/apache2"
	if _, err := os.Stat(httpd); err != nil {
		return "", errors.New("no /usr/sbin/apache2")
	}
	if _, err := os.Stat(filepath.Join(apacheModules, "mod_auth_gssapi.so")); err != nil {
		return "", errors.New("apache2 has no mod_auth_gssapi")
	}
	if _, err := runProbe(httpd, "-v"); err != nil {
		return "", err
	}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("www-data"); err != nil {
			return "", errors.New("no www-data user for apache2's workers")
		}
	}
	return httpd, nil
}

// probeNTLMSSP finds gss-ntlmssp, the GSSAPI NTLM mechanism that
// mod_auth_gssapi uses to accept NTLM.
func probeNTLMSSP() (string, error) {
	m, _ := filepath.Glob("/usr/lib/*/gssntlmssp/gssntlmssp.so")
	if len(m) == 0 {
		return "", errors.New("no gssntlmssp.so under /usr/lib/*/gssntlmssp")
	}
	return m[0], nil
}

// probeKDC finds MIT Kerberos' KDC and its administration tools.
func probeKDC() (string, error) {
	for _, p := range []string{"/usr/sbin/kdb5_util", "/usr/sbin/kadmin.local"} {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("no %s", p)
		}
	}
	const kdc = "/usr/sbin/krb5kdc"
	if _, err := os.Stat(kdc); err != nil {
		return "", fmt.Errorf("no %s", kdc)
	}
	return kdc, nil
}
