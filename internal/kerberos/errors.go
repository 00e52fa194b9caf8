package kerberos

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
)

// Reason classifies a Kerberos failure.
type Reason string

const (
	// ReasonKDCUnreachable: no KDC of the realm answered.
	ReasonKDCUnreachable Reason = "kdc_unreachable"
	// ReasonRealmUnknown: no KDC is known for the realm (no kdc set and no
	// DNS SRV records), or the KDC does not serve it.
	ReasonRealmUnknown Reason = "realm_unknown"
	// ReasonUserUnknown: the KDC has no such user principal.
	ReasonUserUnknown Reason = "user_unknown"
	// ReasonBadPassword: pre-authentication failed: a wrong password, or
	// a keytab whose key is not the current one.
	ReasonBadPassword Reason = "bad_password"
	// ReasonAccount: the account is disabled, locked or its password
	// expired.
	ReasonAccount Reason = "account"
	// ReasonSPNUnknown: the KDC has no principal for the SPN.
	ReasonSPNUnknown Reason = "spn_unknown"
	// ReasonClockSkew: this machine's clock is too far from the KDC's.
	ReasonClockSkew Reason = "clock_skew"
	// ReasonEncType: the KDC and soapbridge share no encryption type.
	ReasonEncType Reason = "enctype"
	// ReasonTicketRefused: the upstream refused a valid service ticket,
	// usually because its keytab does not hold the SPN's current key.
	ReasonTicketRefused Reason = "ticket_refused"
	// ReasonOther is any other Kerberos failure.
	ReasonOther Reason = "kerberos"
)

// Error is a Kerberos failure with what to change. Its text never holds a
// password or a key.
type Error struct {
	Reason Reason
	// Msg says what went wrong, Fix what to change.
	Msg string
	Fix string
	Err error
}

