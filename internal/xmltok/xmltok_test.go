package xmltok

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf16"
)

// flat is a comparable rendering of a token stream.
func ours(t testing.TB, d *Decoder) ([]string, error) {
	return render(d, false)
}

// oursReadText renders the token stream read with ReadText after every
// start tag: it must be the same as without.
func oursReadText(t testing.TB, d *Decoder) ([]string, error) {
	return render(d, true)
}

func render(d *Decoder, readText bool) ([]string, error) {
	var out []string
	var text []byte
	flush := func() {
		if len(text) > 0 {
			out = append(out, fmt.Sprintf("T %q", text))
			text = nil
		}
	}
	for {
		tok, err := d.Next()
		if errors.Is(err, io.EOF) {
			flush()
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch tok.Kind {
		case Text:
			text = append(text, tok.Text...)
		case StartElement:
			flush()
			s := fmt.Sprintf("S {%s}%s", tok.Name.Space, tok.Name.Local)
			for _, a := range tok.Attr {
				if a.Name.Space == NSXMLNS {
					continue
				}
				s += fmt.Sprintf(" {%s}%s=%q", a.Name.Space, a.Name.Local, a.Value)
			}
			out = append(out, s)
			if !readText {
				continue
			}
			name := tok.Name
			b, ok, err := d.ReadText()
			if err != nil {
				return out, err
			}
			if ok {
				text = append(text, b...)
				flush()
				out = append(out, fmt.Sprintf("E {%s}%s", name.Space, name.Local))
			}
		case EndElement:
			flush()
			out = append(out, fmt.Sprintf("E {%s}%s", tok.Name.Space, tok.Name.Local))
		}
	}
}

func theirs(doc string) ([]string, error) {
	d := xml.NewDecoder(strings.NewReader(doc))
	var out []string
	var text []byte
	flush := func() {
		if len(text) > 0 {
			out = append(out, fmt.Sprintf("T %q", text))
			text = nil
		}
	}
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			flush()
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch x := tok.(type) {
		case xml.CharData:
			if depth > 0 {
				text = append(text, x...)
			}
		case xml.StartElement:
			flush()
			depth++
			s := fmt.Sprintf("S {%s}%s", x.Name.Space, x.Name.Local)
			for _, a := range x.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					continue
				}
				sp := a.Name.Space
				if sp == "xml" {
					sp = NSXML
				}
				s += fmt.Sprintf(" {%s}%s=%q", sp, a.Name.Local, a.Value)
			}
			out = append(out, s)
		case xml.EndElement:
			flush()
			depth--
			out = append(out, fmt.Sprintf("E {%s}%s", x.Name.Space, x.Name.Local))
		}
	}
}

var samples = []string{
	`<a/>`,
	`<?xml version="1.0" encoding="UTF-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><m:r xmlns:m="urn:m" xmlns="urn:d"><x a="1" m:b="2">t &amp; &lt;u&gt; &#65;&#x42;</x><y><![CDATA[<raw> & ]]></y><z xmlns=""><w/></z></m:r></soap:Body></soap:Envelope>`,
	"<a>\r\n line\r two\n</a>",
	`<a b="x&#10;y&#9;z" c='q"q'>  </a>`,
	`<!-- c --><?pi x?><a><!-- in --><b>1</b><?pi?>2</a><!-- after -->`,
	`<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c/></p:b><p:d/></p:a>`,
	`<a xml:lang="en">é ü 日本</a>`,
	"\ufeff<a>bom</a>",
	"\n\n<?xml version=\"1.0\"?>\n<a>leading newline</a>",
	`<!DOCTYPE a SYSTEM "a.dtd"><a>doctype without entities</a>`,
}

