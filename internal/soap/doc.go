// Package soap owns SOAP on the wire: it wraps the XML the codec encodes in
// a SOAP 1.1 or 1.2 envelope with the right Content-Type and action, reads
// response envelopes (also MTOM/XOP multipart/related ones) and hands their
// header blocks and body to the codec, and turns SOAP 1.1 and 1.2 faults
// into one Fault structure whose detail the codec decodes by the fault's
// declared schema.
//
// It knows nothing of HTTP clients, API keys or storage.
package soap
