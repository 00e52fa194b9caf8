package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// YAML returns the document as YAML 1.2 (block style, member order kept).
func (d *Document) YAML() ([]byte, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return JSONToYAML(data)
}

// JSONToYAML converts one JSON value to block-style YAML with the same
// member order. Strings are always double-quoted (JSON escapes are YAML
// escapes), so no value changes type on the way.
func JSONToYAML(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readOrdered(dec, 0)
	if err != nil {
		return nil, fmt.Errorf("openapi: converting to YAML: %w", err)
	}
	var b bytes.Buffer
	writeYAML(&b, v, 0, false)
	if b.Len() == 0 || b.Bytes()[b.Len()-1] != '\n' {
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

const maxYAMLDepth = 10000

// readOrdered reads one JSON value, objects as Object to keep order.
func readOrdered(dec *json.Decoder, depth int) (any, error) {
	if depth > maxYAMLDepth {
		return nil, errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := Object{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := readOrdered(dec, depth+1)
				if err != nil {
					return nil, err
				}
				o = append(o, Member{k, v})
			}
			_, err := dec.Token()
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := readOrdered(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
		return nil, io.ErrUnexpectedEOF
	}
	return tok, nil
}

func yamlScalar(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case json.Number:
		return x.String()
	case string:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v)
}

// writeYAML writes v at indent; inline says the cursor is after "key:" or
// "- " and a scalar or empty collection continues the line.
func writeYAML(b *bytes.Buffer, v any, indent int, inline bool) {
	pad := strings.Repeat("  ", indent)
	switch x := v.(type) {
	case Object:
		if len(x) == 0 {
			if inline {
				b.WriteString(" {}\n")
			} else {
				b.WriteString(pad + "{}\n")
			}
			return
		}
		if inline {
			b.WriteByte('\n')
		}
		for _, m := range x {
			b.WriteString(pad + yamlScalar(m.Name) + ":")
			writeYAML(b, m.Value, indent+1, true)
		}
	case []any:
		if len(x) == 0 {
			if inline {
				b.WriteString(" []\n")
			} else {
				b.WriteString(pad + "[]\n")
			}
			return
		}
		if inline {
			b.WriteByte('\n')
		}
		for _, it := range x {
			b.WriteString(pad + "-")
			switch it := it.(type) {
			case Object:
				if len(it) == 0 {
					b.WriteString(" {}\n")
					continue
				}
				// The first member continues the "- " line.
				var sub bytes.Buffer
				writeYAML(&sub, it, indent+1, false)
				b.WriteString(" " + strings.TrimPrefix(sub.String(), strings.Repeat("  ", indent+1)))
			default:
				writeYAML(b, it, indent+1, true)
			}
		}
	default:
		if inline {
			b.WriteByte(' ')
		} else {
			b.WriteString(pad)
		}
		b.WriteString(yamlScalar(x) + "\n")
	}
}