func TestDifferential(t *testing.T) {
	docs := append([]string(nil), samples...)
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		docs = append(docs, generate(rng))
	}
	for i, doc := range docs {
		want, werr := theirs(strings.TrimLeft(strings.TrimPrefix(doc, "\ufeff"), "\n"))
		if werr != nil {
			t.Fatalf("doc %d: encoding/xml: %v", i, werr)
		}
		readers := map[string]*Decoder{
			"bytes":   NewDecoderBytes([]byte(doc), Limits{}),
			"reader":  NewDecoder(strings.NewReader(doc), Limits{}),
			"onebyte": NewDecoder(iotest.OneByteReader(strings.NewReader(doc)), Limits{}),
			"halves":  NewDecoder(iotest.HalfReader(strings.NewReader(doc)), Limits{}),
		}
		for name, d := range readers {
			got, err := ours(t, d)
			if err != nil {
				t.Fatalf("doc %d (%s): %v\n%s", i, name, err, doc)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("doc %d (%s) differs\n got %q\nwant %q\ndoc %s", i, name, got, want, doc)
			}
		}
		got, err := oursReadText(t, NewDecoderBytes([]byte(doc), Limits{}))
		if err != nil || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("doc %d with ReadText differs (%v)\n got %q\nwant %q\ndoc %s", i, err, got, want, doc)
		}
	}
}

// generate makes a random namespaced document.
func generate(rng *rand.Rand) string {
	var b strings.Builder
	var gen func(depth int, prefixes []string)
	names := []string{"a", "item", "x-y", "n.m", "_z"}
	texts := []string{"plain", " spaced ", "&amp;", "&lt;tag&gt;", "&#233;", "\n", "<![CDATA[c<d>]]>", "ü"}
	gen = func(depth int, prefixes []string) {
		p := prefixes[rng.Intn(len(prefixes))]
		name := names[rng.Intn(len(names))]
		qn := name
		if p != "" {
			qn = p + ":" + name
		}
		b.WriteString("<" + qn)
		local := append([]string(nil), prefixes...)
		if rng.Intn(3) == 0 {
			np := fmt.Sprintf("p%d", rng.Intn(3))
			fmt.Fprintf(&b, ` xmlns:%s="urn:%d"`, np, rng.Intn(5))
			local = append(local, np)
		}
		if rng.Intn(4) == 0 {
			fmt.Fprintf(&b, ` xmlns="urn:d%d"`, rng.Intn(3))
		}
		for i := 0; i < rng.Intn(3); i++ {
			fmt.Fprintf(&b, ` at%d="v %s"`, i, texts[rng.Intn(4)])
		}
		if depth > 4 || rng.Intn(4) == 0 {
			b.WriteString("/>")
			return
		}
		b.WriteString(">")
		for i := 0; i < rng.Intn(4); i++ {
			if rng.Intn(2) == 0 {
				b.WriteString(texts[rng.Intn(len(texts))])
			} else {
				gen(depth+1, local)
			}
		}
		b.WriteString("</" + qn + ">")
	}
	gen(0, []string{""})
	return b.String()
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"<a>\n<b></a>", "line 2: end tag </a> does not match <b>"},
		{"<a>", "not closed"},
		{"<a b></a>", "has no value"},
		{"<a b=c></a>", "not quoted"},
		{`<a b="1" b="2"/>`, "duplicate attribute"},
		{`<a p:b="1"/>`, "undeclared namespace prefix"},
		{`<p:a/>`, "undeclared namespace prefix"},
		{`<a b="<"/>`, "< in the value"},
		{"<a>&nope;</a>", "unknown entity &nope;"},
		{"<a>&#0;</a>", "not a character XML allows"},
		{"<a/>text", "text after the root element"},
		{"<a/><b/>", "a second root element"},
		{"", "no root element"},
		{"</a>", "without a start tag"},
		{`<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, "DTD entity declarations are not allowed"},
		{`<?xml version="1.0" encoding="EBCDIC"?><a/>`, "encoded in ebcdic"},
	} {
		for _, mk := range []func(string) *Decoder{
			func(s string) *Decoder { return NewDecoderBytes([]byte(s), Limits{}) },
			func(s string) *Decoder { return NewDecoder(iotest.OneByteReader(strings.NewReader(s)), Limits{}) },
		} {
			_, err := ours(t, mk(tc.doc))
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%q: got %v, want a SyntaxError containing %q", tc.doc, err, tc.want)
			}
		}
	}
}

func TestLatin1(t *testing.T) {
	doc := []byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>")
	got, err := ours(t, NewDecoderBytes(doc, Limits{}))
	if err != nil || got[1] != `T "café"` {
		t.Fatalf("got %q, %v", got, err)
	}
	got, err = ours(t, NewDecoder(iotest.OneByteReader(bytes.NewReader(doc)), Limits{}))
	if err != nil || got[1] != `T "café"` {
		t.Fatalf("streaming: got %q, %v", got, err)
	}
	// windows-1252 has printable characters where ISO-8859-1 has C1
	// controls; ISO-8859-1 keeps them as written.
	for enc, want := range map[string]string{"windows-1252": `T "€ “x” – é\u0081"`, "ISO-8859-1": `T "\u0080 \u0093x\u0094 \u0096 é\u0081"`} {
		doc := []byte("<?xml version=\"1.0\" encoding=\"" + enc + "\"?><a>\x80 \x93x\x94 \x96 \xe9\x81</a>")
		for _, d := range []*Decoder{NewDecoderBytes(doc, Limits{}), NewDecoder(iotest.OneByteReader(bytes.NewReader(doc)), Limits{})} {
			if got, err := ours(t, d); err != nil || got[1] != want {
				t.Errorf("%s: got %q, %v, want %s", enc, got, err, want)
			}
		}
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat("<a>", 50) + strings.Repeat("</a>", 50)
	if _, err := ours(t, NewDecoderBytes([]byte(deep), Limits{MaxDepth: 20})); err == nil || !strings.Contains(err.Error(), "deeper than 20") {
		t.Errorf("depth: %v", err)
	}
	big := "<a>" + strings.Repeat("x", 5000) + "</a>"
	if _, err := ours(t, NewDecoder(strings.NewReader(big), Limits{MaxTokenSize: 1000})); err == nil || !strings.Contains(err.Error(), "larger than 1000") {
		t.Errorf("token size: %v", err)
	}
	attrs := "<a"
	for i := 0; i < 20; i++ {
		attrs += fmt.Sprintf(` a%d="1"`, i)
	}
	attrs += "/>"
	if _, err := ours(t, NewDecoderBytes([]byte(attrs), Limits{MaxAttrs: 10})); err == nil {
		t.Error("attribute limit not enforced")
	}
}

func TestBillionLaughs(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">`)
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&b, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	b.WriteString(`]><lolz>&lol9;</lolz>`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ours(t, NewDecoder(strings.NewReader(b.String()), Limits{}))
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "DTD entity declarations are not allowed") {
		t.Fatalf("got %v", err)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("allocated %d bytes refusing a billion laughs", grew)
	}
	xxe := `<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>`
	if _, err := ours(t, NewDecoderBytes([]byte(xxe), Limits{})); err == nil {
		t.Fatal("XXE accepted")
	}
}

