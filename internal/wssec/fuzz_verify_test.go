package wssec_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/wssec"
)

// FuzzVerify feeds Verify (which reads the upstream's answers) arbitrary
// bytes, starting from signed envelopes: it must return, never panic.
func FuzzVerify(f *testing.F) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	c := certFor(f, "upstream", k, nil, nil, false)
	now := time.Now()
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12} {
		s := &wssec.Signer{Cert: c, Key: k, TimestampTTL: time.Minute, Token: &wssec.UsernameToken{Username: "u", Password: "p"}}
		env, err := s.Sign(request(v), now, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(env)
	}
	f.Add([]byte(`<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header><s:Security xmlns:s="` + wssec.NSSecExt + `"><d:Signature xmlns:d="` + wssec.NSDSig + `"/></s:Security></e:Header><e:Body/></e:Envelope>`))
	v := &wssec.Verifier{Trusted: []*x509.Certificate{c}}
	f.Fuzz(func(t *testing.T, b []byte) {
		v.Verify(b, now)
	})
}
