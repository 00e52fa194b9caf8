package kerberos

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"sync"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"
)

// DefaultPort is the KDC's port when Config.KDC names none.
const DefaultPort = "88"

// Config is a Kerberos identity and where to log it in. Password and Keytab
// are secret; exactly one of them is set.
type Config struct {
	// Realm is the Kerberos realm, for Active Directory the domain in
	// capitals (EXAMPLE.COM).
	Realm string
	// KDC is host[:port] of the realm's KDC; empty means the realm's KDCs
	// from DNS SRV records (_kerberos._tcp.REALM).
	KDC string
	// Username is the user principal's name, without @REALM.
	Username string
	Password string
	// Keytab is the content of a keytab file holding Username's keys.
	Keytab []byte
	// SPN is the upstream's service principal name (HTTP/host); empty
	// means DeriveSPN of each request's host.
	SPN string
}

// Client logs a Config in and makes SPNEGO tokens for its SPN. The TGT and
// the service tickets are cached and renewed by gokrb5: a call needs the
// KDC only when a ticket is missing or expired. It is safe for concurrent
// use. Close stops its renewal.
type Client struct {
	cfg    Config
	newKC  func() *client.Client
	kc     *client.Client // replaced by Forget
	mu     sync.RWMutex   // write-held by Forget and Close
	closed bool
	fetch  sync.Mutex // one KDC exchange at a time
}

// New checks cfg and returns a Client; it does not contact the KDC (the
// first Negotiate or Login does).
func New(cfg Config) (*Client, error) {
	if cfg.Realm == "" {
		return nil, errors.New("kerberos: the realm is required")
	}
	if cfg.Username == "" {
		return nil, errors.New("kerberos: the user name is required")
	}
	kc := config.New()
	kc.LibDefaults.DefaultRealm = cfg.Realm
	kc.LibDefaults.DNSLookupRealm = false
	kc.LibDefaults.DNSCanonicalizeHostname = false
	kc.LibDefaults.UDPPreferenceLimit = 1 // TCP: tickets with a PAC do not fit UDP
	if cfg.KDC != "" {
		kc.Realms = []config.Realm{{Realm: cfg.Realm, KDC: []string{KDCAddress(cfg.KDC)}}}
	} else {
		kc.LibDefaults.DNSLookupKDC = true
	}
	settings := []func(*client.Settings){client.DisablePAFXFAST(true)}
	c := &Client{cfg: cfg}
	switch {
	case len(cfg.Keytab) > 0 && cfg.Password != "":
		return nil, errors.New("kerberos: give a password or a keytab, not both")
	case len(cfg.Keytab) > 0:
		kt, err := ParseKeytab(cfg.Keytab, cfg.Username, cfg.Realm)
		if err != nil {
			return nil, err
		}
		c.newKC = func() *client.Client { return client.NewWithKeytab(cfg.Username, cfg.Realm, kt, kc, settings...) }
	case cfg.Password != "":
		c.newKC = func() *client.Client {
			return client.NewWithPassword(cfg.Username, cfg.Realm, cfg.Password, kc, settings...)
		}
	default:
		return nil, errors.New("kerberos: a password or a keytab is required")
	}
	c.kc = c.newKC()
	return c, nil
}

// KDCAddress returns host:port for a KDC given as host or host:port.
func KDCAddress(kdc string) string {
	if _, _, err := net.SplitHostPort(kdc); err == nil {
		return kdc
	}
	return net.JoinHostPort(strings.Trim(kdc, "[]"), DefaultPort)
}

// DeriveSPN returns the SPN of an HTTP service on host: HTTP/host, the host
// name in lower case without port. No DNS lookup canonicalizes it.
func DeriveSPN(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return "HTTP/" + strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
}

// ParseKeytab parses a keytab file and checks that it holds keys of
// user@realm; the error lists the principals it holds instead.
func ParseKeytab(b []byte, user, realm string) (*keytab.Keytab, error) {
	kt := keytab.New()
	if err := kt.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("not a keytab file: %v", err)
	}
	var have []string
	for _, e := range kt.Entries {
		name := strings.Join(e.Principal.Components, "/")
		if name == user && e.Principal.Realm == realm {
			return kt, nil
		}
		if p := name + "@" + e.Principal.Realm; !slices.Contains(have, p) {
			have = append(have, p)
		}
	}
	if len(have) == 0 {
		return nil, errors.New("the keytab holds no keys")
	}
	return nil, fmt.Errorf("the keytab holds no key of %s@%s; it holds %s", user, realm, strings.Join(have, ", "))
}

