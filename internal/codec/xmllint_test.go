package codec_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/testpeer"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// xmllintDisagreements are "case/operation" pairs whose generated request
// bodies xmllint rejects, with the reason; each was investigated by hand.
var xmllintDisagreements = map[string]string{}

// schemaDoc is one plain XSD file of a model: its path, target namespace
// and text (to find the global elements it declares).
type schemaDoc struct {
	path, tns, text string
}

var targetNSRe = regexp.MustCompile(`targetNamespace\s*=\s*["']([^"']*)["']`)

// xsdDocs lists the .xsd documents a model was compiled from.
func xsdDocs(m *wsdl.Model, entry string) []schemaDoc {
	var out []schemaDoc
	for _, d := range m.Documents {
		if strings.Contains(d, "://") || !strings.HasSuffix(strings.ToLower(d), ".xsd") {
			continue
		}
		p := d
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(entry), d)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		tns := ""
		// The schema element's own targetNamespace: the first one in
		// the file (imports carry namespace=, not targetNamespace=).
		if mt := targetNSRe.FindSubmatch(b); mt != nil {
			tns = string(mt[1])
		}
		out = append(out, schemaDoc{p, tns, string(b)})
	}
	return out
}

// declares reports whether doc seems to declare a global element local:
// good enough to choose among a model's schema files; xmllint decides.
func (d schemaDoc) declares(local string) bool {
	return regexp.MustCompile(`<(\w+:)?element\s[^>]*name\s*=\s*["']` + regexp.QuoteMeta(local) + `["']`).MatchString(d.text)
}

// topElements splits the children of soap:Body (as the codec writes them:
// using the envelope's prefixes without declaring them) into standalone
// documents, each declaring those prefixes on its root.
func topElements(body []byte, ver wsdl.SOAPVersion) ([]xml.Name, [][]byte, error) {
	var decls strings.Builder
	for _, b := range codec.EnvelopeNamespaces(ver) {
		fmt.Fprintf(&decls, ` xmlns:%s="%s"`, b[0], b[1])
	}
	wrapped := `<w` + decls.String() + `>` + string(body) + `</w>`
	d := xml.NewDecoder(strings.NewReader(wrapped))
	var names []xml.Name
	var docs [][]byte
	depth, start := 0, int64(0)
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return names, docs, nil
		}
		if err != nil {
			return nil, nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				start = off
				names = append(names, t.Name)
			}
		case xml.EndElement:
			if depth == 2 {
				el := wrapped[start:d.InputOffset()]
				// Insert the declarations after the element name.
				i := strings.IndexAny(el, " />")
				docs = append(docs, []byte(el[:i]+decls.String()+el[i:]))
			}
			depth--
		}
	}
}

