// Package kerberos authenticates HTTP requests to an upstream with Kerberos
// through SPNEGO (RFC 4559, "Authorization: Negotiate"): a login to the
// realm's KDC with a password or a keytab, service tickets for the
// upstream's SPN cached and renewed by github.com/jcmturner/gokrb5/v8, and
// every failure classified (KDC unreachable, realm unknown, user unknown,
// wrong password, SPN unknown, clock skew, ticket refused by the server)
// with what to change. It knows nothing of SOAP or of soapbridge's store.
package kerberos
