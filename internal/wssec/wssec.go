package wssec

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Namespaces and URIs of WS-Security 1.0 and the UsernameToken Profile 1.0.
const (
	NSSecExt  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	NSUtility = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

	TypePasswordText     = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
	TypePasswordDigest   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
	EncodingBase64Binary = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

// EnvelopePrefix is the prefix the block uses for soapenv:mustUnderstand.
// The envelope the block is placed in must bind it to the envelope
// namespace of its SOAP version, as soap.NewRequest does.
const EnvelopePrefix = "soapenv"

// TimeLayout is how Created and Expires are written: UTC, RFC 3339 with
// milliseconds and Z.
const TimeLayout = "2006-01-02T15:04:05.000Z"

// NonceSize is the number of random bytes of a digest token's Nonce.
const NonceSize = 16

// UsernameToken is a user name and password. With Digest the password is
// sent as #PasswordDigest, Base64(SHA-1(nonce + created + password)), with a
// fresh Nonce and a Created time; otherwise it is sent as #PasswordText.
type UsernameToken struct {
	Username string
	Password string
	Digest   bool
}

// Header describes one wsse:Security header block. At least one of Token
// and TimestampTTL must be set. A Header is a plain value: Block does not
// change it and may be called from several goroutines at once.
type Header struct {
	// Token, when not nil, adds a wsse:UsernameToken.
	Token *UsernameToken
	// TimestampTTL, when positive, adds a wsu:Timestamp whose Expires is
	// Created plus TimestampTTL.
	TimestampTTL time.Duration
	// ClockOffset is added to the time passed to Block before any time is
	// written, to compensate an upstream whose clock differs from ours
	// (positive when the upstream's clock is ahead).
	ClockOffset time.Duration
}

// Block returns the raw <wsse:Security> element for a request sent at now,
// with soapenv:mustUnderstand="1" and the wsse and wsu namespaces declared
// on it. rand supplies the Nonce of a digest token; nil means crypto/rand.
// Errors never contain the password.
func (h *Header) Block(now time.Time, rand io.Reader) ([]byte, error) {
	if h == nil || h.Token == nil && h.TimestampTTL <= 0 {
		return nil, errors.New("wssec: the security header is empty: set a username token or a timestamp TTL")
	}
	if h.TimestampTTL < 0 {
		return nil, fmt.Errorf("wssec: negative timestamp TTL %s", h.TimestampTTL)
	}
	created := now.Add(h.ClockOffset).UTC()
	var b strings.Builder
	b.Grow(1024)
	b.WriteString(`<wsse:Security xmlns:wsse="` + NSSecExt + `" xmlns:wsu="` + NSUtility + `" ` + EnvelopePrefix + `:mustUnderstand="1">`)
	if h.TimestampTTL > 0 {
		b.WriteString(`<wsu:Timestamp><wsu:Created>`)
		b.WriteString(created.Format(TimeLayout))
		b.WriteString(`</wsu:Created><wsu:Expires>`)
		b.WriteString(created.Add(h.TimestampTTL).Format(TimeLayout))
		b.WriteString(`</wsu:Expires></wsu:Timestamp>`)
	}
	if t := h.Token; t != nil {
		if err := t.write(&b, created, rand); err != nil {
			return nil, err
		}
	}
	b.WriteString(`</wsse:Security>`)
	return []byte(b.String()), nil
}

func (t *UsernameToken) write(b *strings.Builder, created time.Time, rnd io.Reader) error {
	if t.Username == "" {
		return errors.New("wssec: the username token has no user name")
	}
	if err := checkChars(t.Username); err != nil {
		return fmt.Errorf("wssec: the user name %w", err)
	}
	if err := checkChars(t.Password); err != nil {
		// The password itself is never quoted.
		return fmt.Errorf("wssec: the password of user %q %w", t.Username, err)
	}
	b.WriteString(`<wsse:UsernameToken><wsse:Username>`)
	escape(b, t.Username)
	b.WriteString(`</wsse:Username>`)
	if !t.Digest {
		b.WriteString(`<wsse:Password Type="` + TypePasswordText + `">`)
		escape(b, t.Password)
		b.WriteString(`</wsse:Password></wsse:UsernameToken>`)
		return nil
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	nonce := make([]byte, NonceSize)
	if _, err := io.ReadFull(rnd, nonce); err != nil {
		return fmt.Errorf("wssec: reading a nonce: %w", err)
	}
	c := created.Format(TimeLayout)
	b.WriteString(`<wsse:Password Type="` + TypePasswordDigest + `">`)
	b.WriteString(Digest(nonce, c, t.Password))
	b.WriteString(`</wsse:Password><wsse:Nonce EncodingType="` + EncodingBase64Binary + `">`)
	b.WriteString(base64.StdEncoding.EncodeToString(nonce))
	b.WriteString(`</wsse:Nonce><wsu:Created>`)
	b.WriteString(c)
	b.WriteString(`</wsu:Created></wsse:UsernameToken>`)
	return nil
}

// Digest returns the #PasswordDigest of a password:
// Base64(SHA-1(nonce + created + password)), where nonce is the raw
// (decoded) nonce and created is the Created text exactly as sent.
func Digest(nonce []byte, created, password string) string {
	h := sha1.New()
	h.Write(nonce)
	h.Write([]byte(created))
	h.Write([]byte(password))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// checkChars reports a string that XML 1.0 cannot carry: invalid UTF-8 or
// a character outside the Char production (most control characters).
func checkChars(s string) error {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n == 1 {
				return fmt.Errorf("is not valid UTF-8 (byte %d)", i)
			}
		}
		if !isXMLChar(r) {
			return fmt.Errorf("contains a character XML cannot carry (U+%04X at byte %d)", r, i)
		}
	}
	return nil
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// escape writes s as element content. CR is written as a character
// reference so that XML's line-end normalization does not turn it into LF
// (which would change a password); tabs and LFs survive in element content
// as they are.
func escape(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\r':
			esc = "&#xD;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}