// TestXmllintBodies validates generated request bodies with xmllint
// --schema against the plain XSD files they are declared in: the bundled
// inventory example and the corpus cases whose schemas are .xsd files that
// xmllint compiles on their own (no imports of missing documents).
func TestXmllintBodies(t *testing.T) {
	xmllint := testpeer.Require(t, testpeer.Xmllint)
	type wsdlCase struct{ name, entry string }
	cases := []wsdlCase{{"inventory", filepath.Join(testpeer.RepoRoot(t), "examples", "inventory", "inventory.wsdl")}}
	if !testing.Short() {
		if dir := corpusDir(); dir != "" {
			for _, c := range corpusCasesIn(t, dir) {
				cases = append(cases, wsdlCase(c))
			}
		}
	}
	tmp := t.TempDir()
	type job struct {
		id, file string
		in       []byte
	}
	bySchema := map[string][]job{}
	var noSchema int
	for _, cs := range cases {
		m, err := wsdl.Open(context.Background(), cs.entry, fetch.Options{}, wsdl.Lenient)
		if err != nil {
			continue
		}
		docs := xsdDocs(m, cs.entry)
		if len(docs) == 0 {
			continue
		}
		c := codec.New(m)
		for bi := range m.Bindings {
			b := &m.Bindings[bi]
			for oi := range b.Operations {
				op := &b.Operations[oi]
				if op.Input == nil || op.Style != wsdl.Document || op.Input.Use != wsdl.Literal {
					continue
				}
				id := cs.name + "/" + op.Name
				rng := rand.New(rand.NewSource(seedOf(cs.name, b.Name.String(), op.Name)))
				for round := 0; round < 2; round++ {
					in, _, ok := codec.GenerateInput(c, op, rng)
					if !ok {
						continue
					}
					delete(in, "$headers")
					data, _ := json.Marshal(in)
					enc, err := c.EncodeInput(op, b.SOAPVersion, data)
					if err != nil {
						t.Errorf("%s: we refuse our own generated input: %v\n in: %s", id, err, data)
						continue
					}
					names, els, err := topElements(enc.Body, b.SOAPVersion)
					if err != nil {
						t.Errorf("%s: body is not well-formed: %v\n%s", id, err, enc.Body)
						continue
					}
					for i, el := range els {
						var schema string
						for _, d := range docs {
							if d.tns == names[i].Space && d.declares(names[i].Local) {
								schema = d.path
								break
							}
						}
						if schema == "" {
							noSchema++
							continue
						}
						file := filepath.Join(tmp, fmt.Sprintf("doc%05d.xml", countJobs(bySchema)))
						if err := os.WriteFile(file, el, 0o644); err != nil {
							t.Fatal(err)
						}
						bySchema[schema] = append(bySchema[schema], job{id, file, data})
					}
				}
			}
		}
	}
	// A control: a body the schema does not allow must fail, or the
	// checks below prove nothing.
	bad := filepath.Join(tmp, "control.xml")
	if err := os.WriteFile(bad, []byte(`<ns1:GetItems xmlns:ns1="urn:example:inventory"><ns1:limit>x</ns1:limit></ns1:GetItems>`), 0o644); err != nil {
		t.Fatal(err)
	}
	invXSD := filepath.Join(testpeer.RepoRoot(t), "examples", "inventory", "inventory.xsd")
	if out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", invXSD, bad).CombinedOutput(); err == nil || !strings.Contains(string(out), "fails to validate") {
		t.Fatalf("xmllint accepts an invalid body: %v\n%s", err, out)
	}
	schemas := make([]string, 0, len(bySchema))
	for s := range bySchema {
		schemas = append(schemas, s)
	}
	sort.Strings(schemas)
	var valid, invalid, listed, uncompiled int
	for _, s := range schemas {
		jobs := bySchema[s]
		args := []string{"--noout", "--nonet", "--schema", s}
		for _, j := range jobs {
			args = append(args, j.file)
		}
		var out bytes.Buffer
		cmd := exec.Command(xmllint, args...)
		cmd.Stdout, cmd.Stderr = &out, &out
		_ = cmd.Run() // the exit status says "some failed"; the output says which
		text := out.String()
		if strings.Contains(text, "failed to compile") || strings.Contains(text, "Schemas parser error") {
			uncompiled += len(jobs)
			continue
		}
		for _, j := range jobs {
			switch {
			case strings.Contains(text, j.file+" validates"):
				valid++
			case xmllintDisagreements[j.id] != "":
				listed++
			default:
				invalid++
				el, _ := os.ReadFile(j.file)
				var msgs []string
				for _, line := range strings.Split(text, "\n") {
					if strings.HasPrefix(line, j.file) {
						msgs = append(msgs, strings.TrimPrefix(line, j.file))
					}
				}
				t.Errorf("%s: xmllint --schema %s rejects the body:\n%s\n in: %s\nxml: %s", j.id, s, strings.Join(msgs, "\n"), j.in, el)
			}
		}
	}
	t.Logf("xmllint: %d bodies valid, %d invalid, %d known; %d not checked (schema does not compile on its own), %d without a plain XSD declaring them",
		valid, invalid, listed, uncompiled, noSchema)
	if valid < 3 {
		t.Errorf("only %d bodies validated; the test checks too little", valid)
	}
}

func countJobs[J any](m map[string][]J) int {
	n := 0
	for _, js := range m {
		n += len(js)
	}
	return n
}

// corpusDir is the shared corpus, or "" when it is absent (the inventory
// example is still checked).
func corpusDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	dir := filepath.Join(wd, "..", "..", "..", "shared", "corpus")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return ""
	}
	return dir
}
