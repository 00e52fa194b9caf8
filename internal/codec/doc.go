// Package codec translates between the JSON of docs/mapping.md and the XML
// of one operation's SOAP messages, driven by the compiled model: it encodes
// a JSON request into the body (and header) content the upstream expects,
// validating it against the schema first, and decodes a response body into
// typed JSON, streaming: memory grows with nesting depth and the largest
// value, not with the document, except for the arrays of members whose
// elements a response may interleave (repeated sequences and choices,
// substitution groups), which are gathered within their parent element.
//
// A Codec is built once per model and is safe for concurrent use. It knows
// nothing of HTTP, envelopes or authentication (package soap wraps its
// output in an envelope).
package codec
