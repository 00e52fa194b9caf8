// Package gateway is soapbridge's HTTP layer: the admin API that registers
// services, API keys and upstream auth, and the data API that turns a JSON
// POST into a SOAP call and its answer back into JSON.
//
// It only wires the other packages together: wsdl compiles what is
// registered, store keeps it, secret seals credentials, codec, soap and
// upstream make the call, wssec builds WS-Security headers. Every error is an
// RFC 9457 problem (application/problem+json); upstream trouble carries a
// diagnosis a person can act on. Compiled models and opened credentials are
// held in memory, so a call never recompiles or touches the database except
// to check its API key.
package gateway
