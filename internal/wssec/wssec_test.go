package wssec_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/wssec"
)

// node is an element read back with encoding/xml: names and attribute
// names carry namespace URIs, xmlns declarations are kept as attributes in
// the "xmlns" space.
type node struct {
	Name     xml.Name
	Attr     []xml.Attr
	Text     string
	Children []*node
}

func (n *node) attr(space, local string) (string, bool) {
	for _, a := range n.Attr {
		if a.Name.Space == space && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// names lists the children as "{space}local".
func (n *node) names() []string {
	var out []string
	for _, c := range n.Children {
		out = append(out, "{"+c.Name.Space+"}"+c.Name.Local)
	}
	return out
}

func parseXML(t *testing.T, b []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	root := &node{}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, b)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tok.Name, Attr: tok.Attr}
			top.Children = append(top.Children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.Text += string(tok)
		}
	}
	if len(root.Children) != 1 {
		t.Fatalf("%d root elements", len(root.Children))
	}
	return root.Children[0]
}

// security puts block into an envelope of version v the way
// upstream.Client.Call does and returns the parsed wsse:Security element.
func security(t *testing.T, v wsdl.SOAPVersion, block []byte) *node {
	t.Helper()
	req := soap.NewRequest(v, "urn:op", &codec.Encoded{Body: []byte(`<op xmlns="urn:x"/>`)}, block)
	env := parseXML(t, req.Envelope)
	if env.Name.Space != soap.EnvelopeNS(v) || len(env.Children) != 2 || env.Children[0].Name.Local != "Header" {
		t.Fatalf("envelope %v children %v", env.Name, env.names())
	}
	h := env.Children[0]
	if len(h.Children) != 1 {
		t.Fatalf("header children %v", h.names())
	}
	return h.Children[0]
}

func ns(space, local string) string { return "{" + space + "}" + local }

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

var now = time.Date(2026, 3, 4, 5, 6, 7, 891234567, time.FixedZone("CET", 3600))

func TestWSSBlockStructure(t *testing.T) {
	nonce := bytes.Repeat([]byte{0xA5}, 16)
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12} {
		for _, digest := range []bool{false, true} {
			name := string(v) + "/text"
			if digest {
				name = string(v) + "/digest"
			}
			t.Run(name, func(t *testing.T) {
				h := &wssec.Header{Token: &wssec.UsernameToken{Username: "alice", Password: "s3cret", Digest: digest}, TimestampTTL: 5 * time.Minute}
				block, err := h.Block(now, bytes.NewReader(nonce))
				if err != nil {
					t.Fatal(err)
				}
				sec := security(t, v, block)
				if sec.Name != (xml.Name{Space: wssec.NSSecExt, Local: "Security"}) {
					t.Fatalf("block element %v", sec.Name)
				}
				if mu, ok := sec.attr(soap.EnvelopeNS(v), "mustUnderstand"); !ok || mu != "1" {
					t.Errorf("mustUnderstand in the envelope namespace: %q %v (attrs %v)", mu, ok, sec.Attr)
				}
				// The namespaces are declared on Security itself, so the
				// block is self-contained apart from soapenv.
				for prefix, uri := range map[string]string{"wsse": wssec.NSSecExt, "wsu": wssec.NSUtility} {
					if got, _ := sec.attr("xmlns", prefix); got != uri {
						t.Errorf("xmlns:%s = %q", prefix, got)
					}
				}
				if len(sec.Attr) != 3 {
					t.Errorf("Security attributes %v", sec.Attr)
				}
				equal(t, "Security", sec.names(), []string{ns(wssec.NSUtility, "Timestamp"), ns(wssec.NSSecExt, "UsernameToken")})
				ts, ut := sec.Children[0], sec.Children[1]
				equal(t, "Timestamp", ts.names(), []string{ns(wssec.NSUtility, "Created"), ns(wssec.NSUtility, "Expires")})
				want := []string{ns(wssec.NSSecExt, "Username"), ns(wssec.NSSecExt, "Password")}
				if digest {
					want = append(want, ns(wssec.NSSecExt, "Nonce"), ns(wssec.NSUtility, "Created"))
				}
				equal(t, "UsernameToken", ut.names(), want)
				if ut.Children[0].Text != "alice" {
					t.Errorf("Username %q", ut.Children[0].Text)
				}
				pw := ut.Children[1]
				typ, _ := pw.attr("", "Type")
				if !digest {
					if typ != wssec.TypePasswordText || pw.Text != "s3cret" {
						t.Errorf("text password: Type %q, %q", typ, pw.Text)
					}
					return
				}
				if typ != wssec.TypePasswordDigest {
					t.Errorf("Type %q", typ)
				}
				n := ut.Children[2]
				if enc, _ := n.attr("", "EncodingType"); enc != wssec.EncodingBase64Binary {
					t.Errorf("Nonce EncodingType %q", enc)
				}
				if n.Text != base64.StdEncoding.EncodeToString(nonce) {
					t.Errorf("Nonce %q", n.Text)
				}
				if c := ut.Children[3].Text; c != "2026-03-04T04:06:07.891Z" || c != ts.Children[0].Text {
					t.Errorf("UsernameToken Created %q, Timestamp Created %q", c, ts.Children[0].Text)
				}
				if pw.Text == "s3cret" || strings.Contains(string(block), "s3cret") {
					t.Errorf("the digest block contains the password: %s", block)
				}
			})
		}
	}
}