// Principal returns the user principal, user@REALM.
func (c *Client) Principal() string { return c.cfg.Username + "@" + c.cfg.Realm }

// SPN returns the configured SPN, or "" when it is derived per request.
func (c *Client) SPN() string { return c.cfg.SPN }

// Realm returns the configured realm.
func (c *Client) Realm() string { return c.cfg.Realm }

// KDC returns the configured KDC address, or "" for DNS SRV lookup.
func (c *Client) KDC() string {
	if c.cfg.KDC == "" {
		return ""
	}
	return KDCAddress(c.cfg.KDC)
}

// Login makes sure the client holds a valid TGT, logging in to the KDC when
// it does not. A failure is an *Error.
func (c *Client) Login(ctx context.Context) error {
	return c.locked(ctx, func() error { return c.login() })
}

// Ticket makes sure the client holds a valid service ticket for spn,
// logging in and asking the KDC when it does not. A failure is an *Error.
func (c *Client) Ticket(ctx context.Context, spn string) error {
	return c.locked(ctx, func() error {
		if err := c.login(); err != nil {
			return err
		}
		_, _, err := c.ticket(spn)
		return err
	})
}

// Negotiate returns the value of an Authorization header for spn
// ("Negotiate " and the base64 of a SPNEGO NegTokenInit holding a fresh
// AP-REQ). A failure is an *Error.
func (c *Client) Negotiate(ctx context.Context, spn string) (string, error) {
	var header string
	err := c.locked(ctx, func() error {
		tkt, key, ok := c.kc.GetCachedTicket(spn)
		if !ok {
			if err := c.login(); err != nil {
				return err
			}
			var err error
			if tkt, key, err = c.ticket(spn); err != nil {
				return err
			}
		}
		init, err := spnego.NewNegTokenInitKRB5(c.kc, tkt, key)
		if err != nil {
			return &Error{Reason: ReasonOther, Msg: fmt.Sprintf("building the SPNEGO token for %s failed: %v", spn, err), Err: err}
		}
		tok := spnego.SPNEGOToken{Init: true, NegTokenInit: init}
		b, err := tok.Marshal()
		if err != nil {
			return &Error{Reason: ReasonOther, Msg: fmt.Sprintf("encoding the SPNEGO token for %s failed: %v", spn, err), Err: err}
		}
		header = "Negotiate " + base64.StdEncoding.EncodeToString(b)
		return nil
	})
	return header, err
}

// Forget drops the cached TGT and service tickets, so that the next
// Negotiate logs in and asks the KDC anew (after a key changed).
func (c *Client) Forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.kc.Destroy()
		c.kc = c.newKC()
	}
}

// Close stops the TGT's renewal and forgets the tickets. Later calls fail.
func (c *Client) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		c.kc.Destroy()
	}
}

// locked runs f under the read lock, giving up when ctx is done first (f
// goes on in the background: gokrb5's exchanges have their own timeouts).
func (c *Client) locked(ctx context.Context, f func() error) error {
	done := make(chan error, 1)
	go func() {
		c.mu.RLock()
		defer c.mu.RUnlock()
		if c.closed {
			done <- &Error{Reason: ReasonOther, Msg: "the Kerberos client was closed (the service's auth changed)", Fix: "retry the call"}
			return
		}
		done <- f()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// login gets a TGT unless a valid one is held. Called under c.mu.
func (c *Client) login() error {
	c.fetch.Lock()
	defer c.fetch.Unlock()
	if err := c.kc.AffirmLogin(); err != nil {
		return c.classify(stepLogin, "", err)
	}
	return nil
}

// ticket gets the service ticket of spn, from the cache or the KDC.
// Called under c.mu.
func (c *Client) ticket(spn string) (messages.Ticket, types.EncryptionKey, error) {
	c.fetch.Lock()
	defer c.fetch.Unlock()
	tkt, key, err := c.kc.GetServiceTicket(spn)
	if err != nil {
		return tkt, key, c.classify(stepTicket, spn, err)
	}
	return tkt, key, nil
}