func TestSkipAndLookup(t *testing.T) {
	doc := `<r xmlns:t="urn:t"><a><b><c/>text</b></a><d t:x="1" x="t:v"/></r>`
	d := NewDecoderBytes([]byte(doc), Limits{})
	d.Next() // r
	tok, _ := d.Next()
	if tok.Name.Local != "a" {
		t.Fatal(tok)
	}
	if err := d.Skip(); err != nil {
		t.Fatal(err)
	}
	tok, _ = d.Next()
	if tok.Name.Local != "d" || tok.Attr[0].Name.Space != "urn:t" {
		t.Fatalf("after skip: %+v", tok)
	}
	if u, ok := d.LookupPrefix("t"); !ok || u != "urn:t" {
		t.Fatal("lookup t")
	}
	if err := d.Skip(); err != nil { // an empty element
		t.Fatal(err)
	}
	tok, err := d.Next()
	if tok.Kind != EndElement || tok.Name.Local != "r" || err != nil {
		t.Fatalf("%+v %v", tok, err)
	}
}

func TestLine(t *testing.T) {
	doc := "<a>\n<b/>\n\n<c>x</c>\n</a>"
	d := NewDecoder(iotest.OneByteReader(strings.NewReader(doc)), Limits{})
	lines := map[string]int{}
	for {
		tok, err := d.Next()
		if err != nil {
			break
		}
		if tok.Kind == StartElement {
			lines[tok.Name.Local] = d.Line()
		}
	}
	if lines["a"] != 1 || lines["b"] != 2 || lines["c"] != 4 {
		t.Errorf("lines %v", lines)
	}
}

