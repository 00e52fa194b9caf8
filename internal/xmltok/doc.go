// Package xmltok is soapbridge's XML tokenizer: a streaming, namespace-aware
// pull parser built for speed and for hostile input. Every XML byte
// soapbridge reads, WSDL and schema documents and SOAP envelopes alike,
// goes through it.
//
// A Decoder returns start tags (names resolved to namespaces, attributes
// entity-decoded), end tags and text (entity and character references
// decoded, CDATA sections included); comments, processing instructions and
// the XML declaration are skipped. Tokens point into the decoder's buffer
// and are valid until the next call; names are interned strings, so a
// steady stream of tokens does not allocate.
//
// It checks what a parser must to be safe and exact: matching tags, quoted
// attribute values, declared prefixes, unique attributes, known entities,
// one root element. It refuses DTDs that declare entities (so billion-laughs
// and XXE documents fail at once, with nothing expanded or fetched), and
// bounds nesting depth, the size of any one token and the attributes of an
// element, so memory is bounded by those limits, never by the document's
// size. Input is UTF-8 (or US-ASCII); UTF-16 (told by its byte order mark
// or zero bytes), ISO-8859-1 and windows-1252 documents are converted; any
// other declared encoding is refused with a clear error.
package xmltok
