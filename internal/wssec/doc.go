// Package wssec builds WS-Security 1.0 header blocks for outgoing SOAP
// requests: a wsse:Security element carrying a UsernameToken (OASIS
// UsernameToken Profile 1.0, password as #PasswordText or #PasswordDigest)
// and a wsu:Timestamp. It owns the markup, the digest and the clock
// arithmetic of those blocks: it knows no WSDL and no HTTP, and Header.Block
// knows no envelope beyond the convention that the envelope binds the
// prefix soapenv (see soap.NewRequest). Its output goes, as raw XML, into
// upstream.Target.SOAPHeaders.
//
// Signer adds an X.509 signature (X.509 Token Profile 1.0: a
// BinarySecurityToken, a Timestamp and an XML-DSig signature over Body,
// Timestamp and UsernameToken, exclusive c14n, RSA-SHA256) to a finished
// SOAP 1.1 or 1.2 envelope (through upstream.Target.Sign), and Verifier
// checks the signature of a received one (upstream.Target.VerifyResponse).
// Both use goxmldsig's canonicalization on an etree document; a signed
// envelope is the original bytes with the header and the Body's wsu:Id
// spliced in. Encryption is not part of it.
package wssec
