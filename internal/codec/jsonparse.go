package codec

import (
	"bytes"
	"encoding/json"
	"unicode/utf16"
	"unicode/utf8"
)

// parseJSONObject parses data, one JSON object and nothing else, into the
// values encoding/json decodes it to with UseNumber: map[string]any,
// []any, string, json.Number, bool and nil. It reports false for anything
// else: malformed JSON, but also forms it leaves to encoding/json (invalid
// UTF-8, \u escapes of surrogates, deep nesting) and duplicate members,
// so its result, when there is one, is always encoding/json's.
func parseJSONObject(data []byte) (map[string]any, bool) {
	p := jsonParser{data: data}
	p.space()
	if p.i >= len(data) || data[p.i] != '{' {
		return nil, false
	}
	v, ok := p.value(0)
	if !ok {
		return nil, false
	}
	if p.space(); p.i != len(data) {
		return nil, false
	}
	return v.(map[string]any), true
}

// jsonParser is the state of parseJSONObject.
type jsonParser struct {
	data []byte
	i    int
	buf  []byte // unescaped string content
}

// maxJSONDepth is the nesting parseJSONObject handles itself.
const maxJSONDepth = 200

// space skips JSON whitespace.
func (p *jsonParser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value reads the value at p.i, nested depth deep.
func (p *jsonParser) value(depth int) (any, bool) {
	if p.i >= len(p.data) || depth > maxJSONDepth {
		return nil, false
	}
	switch c := p.data[p.i]; {
	case c == '{':
		p.i++
		obj := map[string]any{}
		p.space()
		if p.i < len(p.data) && p.data[p.i] == '}' {
			p.i++
			return obj, true
		}
		for {
			p.space()
			if p.i >= len(p.data) || p.data[p.i] != '"' {
				return nil, false
			}
			k, ok := p.str()
			if !ok {
				return nil, false
			}
			p.space()
			if p.i >= len(p.data) || p.data[p.i] != ':' {
				return nil, false
			}
			p.i++
			p.space()
			v, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			if _, dup := obj[k]; dup {
				return nil, false // refused, with its pointer (duplicateMember)
			}
			obj[k] = v
			if end, ok := p.next('}'); !ok {
				return nil, false
			} else if end {
				return obj, true
			}
		}
	case c == '[':
		p.i++
		arr := []any{}
		p.space()
		if p.i < len(p.data) && p.data[p.i] == ']' {
			p.i++
			return arr, true
		}
		for {
			p.space()
			v, ok := p.value(depth + 1)
			if !ok {
				return nil, false
			}
			arr = append(arr, v)
			if end, ok := p.next(']'); !ok {
				return nil, false
			} else if end {
				return arr, true
			}
		}
	case c == '"':
		return p.str()
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, false
}

// literal reads word (true, false or null) at p.i.
// next reads what follows a member or item: a comma (another comes), or
// close (end: the object or array is complete). ok is false for anything
// else.
func (p *jsonParser) next(close byte) (end, ok bool) {
	p.space()
	if p.i >= len(p.data) {
		return false, false
	}
	switch p.data[p.i] {
	case ',':
		p.i++
		return false, true
	case close:
		p.i++
		return true, true
	}
	return false, false
}

func (p *jsonParser) literal(word string) bool {
	if !bytes.HasPrefix(p.data[p.i:], []byte(word)) {
		return false
	}
	p.i += len(word)
	return true
}

// number reads a number of JSON's grammar as its text.
func (p *jsonParser) number() (any, bool) {
	d, start := p.data, p.i
	digits := func() bool {
		n := p.i
		for p.i < len(d) && d[p.i] >= '0' && d[p.i] <= '9' {
			p.i++
		}
		return p.i > n
	}
	if d[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(d) && d[p.i] == '0':
		p.i++
	case !digits():
		return nil, false
	}
	if p.i < len(d) && d[p.i] == '.' {
		p.i++
		if !digits() {
			return nil, false
		}
	}
	if p.i < len(d) && (d[p.i] == 'e' || d[p.i] == 'E') {
		p.i++
		if p.i < len(d) && (d[p.i] == '+' || d[p.i] == '-') {
			p.i++
		}
		if !digits() {
			return nil, false
		}
	}
	return json.Number(d[start:p.i]), true
}

// str reads a string at p.i (its opening quote).
func (p *jsonParser) str() (string, bool) {
	d := p.data
	p.i++
	start := p.i
	ascii := true
	for p.i < len(d) {
		c := d[p.i]
		switch {
		case c == '"':
			s := d[start:p.i]
			p.i++
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// escaped reads the rest of a string that holds escapes, from p.i (the
// first backslash); start is where its content starts.
func (p *jsonParser) escaped(start int) (string, bool) {
	d := p.data
	b := append(p.buf[:0], d[start:p.i]...)
	for p.i < len(d) {
		c := d[p.i]
		switch {
		case c == '"':
			p.i++
			p.buf = b
			if !utf8.Valid(b) {
				return "", false
			}
			return string(b), true
		case c < 0x20:
			return "", false
		case c != '\\':
			b = append(b, c)
			p.i++
			continue
		}
		if p.i+1 >= len(d) {
			return "", false
		}
		p.i += 2
		switch d[p.i-1] {
		case '"', '\\', '/':
			b = append(b, d[p.i-1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			if p.i+4 > len(d) {
				return "", false
			}
			var r rune
			for _, h := range d[p.i : p.i+4] {
				switch {
				case h >= '0' && h <= '9':
					h -= '0'
				case h >= 'a' && h <= 'f':
					h -= 'a' - 10
				case h >= 'A' && h <= 'F':
					h -= 'A' - 10
				default:
					return "", false
				}
				r = r<<4 | rune(h)
			}
			if utf16.IsSurrogate(r) {
				return "", false
			}
			b = utf8.AppendRune(b, r)
			p.i += 4
		default:
			return "", false
		}
	}
	return "", false
}

// duplicateMember finds the first member name that appears twice in one
// object of data, which encoding/json decodes: it returns the pointer of
// the second occurrence, or nil and false. encoding/json keeps the last
// value of a repeated member; a request would lose the others without a
// word.
func duplicateMember(data []byte) (*jpath, bool) {
	type frame struct {
		obj  bool
		keys map[string]bool
		key  string // the member whose value comes next
		idx  int    // the array item that comes next
		path *jpath
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var stack []*frame
	// child is the pointer of the value that starts now.
	child := func() *jpath {
		if len(stack) == 0 {
			return nil
		}
		f := stack[len(stack)-1]
		if f.obj {
			return at(f.path, f.key)
		}
		f.idx++
		return atIndex(f.path, f.idx-1)
	}
	expectKey := false
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, false
		}
		if expectKey {
			if k, ok := tok.(string); ok {
				f := stack[len(stack)-1]
				if f.keys[k] {
					return at(f.path, k), true
				}
				f.keys[k], f.key, expectKey = true, k, false
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, keys: map[string]bool{}, path: child()})
			expectKey = true
			continue
		case json.Delim('['):
			stack = append(stack, &frame{path: child()})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return nil, false
			}
		default:
			child()
		}
		expectKey = stack[len(stack)-1].obj
	}
}
