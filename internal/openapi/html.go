package openapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"sort"
	"strings"
)

//go:embed assets/docs.css
var docsCSS string

//go:embed assets/docs.html
var docsHTML string

// page is what the documentation template renders.
type page struct {
	Doc    *Document
	CSS    template.CSS
	Server string
	Ops    []pageOp
}

type pageOp struct {
	ID, Path, Summary, Description string
	Ports                          []string
	SOAP                           *SOAPInfo
	Request, Response              []field
	RequestExample                 string
	ResponseExample                string
	Curl                           string
	Errors                         []pageError
}

type pageError struct{ Status, Description string }

// field is one row of a field table: a member at a path, with its type.
type field struct {
	Path, Type, Description string
	Required                bool
	Depth                   int
}

// HTML renders the document as one self-contained page (no scripts, no
// external assets): every operation with its fields, examples and errors.
func (d *Document) HTML() ([]byte, error) {
	tpl, err := template.New("docs").Funcs(template.FuncMap{
		"indent": func(n int) template.CSS { return template.CSS(fmt.Sprintf("padding-left:%.1frem", 0.5+1.2*float64(n))) },
	}).Parse(docsHTML)
	if err != nil {
		return nil, fmt.Errorf("openapi: docs template: %w", err)
	}
	p := page{Doc: d, CSS: template.CSS(docsCSS)}
	if len(d.Servers) > 0 {
		p.Server = strings.TrimSuffix(d.Servers[0].URL, "/")
	}
	for _, e := range d.Paths {
		o := e.Item.Post
		if o == nil {
			continue
		}
		po := pageOp{ID: o.OperationID, Path: e.Path, Summary: o.Summary, Description: o.Description, SOAP: o.SOAP}
		if o.SOAP != nil && len(o.Parameters) > 0 {
			po.Ports = o.SOAP.Ports
		}
		if o.RequestBody != nil {
			mt := o.RequestBody.Content["application/json"]
			po.Request = d.fields(mt.Schema, "", 0, map[string]bool{})
			po.RequestExample = pretty(mt.Example)
			po.Curl = fmt.Sprintf("curl -s -H 'X-API-Key: sbk_...' %s%s --json '%s'", p.Server, e.Path, compact(mt.Example))
		}
		for _, r := range o.Responses {
			resp := r.Response
			if resp.Ref != "" {
				resp = d.Components.Responses[strings.TrimPrefix(resp.Ref, "#/components/responses/")]
			}
			if resp == nil {
				continue
			}
			if r.Status == "200" {
				mt := resp.Content["application/json"]
				po.Response = d.fields(mt.Schema, "", 0, map[string]bool{})
				po.ResponseExample = pretty(mt.Example)
				continue
			}
			po.Errors = append(po.Errors, pageError{r.Status, resp.Description})
		}
		p.Ops = append(p.Ops, po)
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("openapi: rendering the docs: %w", err)
	}
	return b.Bytes(), nil
}

func pretty(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

func compact(v any) string {
	if v == nil {
		return "{}"
	}
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(string(b), "'", `'\''`)
}

const maxFieldDepth = 6

// resolve follows a component reference, also through the allOf of one
// that closes a value (unevaluatedProperties beside it).
func (d *Document) resolve(s *Schema) (*Schema, string) {
	name := ""
	for i := 0; s != nil && i < 16; i++ {
		switch {
		case s.Ref != "":
			name = strings.TrimPrefix(s.Ref, refPrefix)
			s = d.Components.Schemas.Lookup(name)
		case len(s.AllOf) == 1 && s.Type == nil && len(s.Properties) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0:
			s = s.AllOf[0]
		default:
			return s, name
		}
	}
	return s, name
}

// typeLabel describes a schema in a few words.
func (d *Document) typeLabel(s *Schema) string {
	r, name := d.resolve(s)
	if r == nil {
		return "any"
	}
	var parts []string
	switch t := r.Type.(type) {
	case string:
		parts = append(parts, t)
	case []string:
		parts = append(parts, strings.Join(t, " | "))
	}
	if t, ok := r.Type.(string); ok && t == "array" && r.Items != nil {
		parts = []string{"array of " + d.typeLabel(r.Items)}
	}
	if len(r.AnyOf) == 2 && r.AnyOf[1].Type == "null" {
		return d.typeLabel(r.AnyOf[0]) + " | null"
	}
	if len(parts) == 0 && len(r.OneOf) > 0 {
		parts = append(parts, "one of")
	}
	if name != "" {
		parts = append([]string{name}, parts...)
	}
	if r.XSDType != "" {
		parts = append(parts, "("+r.XSDType+")")
	}
	if len(r.Enum) > 0 {
		var vs []string
		for _, e := range r.Enum {
			b, _ := json.Marshal(e)
			vs = append(vs, string(b))
		}
		parts = append(parts, "enum "+strings.Join(vs, ", "))
	}
	if r.Pattern != "" {
		parts = append(parts, "pattern "+r.Pattern)
	}
	for _, c := range []struct {
		k string
		v any
	}{{"min", r.Minimum}, {"max", r.Maximum}, {">", r.ExclusiveMinimum}, {"<", r.ExclusiveMaximum}} {
		if n, ok := c.v.(json.Number); ok && n != "" {
			parts = append(parts, c.k+" "+string(n))
		}
	}
	if r.MinLength != nil {
		parts = append(parts, fmt.Sprintf("length ≥ %d", *r.MinLength))
	}
	if r.MaxLength != nil {
		parts = append(parts, fmt.Sprintf("length ≤ %d", *r.MaxLength))
	}
	return strings.Join(parts, " ")
}

// fields flattens an object schema into rows, following references to a
// depth and never into a component it is already inside.
func (d *Document) fields(s *Schema, prefix string, depth int, seen map[string]bool) []field {
	if s == nil || depth > maxFieldDepth {
		return nil
	}
	r, name := d.resolve(s)
	if r == nil || name != "" && seen[name] {
		return nil
	}
	if name != "" {
		seen[name] = true
		defer delete(seen, name)
	}
	var out []field
	for _, a := range r.AllOf {
		out = append(out, d.fields(a, prefix, depth, seen)...)
	}
	if len(r.AnyOf) == 2 && r.AnyOf[1].Type == "null" {
		return append(out, d.fields(r.AnyOf[0], prefix, depth, seen)...)
	}
	req := map[string]bool{}
	for _, n := range r.Required {
		req[n] = true
	}
	for _, p := range r.Properties {
		path := prefix + p.Name
		out = append(out, field{Path: path, Type: d.typeLabel(p.Schema), Description: describeOf(d, p.Schema), Required: req[p.Name], Depth: depth})
		inner := p.Schema
		if ir, _ := d.resolve(inner); ir != nil && ir.Type == "array" && ir.Items != nil {
			inner, path = ir.Items, path+"[]"
		}
		out = append(out, d.fields(inner, path+".", depth+1, seen)...)
	}
	if len(r.OneOf) > 0 && len(r.Properties) > 0 {
		var alts []string
		for _, o := range r.OneOf {
			if len(o.Required) > 0 {
				alts = append(alts, strings.Join(o.Required, " + "))
			}
		}
		if len(alts) > 0 {
			sort.Strings(alts)
			out = append(out, field{Path: prefix + "(choice)", Type: "one of: " + strings.Join(alts, " | "), Depth: depth})
		}
	}
	return out
}

func describeOf(d *Document, s *Schema) string {
	if s.Description != "" {
		return s.Description
	}
	if r, _ := d.resolve(s); r != nil {
		return r.Description
	}
	return ""
}
