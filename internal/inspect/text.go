package inspect

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteText writes d as an indented tree for people.
func WriteText(w io.Writer, d *Description) error {
	bw := bufio.NewWriter(w)
	p := func(indent int, format string, args ...any) {
		bw.WriteString(strings.Repeat("  ", indent))
		fmt.Fprintf(bw, format, args...)
		bw.WriteByte('\n')
	}
	title := d.Name
	if title == "" {
		title = "(unnamed)"
	}
	p(0, "WSDL %s  %s", title, d.TargetNamespace)
	p(0, "documents: %s", strings.Join(d.Documents, ", "))
	if len(d.Services) == 0 {
		p(0, "no services")
	}
	for _, s := range d.Services {
		p(0, "")
		p(0, "service %s", s.Name)
		if s.Documentation != "" {
			p(1, "%s", s.Documentation)
		}
		for _, port := range s.Ports {
			p(1, "port %s  SOAP %s  %s", port.Name, port.SOAPVersion, orNone(port.Address))
			p(2, "binding %s", port.Binding)
			if len(port.Policies) > 0 {
				p(2, "policies: %s", strings.Join(port.Policies, ", "))
			}
			for _, o := range port.Operations {
				writeOperation(p, d.Types, o)
			}
		}
	}
	if len(d.Unsupported) > 0 {
		p(0, "")
		p(0, "unsupported:")
		for _, u := range d.Unsupported {
			p(1, "%s", u)
		}
	}
	if len(d.Warnings) > 0 {
		p(0, "")
		p(0, "warnings:")
		for _, u := range d.Warnings {
			p(1, "%s", u)
		}
	}
	return bw.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "(no address)"
	}
	return s
}

// printer writes fields, expanding each named complex type the first time a
// message uses it.
type printer struct {
	p     func(int, string, ...any)
	types map[string]*TypeDef
	seen  map[string]bool
}

func writeOperation(p func(int, string, ...any), types map[string]*TypeDef, o Operation) {
	var attrs []string
	attrs = append(attrs, o.Style+"/"+o.Use)
	if o.Input != nil && o.Input.Wrapped {
		attrs = append(attrs, "wrapped")
	}
	if o.OneWay {
		attrs = append(attrs, "one-way")
	}
	if o.SOAPAction != "" {
		attrs = append(attrs, fmt.Sprintf("soapAction %q", o.SOAPAction))
	}
	p(2, "operation %s  %s", o.Name, strings.Join(attrs, "  "))
	if len(o.Policies) > 0 {
		p(3, "policies: %s", strings.Join(o.Policies, ", "))
	}
	for _, m := range []struct {
		name string
		msg  *Message
	}{{"input", o.Input}, {"output", o.Output}} {
		if m.msg == nil {
			continue
		}
		p(3, "%s", m.name)
		pr := printer{p, types, map[string]bool{}}
		for _, h := range m.msg.Headers {
			pr.field(4, h, "header ")
		}
		for _, f := range m.msg.Body {
			pr.field(4, f, "")
		}
	}
	for _, f := range o.Faults {
		p(3, "fault %s", f.Name)
		pr := printer{p, types, map[string]bool{}}
		for _, d := range f.Detail {
			pr.field(4, d, "")
		}
	}
}

func (pr printer) field(indent int, f Field, prefix string) {
	p := pr.p
	var b strings.Builder
	b.WriteString(prefix)
	switch f.Kind {
	case "attribute":
		b.WriteString("@" + f.Name)
	case "text":
		b.WriteString("(text)")
	case "any":
		b.WriteString("any " + f.Name)
	case "element":
		b.WriteString(f.Name)
	default:
		b.WriteString(f.Kind)
	}
	if t := typeLabel(f); t != "" {
		b.WriteString("  " + t)
	}
	if occ := occurs(f); occ != "" {
		b.WriteString("  " + occ)
	}
	var flags []string
	if f.Nillable {
		flags = append(flags, "nillable")
	}
	if f.Required {
		flags = append(flags, "required")
	}
	if f.Abstract {
		flags = append(flags, "abstract")
	}
	if f.Default != nil {
		flags = append(flags, fmt.Sprintf("default %q", *f.Default))
	}
	if f.Fixed != nil {
		flags = append(flags, fmt.Sprintf("fixed %q", *f.Fixed))
	}
	if f.Recursive {
		flags = append(flags, "(recursive)")
	}
	td := pr.types[f.Type]
	if f.Complex && td != nil {
		if td.Base != "" {
			flags = append(flags, td.Derivation+" of "+shortType(td.Base))
		}
		if td.Abstract {
			flags = append(flags, "abstract type")
		}
		if len(td.Derived) > 0 {
			flags = append(flags, fmt.Sprintf("(+%d derived types)", len(td.Derived)))
		}
		if pr.seen[f.Type] {
			flags = append(flags, "(see above)")
		}
	}
	if len(flags) > 0 {
		b.WriteString("  " + strings.Join(flags, " "))
	}
	p(indent, "%s", b.String())
	children := f.Fields
	if f.Complex && td != nil && !pr.seen[f.Type] {
		pr.seen[f.Type] = true
		children = td.Fields
	}
	for _, c := range children {
		pr.field(indent+1, c, "")
	}
}

func typeLabel(f Field) string {
	var s string
	switch {
	case f.Type != "":
		s = shortType(f.Type)
	case f.Builtin != "":
		s = f.Builtin
	}
	if f.Builtin != "" && f.Type != "" && f.Builtin != f.Type && f.Builtin != "anyType" {
		s += " (" + f.Builtin + ")"
	}
	if f.List {
		s = "list of " + s
	}

	if len(f.Enum) > 0 {
		e := f.Enum
		more := ""
		if len(e) > 8 {
			e, more = e[:8], fmt.Sprintf("|…%d more", len(f.Enum)-8)
		}
		s += " enum(" + strings.Join(e, "|") + more + ")"
	}
	return s
}

// shortType drops the namespace of "{ns}Local".
func shortType(t string) string {
	if i := strings.LastIndexByte(t, '}'); i >= 0 {
		return t[i+1:]
	}
	return t
}

func occurs(f Field) string {
	if f.Kind == "attribute" || f.Kind == "text" || f.Min == 1 && f.Max == 1 {
		return ""
	}
	max := fmt.Sprint(f.Max)
	if f.Max < 0 {
		max = "*"
	}
	return fmt.Sprintf("[%d..%s]", f.Min, max)
}
