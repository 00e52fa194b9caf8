package codec

import "bufio"

// jsonWriter writes JSON to a buffered writer, tracking where commas go.
// It appends straight into the free space of w's buffer
// (bufio.Writer.AvailableBuffer) and commits what it appended in blocks:
// the decoder writes many small pieces, and appending to a slice costs
// less than a call per piece, with no copy and no buffer of its own. Any
// other write to w must come after flush; flush must be called at the end.
type jsonWriter struct {
	w     *bufio.Writer
	buf   []byte // appended to; aliases w's free space unless it outgrew it
	first []bool // per open object or array: no member written yet
}

func newJSONWriter(w *bufio.Writer) jsonWriter {
	return jsonWriter{w: w, buf: w.AvailableBuffer()}
}

// jsonSlack is the room left in buf below which spill commits it.
const jsonSlack = 1 << 10

// flush commits what is appended to w (not flushing w itself).
func (j *jsonWriter) flush() {
	if len(j.buf) > 0 {
		j.w.Write(j.buf)
	}
	if j.w.Available() < jsonSlack {
		j.w.Flush()
	}
	j.buf = j.w.AvailableBuffer()
}

// spill commits buf when little room is left in it; called after values.
func (j *jsonWriter) spill() {
	if cap(j.buf)-len(j.buf) < jsonSlack {
		j.flush()
	}
}

func (j *jsonWriter) open(c byte) {
	j.buf = append(j.buf, c)
	j.first = append(j.first, true)
}

func (j *jsonWriter) close(c byte) {
	j.first = j.first[:len(j.first)-1]
	j.buf = append(j.buf, c)
	j.spill()
}

// sep writes the comma before a member or item when one is needed.
func (j *jsonWriter) sep() {
	if n := len(j.first); n > 0 {
		if j.first[n-1] {
			j.first[n-1] = false
		} else {
			j.buf = append(j.buf, ',')
		}
	}
}

// key writes a member name and its colon.
func (j *jsonWriter) key(name string) {
	j.sep()
	j.buf = appendString(j.buf, name)
	j.buf = append(j.buf, ':')
}

// keyJSON writes a member name already encoded with its colon (a plan
// member's key).
func (j *jsonWriter) keyJSON(key []byte) {
	j.sep()
	j.buf = append(j.buf, key...)
}

// raw writes an already-encoded JSON value (the comma is the caller's).
func (j *jsonWriter) raw(b []byte) {
	j.buf = append(j.buf, b...)
	j.spill()
}

func (j *jsonWriter) str(s string) {
	j.buf = appendString(j.buf, s)
	j.spill()
}
