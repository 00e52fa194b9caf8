package wsdl

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
)

// encodingMagic starts every serialized Model; the version changes whenever
// the Model's shape does, so a gateway never loads a stale cache entry.
// A new version makes every gateway recompile its services when it starts,
// fetching again those registered by URL: change it only with the shape.
const encodingMagic = "soapbridge-model/2\n"

// plainModel has Model's fields without its methods, so gob encodes the
// fields instead of calling MarshalBinary.
type plainModel Model

// MarshalBinary serializes the model for a cache.
func (m *Model) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(encodingMagic)
	if err := gob.NewEncoder(&buf).Encode((*plainModel)(m)); err != nil {
		return nil, fmt.Errorf("wsdl: encode model: %w", err)
	}
	return buf.Bytes(), nil
}

// ErrStaleEncoding is returned by UnmarshalBinary for data written by
// another version of the model; recompile the WSDL.
var ErrStaleEncoding = errors.New("wsdl: serialized model is of another version")

// UnmarshalBinary loads a model serialized by MarshalBinary.
func (m *Model) UnmarshalBinary(data []byte) error {
	if !bytes.HasPrefix(data, []byte(encodingMagic)) {
		return ErrStaleEncoding
	}
	var out Model
	if err := gob.NewDecoder(bytes.NewReader(data[len(encodingMagic):])).Decode((*plainModel)(&out)); err != nil {
		return fmt.Errorf("wsdl: decode model: %w", err)
	}
	if out.Schema == nil {
		return errors.New("wsdl: decode model: no schema")
	}
	out.Schema.Reindex()
	*m = out
	return nil
}
