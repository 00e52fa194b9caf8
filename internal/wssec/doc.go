// Package wssec builds WS-Security 1.0 header blocks for outgoing SOAP
// requests: a wsse:Security element carrying a UsernameToken (OASIS
// UsernameToken Profile 1.0, password as #PasswordText or #PasswordDigest)
// and a wsu:Timestamp. It owns the markup, the digest and the clock
// arithmetic of those blocks, and nothing else: it knows no WSDL, no HTTP
// and no envelope beyond the convention that the envelope binds the prefix
// soapenv (see soap.NewRequest). Its output goes, as raw XML, into
// upstream.Target.SOAPHeaders.
//
// Signing, encryption and validating incoming security headers are not
// part of it.
package wssec