// infinite streams a large generated document without holding it.
type infinite struct {
	items, n int
	buf      []byte
	state    int
}

func (r *infinite) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		switch {
		case r.state == 0:
			r.buf = []byte(`<r xmlns:n="urn:x">`)
			r.state = 1
		case r.n < r.items:
			r.buf = fmt.Appendf(r.buf[:0], `<n:item sku="S-%d"><n:name>Item %d &amp; co</n:name></n:item>`, r.n, r.n)
			r.n++
		case r.state == 1:
			r.buf = []byte(`</r>`)
			r.state = 2
		default:
			return 0, io.EOF
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 150 MB")
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := NewDecoder(&infinite{items: 2_000_000}, Limits{})
	n := 0
	for {
		_, err := d.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	runtime.ReadMemStats(&after)
	if n < 6_000_000 {
		t.Fatalf("%d tokens", n)
	}
	if after.HeapInuse > before.HeapInuse+8<<20 {
		t.Errorf("heap grew from %d to %d bytes", before.HeapInuse, after.HeapInuse)
	}
}

// Envelope is the benchmark document of docs: 100,000 items.
func Envelope(items int) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><ns1:GetItemsResponse xmlns:ns1="urn:example:inventory">`)
	for i := 0; i < items; i++ {
		fmt.Fprintf(&b, `<ns1:item sku="S-%d"><ns1:id>%d</ns1:id><ns1:name>Item number %d &amp; co</ns1:name><ns1:price>%d.99</ns1:price><ns1:tags>red</ns1:tags><ns1:tags>big</ns1:tags><ns1:discontinued>false</ns1:discontinued></ns1:item>`, i, i, i, i)
	}
	b.WriteString(`</ns1:GetItemsResponse></soap:Body></soap:Envelope>`)
	return b.Bytes()
}

func BenchmarkTokenize(b *testing.B) {
	doc := Envelope(100_000)
	b.Run("xmltok-stream", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			d := NewDecoder(bytes.NewReader(doc), Limits{})
			for {
				if _, err := d.Next(); err != nil {
					break
				}
			}
		}
	})
	b.Run("xmltok-bytes", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			d := NewDecoderBytes(doc, Limits{})
			for {
				if _, err := d.Next(); err != nil {
					break
				}
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for b.Loop() {
			d := xml.NewDecoder(bytes.NewReader(doc))
			for {
				if _, err := d.Token(); err != nil {
					break
				}
			}
		}
	})
}

func FuzzDecoder(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s))
	}
	f.Add([]byte(`<a xmlns:p="u"><p:b p:c="&amp;">x</p:b></a>`))
	f.Add([]byte("\xff\xfe<\x00a\x00>\x00\x3d\xd8\x00\xde<\x00/\x00a\x00>\x00")) // UTF-16LE, a surrogate pair
	f.Add([]byte("\x00<\x00a\x00 \x00b\x00=\x00'\x00\xe9\x00'\x00/\x00>"))       // UTF-16BE, no byte order mark
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ours(t, NewDecoderBytes(data, Limits{MaxDepth: 64}))
		got2, err2 := ours(t, NewDecoder(iotest.OneByteReader(bytes.NewReader(data)), Limits{MaxDepth: 64}))
		if (err == nil) != (err2 == nil) || strings.Join(got, "|") != strings.Join(got2, "|") {
			t.Fatalf("bytes and streaming disagree: %v / %v", err, err2)
		}
		got3, err3 := oursReadText(t, NewDecoderBytes(data, Limits{MaxDepth: 64}))
		if (err == nil) != (err3 == nil) || err == nil && strings.Join(got, "|") != strings.Join(got3, "|") {
			t.Fatalf("ReadText changes the tokens: %v / %v\n got %q\nwant %q", err3, err, got3, got)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a SyntaxError: %v", err)
			}
			return
		}
		// Where encoding/xml accepts the document as plain UTF-8 with
		// namespaces declared, it must see the same tokens.
		if !bytes.HasPrefix(data, []byte("<")) || bytes.Contains(data, []byte("<!")) || bytes.Contains(data, []byte("encoding")) || bytes.ContainsAny(data, "\r\n\t") {
			return
		}
		want, werr := theirs(string(data))
		if werr == nil && strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("differs from encoding/xml\n got %q\nwant %q", got, want)
		}
	})
}

// A prefix bound to another namespace in the next document must not
// resolve through names cached for the previous one.
func TestResetForgetsNamespaces(t *testing.T) {
	d := NewDecoder(strings.NewReader(`<p:e xmlns:p="urn:A"/>`), Limits{})
	tok, err := d.Next()
	if err != nil || tok.Name.Space != "urn:A" {
		t.Fatalf("first: %+v %v", tok.Name, err)
	}
	for _, ns := range []string{"urn:B", "urn:A", "urn:C"} {
		d.Reset(strings.NewReader(`<p:e xmlns:p="` + ns + `"><p:f/></p:e>`))
		for range 2 {
			tok, err = d.Next()
			if err != nil || tok.Name.Space != ns {
				t.Fatalf("after Reset: %+v %v, want %s", tok.Name, err, ns)
			}
		}
	}
}

// A UTF-8 byte order mark wins over a declared single-byte encoding (the
// bytes were read as ISO-8859-1: "café" became "cafÃ©"); a document that
// declares UTF-16 but whose declaration took a byte per character is
// UTF-8 (a .NET string saved to a file: it was refused).
func TestDeclaredEncodingMismatch(t *testing.T) {
	for doc, want := range map[string]string{
		"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xc3\xa9</a>": `T "café"`,
		"<?xml version=\"1.0\" encoding=\"utf-16\"?><a>caf\xc3\xa9</a>":                 `T "café"`,
		"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>caf\xc3\xa9</a>":     `T "café"`,
	} {
		got, err := ours(t, NewDecoderBytes([]byte(doc), Limits{}))
		if err != nil || len(got) < 2 || got[1] != want {
			t.Errorf("%q: got %q, %v", doc, got, err)
		}
	}
}

// TestUTF16: UTF-16 documents, either byte order, with or without a byte
// order mark, are read as their UTF-8 form is, surrogate pairs included,
// in memory and streamed a byte at a time; errors name the right line.
func TestUTF16(t *testing.T) {
	for _, doc := range []string{
		"<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<p:a xmlns:p=\"urn:p\" k=\"v\u00e9\">\n  caf\u00e9 \U0001F600 &amp; \u20ac<b/>\n</p:a>",
		// Longer than what the decoder reads before the prolog.
		"<a>" + strings.Repeat("<b c=\"\u00e9\">\U0001F600 x</b>\n", 3000) + "</a>",
	} {
		testUTF16(t, doc)
	}
}

func testUTF16(t *testing.T, doc string) {
	want, err := ours(t, NewDecoderBytes([]byte(doc), Limits{}))
	if err != nil {
		t.Fatal(err)
	}
	encode := func(s string, big, bom bool) []byte {
		var out []byte
		u := utf16.Encode([]rune(s))
		if bom {
			u = append([]uint16{0xFEFF}, u...)
		}
		for _, c := range u {
			if big {
				out = append(out, byte(c>>8), byte(c))
			} else {
				out = append(out, byte(c), byte(c>>8))
			}
		}
		return out
	}
	for _, big := range []bool{true, false} {
		for _, bom := range []bool{true, false} {
			data := encode(doc, big, bom)
			for name, d := range map[string]*Decoder{
				"bytes":  NewDecoderBytes(data, Limits{}),
				"stream": NewDecoder(iotest.OneByteReader(bytes.NewReader(data)), Limits{}),
			} {
				got, err := ours(t, d)
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("big-endian %v, byte order mark %v, %s: got %.200q, %v; want %.200q", big, bom, name, got, err, want)
				}
			}
			bad := encode("<a>\n\n<b></a>", big, bom)
			_, err := ours(t, NewDecoder(bytes.NewReader(bad), Limits{}))
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line != 3 {
				t.Errorf("big-endian %v, byte order mark %v: an error on line 3: got %v", big, bom, err)
			}
		}
	}
}

// A hostile document puts tens of thousands of declarations in scope
// (256 levels of 255 each) and then many prefixed names: each lookup must
// cost the same as under a few declarations (it compared every one, 5 s
// of CPU per MB), and shadowing and scope ends must still resolve right.
func TestManyNamespaceDeclarations(t *testing.T) {
	const depth, per = 200, 255
	var b bytes.Buffer
	for i := range depth {
		b.WriteString("<e")
		for k := range per {
			fmt.Fprintf(&b, ` xmlns:p%d="u%d.%d"`, k, i, k)
		}
		b.WriteString(">")
	}
	// p0 is shadowed at every level; q only inside x.
	b.WriteString(`<x xmlns:q="urn:q" p1:a="1" q:b="2"><p0:y/></x><p2:z p3:c="3"/>`)
	for range depth {
		b.WriteString("</e>")
	}
	d := NewDecoderBytes(b.Bytes(), Limits{})
	var got []string
	for {
		tok, err := d.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if tok.Kind != StartElement || tok.Name.Local == "e" {
			continue
		}
		before := d.probes
		u, ok := d.LookupPrefix("p7")
		if !ok || u != fmt.Sprintf("u%d.7", depth-1) {
			t.Errorf("p7 is %q, %v", u, ok)
		}
		if n := d.probes - before; n > nsScan {
			t.Errorf("a lookup compared %d declarations", n)
		}
		s := tok.Name.Space + " " + tok.Name.Local
		for _, a := range tok.Attr {
			if a.Name.Space != NSXMLNS {
				s += " " + a.Name.Space + ":" + a.Name.Local
			}
		}
		got = append(got, s)
	}
	want := fmt.Sprintf("[ x u%[1]d.1:a urn:q:b u%[1]d.0 y u%[1]d.2 z u%[1]d.3:c]", depth-1)
	if fmt.Sprint(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if _, ok := d.LookupPrefix("q"); ok {
		t.Error("q is still declared after </x>")
	}
	if len(d.nsTop) != 0 || len(d.ns) != 0 {
		t.Errorf("after the root: %d declarations in scope, %d indexed", len(d.ns), 0)
	}
}

// Undeclared's answers bind a prefix from then on, under declarations
// of the same prefix that shadow it while they are in scope.
func TestUndeclaredAnswers(t *testing.T) {
	d := NewDecoderBytes([]byte(`<r><u:a/><b xmlns:u="urn:inner"><u:c/></b><u:d/></r>`), Limits{})
	asked := 0
	d.Undeclared = func(p string) (string, bool) { asked++; return "urn:guess:" + p, true }
	var got []string
	for {
		tok, err := d.Read()
		if err != nil {
			break
		}
		if tok.Kind == StartElement {
			got = append(got, tok.Name.Space+" "+tok.Name.Local)
		}
	}
	if want := "[ r urn:guess:u a  b urn:inner c urn:guess:u d]"; fmt.Sprint(got) != want || asked != 1 {
		t.Errorf("got %s (asked %d times)\nwant %s", got, asked, want)
	}
}

// Names are interned to spare allocations, but a document of ever new,
// long names must not make the decoder keep them all: memory is bounded
// by the largest token, not by the document (64 MB of 64 KB names kept
// 70 MB).
func TestInterningBounded(t *testing.T) {
	long := strings.Repeat("n", 64<<10)
	var b bytes.Buffer
	b.WriteString("<r>")
	for n := range 200 {
		fmt.Fprintf(&b, "<%s%d a%s%d='1'/>", long, n, long, n)
	}
	b.WriteString("</r>")
	d := NewDecoder(bytes.NewReader(b.Bytes()), Limits{})
	for {
		if _, err := d.Read(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatal(err)
			}
			break
		}
	}
	kept := 0
	for s := range d.intern {
		kept += len(s)
	}
	for s := range d.names {
		kept += len(s)
	}
	if kept > 2*maxCached || d.cached > maxCached {
		t.Errorf("the decoder keeps %d bytes of names (accounted %d)", kept, d.cached)
	}
	// Reset lets go of what a big document grew.
	d.Reset(strings.NewReader("<r/>"))
	if cap(d.buf) > 4*readSize {
		t.Errorf("after Reset the buffer holds %d bytes", cap(d.buf))
	}
}
