package testpeer

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func probeXmlsec1() (string, error) {
	p, err := exec.LookPath("xmlsec1")
	if err != nil {
		return "", errors.New("no xmlsec1 on PATH")
	}
	if _, err := runProbe(p, "--version"); err != nil {
		return "", err
	}
	return p, nil
}

// IssueRSA makes a certificate with a 2048-bit RSA key for signing
// messages (WS-Security X.509: node-soap's xml-crypto signs and verifies
// RSA only), valid from notBefore to notAfter.
func (ca *CA) IssueRSA(cn string, notBefore, notAfter time.Time) tls.Certificate {
	ca.t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		ca.t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn}, NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature}
	return ca.sign(tmpl, &key.PublicKey, key)
}

// X509Server starts node-soap serving the bundled inventory WSDL behind a
// WS-Security X.509 signature check, trusting the client certificate
// clientCert (PEM), and returns its base URL: the SOAP 1.1 port is at
// /soap, the SOAP 1.2 port at /soap12 (test/peers/node/x509-server.js).
// With signCert and signKey (PEM) its answers are signed; flags are further
// options of the script (--tamper-response).
func X509Server(t testing.TB, clientCert, signCert, signKey string, flags ...string) string {
	t.Helper()
	node := Require(t, Node)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	port := FreePort(t)
	wsdl := filepath.Join(RepoRoot(t), "examples", "inventory", "inventory.wsdl")
	args := []string{"x509-server.js", wsdl, fmt.Sprint(port), write("client.pem", clientCert)}
	if signCert != "" {
		args = append(args, "--sign-cert="+write("sign-cert.pem", signCert), "--sign-key="+write("sign-key.pem", signKey))
	}
	p := StartProcess(t, context.Background(), NodePeerDir(t), node, append(args, flags...)...)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	p.WaitHTTP(t, base+"/soap?wsdl", 15*time.Second)
	return base
}
