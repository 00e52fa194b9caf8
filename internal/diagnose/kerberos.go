package diagnose

import (
	"context"
	"errors"
	"fmt"
)

// KerberosProbe is a Kerberos identity the kerberos and spn checks log in
// with (package kerberos's Client). Its errors may tell what went wrong
// and what to change through a Diagnose method.
type KerberosProbe interface {
	// Principal is user@REALM; Realm the realm; KDC host:port, or ""
	// when the realm's KDCs come from DNS SRV records.
	Principal() string
	Realm() string
	KDC() string
	// Login gets a TGT from the KDC.
	Login(ctx context.Context) error
	// Ticket asks the KDC for a service ticket for spn.
	Ticket(ctx context.Context, spn string) error
}

// diagnoser is an error that tells what went wrong and what to change.
type diagnoser interface {
	Diagnose() (kind, reason, summary, fix string)
}

// kerberos runs the kerberos check (a login to the KDC) and the spn check
// (a service ticket for the SPN), when a probe is configured.
func (d *run) kerberos(ctx context.Context) {
	k := d.t.Kerberos
	if k == nil {
		return
	}
	kdc := k.KDC()
	if kdc == "" {
		kdc = "the KDCs of the DNS SRV records _kerberos._tcp." + k.Realm()
	}
	ev := []string{"principal " + k.Principal(), "KDC " + kdc}
	ctx, cancel := context.WithTimeout(ctx, 2*d.t.Timeout)
	defer cancel()
	if err := k.Login(ctx); err != nil {
		d.add(kerberosFinding("kerberos", err, ev))
		d.skip("spn", "skipped: the login to the KDC fails")
		return
	}
	d.add(Finding{Check: "kerberos", Severity: OK, Evidence: ev,
		Summary: fmt.Sprintf("%s logs in to the KDC (a TGT was issued)", k.Principal())})
	ev = []string{"SPN " + d.t.SPN + "@" + k.Realm()}
	if d.t.SPN == "" {
		d.add(Finding{Check: "spn", Severity: Error, Summary: "no SPN: the endpoint has no host name to derive HTTP/host from", Fix: "set spn"})
		return
	}
	if err := k.Ticket(ctx, d.t.SPN); err != nil {
		d.add(kerberosFinding("spn", err, ev))
		return
	}
	d.add(Finding{Check: "spn", Severity: OK, Evidence: ev,
		Summary: fmt.Sprintf("the KDC issues service tickets for %s", d.t.SPN)})
}

func kerberosFinding(check string, err error, ev []string) Finding {
	f := Finding{Check: check, Severity: Error, Evidence: ev}
	var dg diagnoser
	if errors.As(err, &dg) {
		_, reason, summary, fix := dg.Diagnose()
		f.Summary, f.Fix = summary, fix
		f.Evidence = append(f.Evidence, "reason "+reason)
		if inner := errors.Unwrap(err); inner != nil {
			f.Evidence = append(f.Evidence, inner.Error())
		}
	} else {
		f.Summary = "Kerberos failed: " + err.Error()
		f.Fix = "check realm, kdc and the credentials"
	}
	return f
}
