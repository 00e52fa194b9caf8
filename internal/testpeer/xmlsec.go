package testpeer

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os/exec"
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
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.key)
	if err != nil {
		ca.t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}