func TestWSSOnlyTimestampOrOnlyToken(t *testing.T) {
	b, err := (&wssec.Header{TimestampTTL: time.Minute}).Block(now, nil)
	if err != nil {
		t.Fatal(err)
	}
	sec := security(t, wsdl.SOAP11, b)
	equal(t, "timestamp only", sec.names(), []string{ns(wssec.NSUtility, "Timestamp")})

	b, err = (&wssec.Header{Token: &wssec.UsernameToken{Username: "u", Password: "p"}}).Block(now, nil)
	if err != nil {
		t.Fatal(err)
	}
	sec = security(t, wsdl.SOAP12, b)
	equal(t, "token only", sec.names(), []string{ns(wssec.NSSecExt, "UsernameToken")})
}

// digestOf parses a digest block and returns nonce, created and password
// digest as sent.
func digestOf(t *testing.T, block []byte) (nonce []byte, created, digest string) {
	t.Helper()
	sec := security(t, wsdl.SOAP11, block)
	ut := sec.Children[len(sec.Children)-1]
	nonce, err := base64.StdEncoding.DecodeString(ut.Children[2].Text)
	if err != nil {
		t.Fatal(err)
	}
	return nonce, ut.Children[3].Text, ut.Children[1].Text
}

func TestWSSDigestKnownVectors(t *testing.T) {
	for _, tc := range []struct {
		nonce, created, password, want, source string
	}{
		// ONVIF Application Programmer's Guide (2016), section 6.1.1.3.
		{"LKqI6G/AikKCQrN0zqZFlg==", "2010-09-16T07:50:45Z", "userpassword", "tuOSpGlFlIXsozq4HFNeeGeFLEI=", "ONVIF guide"},
		// Computed independently with python3 hashlib and node-soap's
		// passwordDigest (nonce bytes 0..15, non-ASCII password as UTF-8).
		{"AAECAwQFBgcICQoLDA0ODw==", "2026-01-02T03:04:05.678Z", "pässw0rd&<", "0DQM/mRDWVxG1ygcm4SywH/CmG8=", "python3 and node-soap"},
	} {
		nonce, err := base64.StdEncoding.DecodeString(tc.nonce)
		if err != nil {
			t.Fatal(err)
		}
		if got := wssec.Digest(nonce, tc.created, tc.password); got != tc.want {
			t.Errorf("%s: Digest = %s, want %s", tc.source, got, tc.want)
		}
	}
	// The same vector through Block: the nonce comes from rand and Created
	// from now.
	nonce, _ := base64.StdEncoding.DecodeString("AAECAwQFBgcICQoLDA0ODw==")
	h := &wssec.Header{Token: &wssec.UsernameToken{Username: "u", Password: "pässw0rd&<", Digest: true}}
	b, err := h.Block(time.Date(2026, 1, 2, 3, 4, 5, 678_900_000, time.UTC), bytes.NewReader(nonce))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, d := digestOf(t, b); d != "0DQM/mRDWVxG1ygcm4SywH/CmG8=" {
		t.Errorf("Block digest %s", d)
	}
}

func TestWSSDigestIndependent(t *testing.T) {
	password := "pa&ss<wörd>\r\n\t ]]>"
	h := &wssec.Header{Token: &wssec.UsernameToken{Username: "bob", Password: password, Digest: true}}
	b, err := h.Block(now, nil)
	if err != nil {
		t.Fatal(err)
	}
	nonce, created, digest := digestOf(t, b)
	if len(nonce) != wssec.NonceSize {
		t.Errorf("nonce of %d bytes", len(nonce))
	}
	// By hand, without wssec.Digest.
	sum := sha1.Sum(append(append(append([]byte{}, nonce...), created...), password...))
	if want := base64.StdEncoding.EncodeToString(sum[:]); digest != want {
		t.Errorf("digest %s, want %s", digest, want)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 for the independent digest")
	}
	cmd := exec.Command(py, "-c", `import base64, hashlib, sys
n, c, p = (base64.b64decode(a) for a in sys.argv[1:4])
print(base64.b64encode(hashlib.sha1(n + c + p).digest()).decode())`,
		base64.StdEncoding.EncodeToString(nonce), base64.StdEncoding.EncodeToString([]byte(created)), base64.StdEncoding.EncodeToString([]byte(password)))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3: %v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != digest {
		t.Errorf("python3 hashlib: %s, block: %s", got, digest)
	}
}