func (e *Error) Error() string {
	s := "kerberos: " + e.Msg
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Diagnose returns the failure's reason, what went wrong and what to
// change, for reports that do not know this package.
func (e *Error) Diagnose() (kind, reason, summary, fix string) {
	return "kerberos", string(e.Reason), e.Msg, e.Fix
}

const (
	stepLogin  = "login"
	stepTicket = "ticket"
)

// codeName returns the name of the KRB-ERROR code in a gokrb5 error
// ("KDC_ERR_PREAUTH_FAILED"), or "". gokrb5 keeps KDC errors only as text.
func codeName(err error) string {
	s := err.Error()
	best := ""
	for code := range int32(100) {
		name := errorcode.Lookup(code)
		if strings.HasPrefix(name, "Unknown") {
			continue
		}
		// "(24) KDC_ERR_PREAUTH_FAILED Pre-authentication information was invalid"
		_, rest, _ := strings.Cut(name, ") ")
		id, _, _ := strings.Cut(rest, " ")
		if strings.Contains(s, ") "+id+" ") || strings.HasSuffix(s, ") "+id) {
			if len(id) > len(best) {
				best = id
			}
		}
	}
	return best
}

// classify turns a gokrb5 error of a step (login or ticket for spn) into
// an *Error.
func (c *Client) classify(step, spn string, err error) *Error {
	var ke *Error
	if errors.As(err, &ke) {
		return ke
	}
	realm, user := c.cfg.Realm, c.Principal()
	where := "the KDC of " + realm
	if c.cfg.KDC != "" {
		where = "the KDC " + KDCAddress(c.cfg.KDC)
	}
	cred := "password"
	if len(c.cfg.Keytab) > 0 {
		cred = "keytab"
	}
	text := err.Error()
	e := &Error{Reason: ReasonOther, Err: err}
	switch code := codeName(err); {
	case code == "KRB_AP_ERR_SKEW":
		e.Reason = ReasonClockSkew
		e.Msg = fmt.Sprintf("%s refused the request: this machine's clock is more than 5 minutes off the KDC's (KRB_AP_ERR_SKEW)", where)
		e.Fix = "synchronize this machine's clock with the domain's (NTP)"
	case code == "KDC_ERR_C_PRINCIPAL_UNKNOWN":
		e.Reason = ReasonUserUnknown
		e.Msg = fmt.Sprintf("%s has no user %s (KDC_ERR_C_PRINCIPAL_UNKNOWN)", where, user)
		e.Fix = fmt.Sprintf("check username (the account name, without the domain) and realm (%s: for Active Directory the DNS domain in capitals)", realm)
	case code == "KDC_ERR_PREAUTH_FAILED" || code == "KRB_AP_ERR_BAD_INTEGRITY" ||
		step == stepLogin && (strings.Contains(text, "password/keytab incorrect") || strings.Contains(text, "Decrypting_Error")):
		e.Reason = ReasonBadPassword
		if cred == "keytab" {
			e.Msg = fmt.Sprintf("%s refused the keytab of %s: pre-authentication failed, the keytab's key is not the account's current one", where, user)
			e.Fix = "export a new keytab for the account (its key changes with every password change) and set it"
		} else {
			e.Msg = fmt.Sprintf("%s refused the password of %s: pre-authentication failed (wrong password)", where, user)
			e.Fix = "set the account's current password"
		}
	case code == "KDC_ERR_CLIENT_REVOKED" || code == "KDC_ERR_KEY_EXPIRED" || code == "KDC_ERR_POLICY":
		e.Reason = ReasonAccount
		what := map[string]string{"KDC_ERR_CLIENT_REVOKED": "is disabled or locked out", "KDC_ERR_KEY_EXPIRED": "has an expired password",
			"KDC_ERR_POLICY": "may not log in here (KDC policy)"}[code]
		e.Msg = fmt.Sprintf("the account %s %s (%s)", user, what, code)
		e.Fix = "ask the domain's administrators to enable the account or reset its password"
	case code == "KDC_ERR_S_PRINCIPAL_UNKNOWN" && step == stepTicket:
		e.Reason = ReasonSPNUnknown
		e.Msg = fmt.Sprintf("%s has no principal %s@%s (KDC_ERR_S_PRINCIPAL_UNKNOWN): no account has this SPN", where, spn, realm)
		host := strings.TrimPrefix(spn, "HTTP/")
		e.Fix = fmt.Sprintf("register the SPN on the service's account (setspn -S %s DOMAIN\\svc), or set spn to the SPN the service has (HTTP/%s is derived from the endpoint's host name; a CNAME or an alias needs an explicit spn)", spn, host)
	case code == "KDC_ERR_S_PRINCIPAL_UNKNOWN" || code == "KDC_ERR_WRONG_REALM":
		e.Reason = ReasonRealmUnknown
		e.Msg = fmt.Sprintf("%s does not serve the realm %s (%s)", where, realm, code)
		e.Fix = "check realm: for Active Directory it is the DNS domain in capitals (EXAMPLE.COM); and check that kdc is a domain controller of it"
	case code == "KDC_ERR_ETYPE_NOSUPP":
		e.Reason = ReasonEncType
		e.Msg = fmt.Sprintf("%s offers no encryption type soapbridge accepts for %s (KDC_ERR_ETYPE_NOSUPP)", where, orUser(spn, user))
		e.Fix = "enable AES (aes256-cts-hmac-sha1-96) for the account (msDS-SupportedEncryptionTypes); DES and RC4 are refused"
	case code != "":
		e.Msg = fmt.Sprintf("%s answered %s for %s", where, code, orUser(spn, user))
		e.Fix = "see the KDC's log for the request"
	case strings.Contains(text, "no KDCs defined") || strings.Contains(text, "no KDC SRV records") || strings.Contains(text, "lookup _kerberos"):
		e.Reason = ReasonRealmUnknown
		e.Msg = fmt.Sprintf("no KDC is known for the realm %s: DNS has no _kerberos._tcp.%s SRV record", realm, realm)
		e.Fix = "set kdc to a domain controller (host[:port]), or check realm (the domain in capitals)"
	case strings.Contains(text, "ommunicat") || strings.Contains(text, "sending to") || strings.Contains(text, "dial") ||
		strings.Contains(text, "Networking_Error") || strings.Contains(text, "connection refused") || strings.Contains(text, "i/o timeout"):
		e.Reason = ReasonKDCUnreachable
		e.Msg = fmt.Sprintf("%s does not answer (Kerberos on TCP and UDP port 88)", where)
		e.Fix = "check kdc (host[:port]) and that a firewall lets this machine reach it on port 88"
	default:
		e.Msg = fmt.Sprintf("Kerberos %s of %s failed: %v", step, orUser(spn, user), err)
	}
	return e
}

func orUser(spn, user string) string {
	if spn != "" {
		return spn
	}
	return user
}
