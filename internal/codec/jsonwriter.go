package codec

import "bufio"

// jsonWriter writes JSON to a buffered writer, tracking where commas go.
type jsonWriter struct {
	w       *bufio.Writer
	scratch []byte
	first   []bool // per open object or array: no member written yet
}

func (j *jsonWriter) open(c byte) {
	j.w.WriteByte(c)
	j.first = append(j.first, true)
}

func (j *jsonWriter) close(c byte) {
	j.first = j.first[:len(j.first)-1]
	j.w.WriteByte(c)
}

// sep writes the comma before a member or item when one is needed.
func (j *jsonWriter) sep() {
	if n := len(j.first); n > 0 {
		if j.first[n-1] {
			j.first[n-1] = false
		} else {
			j.w.WriteByte(',')
		}
	}
}

// key writes a member name and its colon.
func (j *jsonWriter) key(name string) {
	j.sep()
	j.scratch = appendString(j.scratch[:0], name)
	j.scratch = append(j.scratch, ':')
	j.w.Write(j.scratch)
}

// keyJSON writes a member name already encoded with its colon (a plan
// member's key).
func (j *jsonWriter) keyJSON(key []byte) {
	j.sep()
	j.w.Write(key)
}

// raw writes an already-encoded JSON value (the comma is the caller's).
func (j *jsonWriter) raw(b []byte) { j.w.Write(b) }

func (j *jsonWriter) str(s string) {
	j.scratch = appendString(j.scratch[:0], s)
	j.w.Write(j.scratch)
}