func TestWSSNonceFresh(t *testing.T) {
	h := &wssec.Header{Token: &wssec.UsernameToken{Username: "u", Password: "p", Digest: true}}
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			b, err := h.Block(now, nil)
			if err != nil {
				t.Error(err)
				return
			}
			i := bytes.Index(b, []byte(`#Base64Binary">`))
			mu.Lock()
			seen[string(b[i:i+40])] = true
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(seen) != 32 {
		t.Errorf("%d distinct nonces in 32 blocks", len(seen))
	}
	_, err := h.Block(now, iotest.ErrReader(errors.New("entropy exhausted")))
	if err == nil || !strings.Contains(err.Error(), "entropy exhausted") {
		t.Errorf("failing rand: %v", err)
	}
	if _, err := h.Block(now, bytes.NewReader(make([]byte, 15))); err == nil {
		t.Error("a short nonce was accepted")
	}
}

func TestWSSEscaping(t *testing.T) {
	user := `a&b<c>"d'e]]>f`
	password := "p&<>\"'\r\n\t]]>ü😀&amp;"
	b, err := (&wssec.Header{Token: &wssec.UsernameToken{Username: user, Password: password}}).Block(now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("]]>")) {
		t.Errorf("unescaped ]]> in %s", b)
	}
	for _, v := range []wsdl.SOAPVersion{wsdl.SOAP11, wsdl.SOAP12} {
		ut := security(t, v, b).Children[0]
		if got := ut.Children[0].Text; got != user {
			t.Errorf("Username read back as %q, want %q", got, user)
		}
		// The CR survives XML's line-end normalization.
		if got := ut.Children[1].Text; got != password {
			t.Errorf("Password read back as %q, want %q", got, password)
		}
	}
}

func TestWSSInvalid(t *testing.T) {
	const secret = "hunter2\x00"
	for _, tc := range []struct {
		name string
		h    *wssec.Header
		want string
	}{
		{"nil", nil, "empty"},
		{"empty", &wssec.Header{}, "empty"},
		{"negative TTL", &wssec.Header{TimestampTTL: -time.Second, Token: &wssec.UsernameToken{Username: "u"}}, "negative"},
		{"no user", &wssec.Header{Token: &wssec.UsernameToken{Password: "p"}}, "no user name"},
		{"control char in password", &wssec.Header{Token: &wssec.UsernameToken{Username: "u", Password: secret}}, `password of user "u" contains a character XML cannot carry (U+0000`},
		{"bad UTF-8 in digest password", &wssec.Header{Token: &wssec.UsernameToken{Username: "u", Password: "hunter2\xff", Digest: true}}, "not valid UTF-8"},
		{"control char in user", &wssec.Header{Token: &wssec.UsernameToken{Username: "u\x1b", Password: "p"}}, "user name contains"},
		{"U+FFFE", &wssec.Header{Token: &wssec.UsernameToken{Username: "u", Password: "\uFFFE"}}, "U+FFFE"},
	} {
		b, err := tc.h.Block(now, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v %s, want an error with %q", tc.name, err, b, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the error shows the password: %v", tc.name, err)
		}
	}
}

var stamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestWSSTimestampTTL(t *testing.T) {
	for _, tc := range []struct {
		ttl, offset time.Duration
	}{
		{5 * time.Minute, 0},
		{90 * time.Second, 30 * time.Second},
		{time.Millisecond, -2 * time.Hour},
		{36 * time.Hour, 0},
	} {
		h := &wssec.Header{TimestampTTL: tc.ttl, ClockOffset: tc.offset, Token: &wssec.UsernameToken{Username: "u", Password: "p", Digest: true}}
		b, err := h.Block(now, nil)
		if err != nil {
			t.Fatal(err)
		}
		sec := security(t, wsdl.SOAP11, b)
		ts := sec.Children[0]
		c, e := ts.Children[0].Text, ts.Children[1].Text
		if !stamp.MatchString(c) || !stamp.MatchString(e) {
			t.Errorf("ttl %s: Created %q Expires %q are not UTC with milliseconds", tc.ttl, c, e)
		}
		created, err1 := time.Parse(time.RFC3339Nano, c)
		expires, err2 := time.Parse(time.RFC3339Nano, e)
		if err1 != nil || err2 != nil {
			t.Fatalf("ttl %s: %v %v", tc.ttl, err1, err2)
		}
		// Milliseconds are truncated, not rounded.
		if want := now.Add(tc.offset).Truncate(time.Millisecond); !created.Equal(want) {
			t.Errorf("ttl %s offset %s: Created %s, want %s", tc.ttl, tc.offset, created, want.UTC())
		}
		if got := expires.Sub(created); got != tc.ttl {
			t.Errorf("ttl %s: Expires - Created = %s", tc.ttl, got)
		}
		if utc := sec.Children[1].Children[3].Text; utc != c {
			t.Errorf("UsernameToken Created %q differs from Timestamp Created %q", utc, c)
		}
	}
}
