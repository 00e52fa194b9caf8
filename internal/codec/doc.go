// Package codec translates between the JSON of docs/mapping.md and the XML
// of one operation's SOAP messages, driven by the compiled model: it encodes
// a JSON request into the body (and header) content the upstream expects,
// validating it against the schema first, and decodes a response body into
// typed JSON, streaming.
//
// A Codec is built once per model and is safe for concurrent use. It knows
// nothing of HTTP, envelopes or authentication (package soap wraps its
// output in an envelope).
package codec
