// Package fetch loads the documents a WSDL is made of: the entry document
// and every document it imports, from a file, a directory, a zip bundle, an
// in-memory set of uploaded files, or http(s) URLs.
//
// A Loader reads each document once and hands out the parsed tree
// (package xmltree) from then on, so import cycles cost nothing. Told how
// to find a document's references (ReadAhead), it reads them ahead on
// other goroutines, side by side, while the compile goes on. Remote
// fetches have a timeout and a size limit; so has every document and the
// whole set, in bytes, documents and tree nodes. A document may reference only documents of its own origin or
// remote ones: a WSDL fetched from a URL or uploaded as a bundle cannot make
// the loader read a local file.
//
// Documents are addressed by URI: file:///abs/path for local files,
// bundle:///path for files inside a zip or upload, and http(s) URLs.
package fetch
