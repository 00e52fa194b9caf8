// Package wwwauth reads the authentication challenges of HTTP answers
// (RFC 9110 section 11): which schemes a server that answered 401, or a
// proxy that answered 407, offers. The upstream client picks a scheme
// from them and reports them; the WSDL loader names them in its errors.
package wwwauth
