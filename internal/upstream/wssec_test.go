package upstream

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/wssec"
)

// The account the WS-Security peer accepts. The password has characters
// that need escaping and one outside ASCII.
const (
	wssUser     = "alice"
	wssPassword = `s3cr&t<"pä'ss>`
)

// wssPath is the peer's path for the port of SOAP version v.
func wssPath(v wsdl.SOAPVersion) string {
	if v == wsdl.SOAP12 {
		return "/soap12"
	}
	return "/soap"
}

// wssBlock returns a fresh wsse:Security block for a call made now.
func wssBlock(t *testing.T, h *wssec.Header) []byte {
	t.Helper()
	b, err := h.Block(time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantWSSFault checks that err is the peer's WS-Security fault with the
// wsse code and a reason containing cause, as soapbridge reports it.
func wantWSSFault(t *testing.T, v wsdl.SOAPVersion, err error, code, cause string) {
	t.Helper()
	var f *soap.Fault
	if !errors.As(err, &f) {
		t.Fatalf("got %v (%T), want a SOAP fault wsse:%s", err, err, code)
	}
	raw := "{" + wssec.NSSecExt + "}" + code
	if v == wsdl.SOAP12 {
		// SOAP 1.2: Sender, with the WS-Security code as subcode.
		if f.Code != "Sender" || !f.IsClient() || !reflect.DeepEqual(f.Subcodes, []string{raw}) {
			t.Errorf("fault code %q subcodes %q, want Sender / %s", f.Code, f.Subcodes, raw)
		}
	} else if f.Code != code || f.RawCode != raw {
		// SOAP 1.1: the WS-Security code is the faultcode.
		t.Errorf("fault code %q (raw %q), want %q (%s)", f.Code, f.RawCode, code, raw)
	}
	if !strings.Contains(f.Reason, cause) || f.Version != v {
		t.Errorf("fault reason %q (SOAP %s), want one containing %q", f.Reason, f.Version, cause)
	}
	if strings.Contains(err.Error(), wssPassword) {
		t.Errorf("the error shows the password: %v", err)
	}
}

func reserved(t *testing.T, got any, err error, want string) {
	t.Helper()
	if err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	if !reflect.DeepEqual(got, jsonOf(t, `{"reservationId": "`+want+`", "expires": "2027-01-02T03:04:05Z"}`)) {
		t.Errorf("Reserve: got %v, want reservationId %s", got, want)
	}
}

func TestWSSNodeSOAP(t *testing.T) {
	base := testpeer.WSSServer(t, wssUser, wssPassword)
	c := compile(t, "examples/inventory/inventory.wsdl")
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12} {
		t.Run(string(v), func(t *testing.T) {
			tg := target(t, c, "Reserve", v, base+wssPath(v))
			reserve := func(h *wssec.Header, sku string) (any, error) {
				t.Helper()
				tg.SOAPHeaders = nil
				if h != nil {
					tg.SOAPHeaders = [][]byte{wssBlock(t, h)}
				}
				return call(t, tg, `{"sku": "`+sku+`", "quantity": 1}`)
			}
			text := &wssec.UsernameToken{Username: wssUser, Password: wssPassword}
			digest := &wssec.UsernameToken{Username: wssUser, Password: wssPassword, Digest: true}

			got, err := reserve(&wssec.Header{Token: text}, "T-1")
			reserved(t, got, err, "alice/text/T-1")
			got, err = reserve(&wssec.Header{Token: digest}, "D-1")
			reserved(t, got, err, "alice/digest/D-1")
			// With a Timestamp node-soap answers with a wsse:Security
			// header of its own (soap:mustUnderstand="1", a Timestamp);
			// the response still decodes.
			got, err = reserve(&wssec.Header{Token: text, TimestampTTL: 5 * time.Minute}, "T-2")
			reserved(t, got, err, "alice/text/T-2")
			got, err = reserve(&wssec.Header{Token: digest, TimestampTTL: 5 * time.Minute}, "D-2")
			reserved(t, got, err, "alice/digest/D-2")

			_, err = reserve(&wssec.Header{Token: &wssec.UsernameToken{Username: wssUser, Password: "wrong"}}, "X-1")
			wantWSSFault(t, v, err, "FailedAuthentication", "wrong password (text)")
			_, err = reserve(&wssec.Header{Token: &wssec.UsernameToken{Username: wssUser, Password: "wrong", Digest: true}}, "X-1")
			wantWSSFault(t, v, err, "FailedAuthentication", "wrong password (digest)")
			_, err = reserve(&wssec.Header{Token: &wssec.UsernameToken{Username: "mallory", Password: wssPassword, Digest: true}}, "X-1")
			wantWSSFault(t, v, err, "FailedAuthentication", `unknown user "mallory"`)
			_, err = reserve(nil, "X-1")
			wantWSSFault(t, v, err, "InvalidSecurity", "no wsse:Security header")
			_, err = reserve(&wssec.Header{TimestampTTL: time.Minute}, "X-1")
			wantWSSFault(t, v, err, "InvalidSecurity", "expected exactly one wsse:UsernameToken")
		})
	}
}

func TestWSSNodeSOAPReplayAndClock(t *testing.T) {
	base := testpeer.WSSServer(t, wssUser, wssPassword)
	c := compile(t, "examples/inventory/inventory.wsdl")
	v := wsdl.SOAP11
	tg := target(t, c, "Reserve", v, base+wssPath(v))
	digest := &wssec.UsernameToken{Username: wssUser, Password: wssPassword, Digest: true}

	// A digest block is good for one request: its nonce is single-use, so
	// whoever sends it must build a fresh block for every call.
	tg.SOAPHeaders = [][]byte{wssBlock(t, &wssec.Header{Token: digest})}
	got, err := call(t, tg, `{"sku": "R-1", "quantity": 1}`)
	reserved(t, got, err, "alice/digest/R-1")
	_, err = call(t, tg, `{"sku": "R-1", "quantity": 1}`)
	wantWSSFault(t, v, err, "FailedAuthentication", "nonce replayed")

	// A clock ten minutes slow: the Timestamp has expired and the token's
	// Created is outside the peer's five-minute window.
	slow := time.Now().Add(-10 * time.Minute)
	block := func(h *wssec.Header) {
		t.Helper()
		b, err := h.Block(slow, nil)
		if err != nil {
			t.Fatal(err)
		}
		tg.SOAPHeaders = [][]byte{b}
	}
	block(&wssec.Header{Token: &wssec.UsernameToken{Username: wssUser, Password: wssPassword}, TimestampTTL: 5 * time.Minute})
	_, err = call(t, tg, `{"sku": "C-1", "quantity": 1}`)
	wantWSSFault(t, v, err, "MessageExpired", "Timestamp expired at")
	block(&wssec.Header{Token: digest})
	_, err = call(t, tg, `{"sku": "C-1", "quantity": 1}`)
	wantWSSFault(t, v, err, "MessageExpired", "more than 5 minutes away from now")
	// ClockOffset compensates it.
	block(&wssec.Header{Token: digest, TimestampTTL: 5 * time.Minute, ClockOffset: 10 * time.Minute})
	got, err = call(t, tg, `{"sku": "C-2", "quantity": 1}`)
	reserved(t, got, err, "alice/digest/C-2")
}

func TestWSSNodeSOAPRequireTimestamp(t *testing.T) {
	base := testpeer.WSSServer(t, wssUser, wssPassword, "--require-timestamp")
	c := compile(t, "examples/inventory/inventory.wsdl")
	v := wsdl.SOAP12
	tg := target(t, c, "Reserve", v, base+wssPath(v))
	text := &wssec.UsernameToken{Username: wssUser, Password: wssPassword}
	tg.SOAPHeaders = [][]byte{wssBlock(t, &wssec.Header{Token: text})}
	_, err := call(t, tg, `{"sku": "S-1", "quantity": 1}`)
	wantWSSFault(t, v, err, "InvalidSecurity", "no wsu:Timestamp")
	tg.SOAPHeaders = [][]byte{wssBlock(t, &wssec.Header{Token: text, TimestampTTL: time.Minute})}
	got, err := call(t, tg, `{"sku": "S-2", "quantity": 1}`)
	reserved(t, got, err, "alice/text/S-2")
}

// With --reject=401 the peer refuses the way node-soap does when its
// authenticate hook returns false: HTTP 401 with a fault body ("Invalid
// username or password") and no WWW-Authenticate. soapbridge reports that
// as an auth *Error naming the scheme it sent; the fault is not read.
func TestWSSNodeSOAPReject401(t *testing.T) {
	base := testpeer.WSSServer(t, wssUser, wssPassword, "--reject=401")
	c := compile(t, "examples/inventory/inventory.wsdl")
	tg := target(t, c, "Reserve", wsdl.SOAP11, base+"/soap")
	tg.AuthScheme = "WS-Security UsernameToken"
	tg.SOAPHeaders = [][]byte{wssBlock(t, &wssec.Header{Token: &wssec.UsernameToken{Username: wssUser, Password: "wrong", Digest: true}})}
	_, err := call(t, tg, `{"sku": "U-1", "quantity": 1}`)
	var ue *Error
	if !errors.As(err, &ue) || ue.Kind != KindAuth || ue.Status != 401 || len(ue.Offered) != 0 || !strings.Contains(ue.Msg, "WS-Security UsernameToken") {
		t.Fatalf("got %v (%T), want an auth *Error with status 401", err, err)
	}
	t.Logf("soapbridge says: %v", err)
	tg.SOAPHeaders = [][]byte{wssBlock(t, &wssec.Header{Token: &wssec.UsernameToken{Username: wssUser, Password: wssPassword, Digest: true}})}
	got, err := call(t, tg, `{"sku": "U-2", "quantity": 1}`)
	reserved(t, got, err, "alice/digest/U-2")
}

// node-soap, the WS-Security peer, answers both SOAP versions with the
// prefix soap. Responses decoded one after the other by the pooled
// tokenizer must each resolve it afresh: a namespace cached from the
// previous document made a SOAP 1.2 answer read as 1.1 ("the envelope has
// no Body", "the response is a SOAP 1.1 envelope"). This needs no peer.
func TestWSSOnePrefixForBothVersions(t *testing.T) {
	const answer = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="%s"><soap:Header><o:Security soap:mustUnderstand="1" xmlns:o="` + wssec.NSSecExt + `"/></soap:Header>` +
		`<soap:Body><ReserveResponse xmlns="urn:example:inventory"><reservationId>%s</reservationId><expires>2027-01-02T03:04:05Z</expires></ReserveResponse></soap:Body></soap:Envelope>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ns, ct := soap.EnvelopeNS(wsdl.SOAP11), "text/xml; charset=utf-8"
		if r.URL.Path == "/soap12" {
			ns, ct = soap.EnvelopeNS(wsdl.SOAP12), "application/soap+xml; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
		fmt.Fprintf(w, answer, ns, r.URL.Path)
	}))
	defer srv.Close()
	c := compile(t, "examples/inventory/inventory.wsdl")
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12, wsdl.SOAP11, wsdl.SOAP12} {
		got, err := call(t, target(t, c, "Reserve", v, srv.URL+wssPath(v)), `{"sku": "A-1", "quantity": 1}`)
		if err != nil {
			t.Errorf("SOAP %s after the other version: %v (stale namespace in the pooled xmltok.Decoder after Reset?)", v, err)
			continue
		}
		reserved(t, got, nil, wssPath(v))
	}
}
