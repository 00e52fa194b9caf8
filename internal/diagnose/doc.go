// Package diagnose runs the checks a person would run on an upstream SOAP
// endpoint that does not work, in order, and reports each as a Finding with
// a severity, the evidence it saw and the fix: DNS, TCP reachability, the
// TLS handshake (chain, host name, expiry, client certificate), the
// authentication schemes the endpoint offers against the configured auth, a
// SOAP 1.1 / 1.2 probe, the WSDL's security policy against the configured
// auth, and the clock skew between this machine and the upstream.
//
// It talks to the endpoint itself and knows nothing of soapbridge's store:
// the caller describes the endpoint and its configuration in a Target.
package diagnose
