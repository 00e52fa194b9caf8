package openapi

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/wsdl"
	"github.com/soapbridge/soapbridge/internal/xsd"
)

// Options say where the service is served.
type Options struct {
	// Service is the name the service is registered under: the
	// {service} of its paths. Required.
	Service string
	// ServerURL is the gateway's base URL, such as
	// "https://api.example.com"; empty writes "/" (the document's own
	// origin).
	ServerURL string
	// Version is info.version; empty means "1".
	Version string
}

// Problem documentation, as the gateway's problem types link it.
const problemDocs = "https://github.com/soapbridge/soapbridge/blob/main/docs/problems.md"

// Generate returns the OpenAPI 3.1 document of the callable operations of
// m served as opts.Service. It is deterministic: the same model and
// options give the same document.
func Generate(m *wsdl.Model, opts Options) (*Document, error) {
	if m == nil || m.Schema == nil {
		return nil, fmt.Errorf("openapi: no model")
	}
	if opts.Service == "" {
		return nil, fmt.Errorf("openapi: no service name")
	}
	if strings.ContainsAny(opts.Service, "/?#{} ") {
		return nil, fmt.Errorf("openapi: service name %q cannot be a path segment", opts.Service)
	}
	server := opts.ServerURL
	if server == "" {
		server = "/"
	} else if u, err := url.Parse(server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("openapi: server URL %q is not an absolute http(s) URL", server)
	}
	version := opts.Version
	if version == "" {
		version = "1"
	}
	doc := &Document{
		OpenAPI: Version,
		Info: Info{
			Title:       opts.Service,
			Summary:     "The JSON API of SOAP service " + modelName(m) + ", served by soapbridge.",
			Description: infoDescription(m),
			Version:     version,
		},
		Servers:  []Server{{URL: strings.TrimSuffix(server, "/") + map[bool]string{true: "/", false: ""}[server == "/"]}},
		Security: []map[string][]string{{"apiKey": {}}, {"bearer": {}}},
		Paths:    Paths{},
		Components: Components{
			SecuritySchemes: map[string]*SecurityScheme{
				"apiKey": {Type: "apiKey", Name: "X-API-Key", In: "header", Description: "A soapbridge API key (sbk_...) allowed to call the service."},
				"bearer": {Type: "http", Scheme: "bearer", Description: "The same API key as Authorization: Bearer sbk_..."},
			},
		},
	}
	g := &gen{
		m: m, opts: opts, doc: doc,
		sc: &schemas{s: m.Schema, c: codec.New(m), comps: map[compKey]string{}, used: map[string]bool{}, out: &doc.Components.Schemas},
	}
	g.sc.computeDependence()
	g.sc.computeCycles()
	g.commonComponents()
	for _, o := range g.operations() {
		g.operation(o)
	}
	return doc, nil
}

func modelName(m *wsdl.Model) string {
	if len(m.Services) > 0 {
		return m.Services[0].Name
	}
	return m.Name
}

func infoDescription(m *wsdl.Model) string {
	var parts []string
	if m.Doc != "" {
		parts = append(parts, m.Doc)
	}
	for _, s := range m.Services {
		if s.Doc != "" {
			parts = append(parts, s.Doc)
		}
	}
	parts = append(parts, "Each operation is `POST`ed as JSON, mapped to SOAP as [docs/mapping.md](https://github.com/soapbridge/soapbridge/blob/main/docs/mapping.md) describes. Errors are RFC 9457 problems ([docs/problems.md]("+problemDocs+")).")
	return strings.Join(parts, "\n\n")
}

// gen builds one document.
type gen struct {
	m    *wsdl.Model
	opts Options
	doc  *Document
	sc   *schemas
}

// op is one API operation: an operation name with the ports that offer
// it, described by the first.
type op struct {
	name    string
	op      *wsdl.Operation
	service string
	ports   []string
}

// operations lists the callable operations (with an input) in document
// order, as the gateway routes them.
func (g *gen) operations() []*op {
	var out []*op
	byName := map[string]*op{}
	for si := range g.m.Services {
		for pi := range g.m.Services[si].Ports {
			p := &g.m.Services[si].Ports[pi]
			if p.Binding < 0 || p.Binding >= len(g.m.Bindings) {
				continue
			}
			b := &g.m.Bindings[p.Binding]
			for oi := range b.Operations {
				o := &b.Operations[oi]
				if o.Input == nil {
					continue
				}
				x := byName[o.Name]
				if x == nil {
					x = &op{name: o.Name, op: o, service: g.m.Services[si].Name}
					byName[o.Name] = x
					out = append(out, x)
				}
				x.ports = append(x.ports, p.Name)
			}
		}
	}
	return out
}

func (g *gen) allPorts() []string {
	var out []string
	for _, s := range g.m.Services {
		for _, p := range s.Ports {
			out = append(out, p.Name)
		}
	}
	return out
}

// body is the JSON object of a message in direction d: the wrapper's
// members for a wrapped message, a member per part otherwise, and
// "$headers". It is closed at every level, as the codec refuses unknown
// members: a request may carry "$headers" (an empty object when the
// message declares no header, as the codec takes it), "$type" only where
// the wrapper's type has derived types.
func (g *gen) body(o *wsdl.Operation, msg *wsdl.Message, d dir) *Schema {
	if msg == nil {
		return &Schema{Type: "object", Description: "One-way operation: an empty object.", Properties: Properties{}, MaxProperties: intp(0)}
	}
	var s *Schema
	closable := true // the members are the codec's (not anyType's)
	if msg.Wrapped && len(msg.Parts) == 1 && msg.Parts[0].Element != xsd.NoElem && o.Style != wsdl.RPC {
		e := g.sc.s.Element(msg.Parts[0].Element)
		closable = g.sc.object(e.Type)
		if d == request {
			// The codec reads the wrapper like any element: "$type" may
			// select a derived type.
			s = g.sc.valueSchema(e.Type, d)
		} else {
			s = g.sc.typeSchema(e.Type, d)
		}
		s = describe(s, e.Doc)
	} else {
		s = &Schema{Type: "object"}
		for _, p := range msg.Parts {
			var ps *Schema
			if p.Element != xsd.NoElem {
				ps = g.sc.elementSchema(p.Element, d)
			} else {
				ps = g.sc.value(p.Type, d, true)
			}
			s.Properties = append(s.Properties, Property{p.Name, ps})
			s.Required = append(s.Required, p.Name)
		}
	}
	var h *Schema
	switch {
	case len(msg.Headers) > 0:
		h = &Schema{Type: "object", Description: "SOAP headers, by the header element's local name (or the part name).", UnevaluatedProperties: false}
		for _, hd := range msg.Headers {
			if hd.Part.Element != xsd.NoElem {
				e := g.sc.s.Element(hd.Part.Element)
				if h.Properties.Get(e.Name.Local) == nil {
					h.Properties = append(h.Properties, Property{e.Name.Local, g.sc.elementSchema(hd.Part.Element, d)})
				}
			} else if h.Properties.Get(hd.Part.Name) == nil {
				h.Properties = append(h.Properties, Property{hd.Part.Name, g.sc.value(hd.Part.Type, d, true)})
			}
		}
	case d == request:
		h = &Schema{Type: "object", MaxProperties: intp(0), Description: "The operation declares no SOAP header: only an empty object, which the gateway ignores."}
	}
	if h != nil {
		if s.Ref != "" || s.Type != "object" {
			s = &Schema{AllOf: []*Schema{s, {Type: "object", Properties: Properties{{memberHeaders, h}}}}}
		} else {
			s.Properties = append(s.Properties, Property{memberHeaders, h})
		}
	}
	if !closable {
		return s
	}
	return closeSchema(s)
}

// required lists the members a body schema requires at its top level.
func (g *gen) required(s *Schema) []string {
	for i := 0; s != nil && i < 8; i++ {
		if s.Ref != "" {
			s = g.doc.Components.Schemas.Lookup(strings.TrimPrefix(s.Ref, refPrefix))
			continue
		}
		if len(s.Required) > 0 {
			return s.Required
		}
		if len(s.AllOf) > 0 {
			var out []string
			for _, a := range s.AllOf {
				out = append(out, g.required(a)...)
			}
			return out
		}
		return nil
	}
	return nil
}

func (g *gen) operation(o *op) {
	wo := o.op
	path := "/v1/services/" + g.opts.Service + "/" + o.name
	x := &Operation{
		OperationID: o.name,
		Summary:     firstSentence(wo.Doc, o.name),
		Description: wo.Doc,
		Tags:        []string{o.service},
		SOAP: &SOAPInfo{Style: string(wo.Style), Use: string(wo.Input.Use), SOAPAction: wo.SOAPAction,
			Ports: o.ports, OneWay: wo.OneWay()},
	}
	if ports := g.allPorts(); len(ports) > 1 {
		enum := make([]any, len(o.ports))
		for i, p := range o.ports {
			enum[i] = p
		}
		x.Parameters = append(x.Parameters, Parameter{Name: "port", In: "query",
			Description: "The WSDL port to call (its SOAP version and endpoint); by default the first port that has the operation.",
			Schema:      &Schema{Type: "string", Enum: enum}})
	}
	in := g.body(wo, wo.Input, request)
	out := g.body(wo, wo.Output, response)
	ex := &exampler{g: g.sc}
	reqEx, _ := ex.body(wo, wo.Input, request)
	x.RequestBody = &Body{
		Description: "The operation's input (docs/mapping.md). An empty body is `{}`.",
		Required:    len(g.required(in)) > 0,
		Content:     map[string]MediaType{"application/json": {Schema: in, Example: reqEx}},
	}
	var resEx any
	if wo.Output != nil {
		resEx, _ = ex.body(wo, wo.Output, response)
	}
	fault := g.faultSchema(o)
	x.Responses = Responses{
		{"200", &Response{Description: "The operation's output.", Content: map[string]MediaType{"application/json": {Schema: out, Example: resEx}}}},
		{"400", &Response{Ref: "#/components/responses/Invalid"}},
		{"401", &Response{Ref: "#/components/responses/Unauthorized"}},
		{"403", &Response{Ref: "#/components/responses/Forbidden"}},
		{"404", &Response{Ref: "#/components/responses/NotFound"}},
		{"413", &Response{Ref: "#/components/responses/TooLarge"}},
		{"415", &Response{Ref: "#/components/responses/UnsupportedMediaType"}},
		{"422", problemResponse("The upstream answered with a SOAP fault that is the caller's (Client/Sender).", &Schema{AllOf: []*Schema{ref("Problem"), {
			Properties: Properties{{"fault", fault}, {"diagnosis", ref("Diagnosis")}},
			Required:   []string{"fault"},
		}}})},
		{"500", &Response{Ref: "#/components/responses/Internal"}},
		{"502", problemResponse("A SOAP fault of the upstream (Server/Receiver and the rest; `fault`), or the call did not produce a SOAP answer (`diagnosis`).", &Schema{AllOf: []*Schema{ref("Problem"), {
			Properties: Properties{{"fault", fault}, {"diagnosis", ref("Diagnosis")}},
		}}})},
		{"503", &Response{Ref: "#/components/responses/Unavailable"}},
		{"504", &Response{Ref: "#/components/responses/Timeout"}},
	}
	g.doc.Paths = append(g.doc.Paths, PathEntry{path, &PathItem{Post: x}})
	if !hasTag(g.doc.Tags, o.service) {
		g.doc.Tags = append(g.doc.Tags, Tag{Name: o.service, Description: g.serviceDoc(o.service)})
	}
}

func (g *gen) serviceDoc(name string) string {
	for _, s := range g.m.Services {
		if s.Name == name {
			return s.Doc
		}
	}
	return ""
}

func hasTag(tags []Tag, name string) bool {
	for _, t := range tags {
		if t.Name == name {
			return true
		}
	}
	return false
}

// firstSentence is the summary of an operation: its documentation's first
// sentence, or its name.
func firstSentence(doc, name string) string {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return name
	}
	if i := strings.IndexAny(doc, ".\n"); i > 0 {
		doc = doc[:i+1]
	}
	if len(doc) > 120 {
		doc = doc[:117] + "..."
	}
	return strings.TrimSuffix(doc, "\n")
}

func problemResponse(desc string, s *Schema) *Response {
	return &Response{Description: desc, Content: map[string]MediaType{"application/problem+json": {Schema: s}}}
}

// faultSchema is the schema of the SOAP fault of an operation: its
// declared faults' detail elements typed by their schema.
func (g *gen) faultSchema(o *op) *Schema {
	var names []any
	detail := &Schema{Type: "object", AdditionalProperties: true,
		Description: "The fault's detail, keyed by the local names of its children: a declared fault's child is typed by its schema, others are decoded like xsd:anyType."}
	for _, f := range o.op.Faults {
		typed := false
		for _, p := range f.Parts {
			if p.Element == xsd.NoElem {
				continue
			}
			e := g.sc.s.Element(p.Element)
			if detail.Properties.Get(e.Name.Local) == nil {
				detail.Properties = append(detail.Properties, Property{e.Name.Local, g.sc.elementSchema(p.Element, faultDetail)})
			}
			typed = true
		}
		if typed {
			names = append(names, f.Name)
		}
	}
	if len(names) == 0 {
		return ref("SOAPFault")
	}
	name := g.sc.name(o.name + "Fault")
	g.doc.Components.Schemas = append(g.doc.Components.Schemas, NamedSchema{name, &Schema{
		Description: "A SOAP fault of " + o.name + ", with the details of its declared faults.",
		AllOf: []*Schema{ref("SOAPFault"), {Type: "object", Properties: Properties{
			{"fault", &Schema{Type: "string", Enum: names, Description: "The declared fault the detail matched."}},
			{"detail", detail},
		}}},
	}})
	return ref(name)
}

// commonComponents adds the problem schemas and shared responses.
func (g *gen) commonComponents() {
	str := func(desc string) *Schema { return &Schema{Type: "string", Description: desc} }
	strs := &Schema{Type: "array", Items: &Schema{Type: "string"}}
	add := func(name string, s *Schema) {
		g.sc.used[name] = true
		g.doc.Components.Schemas = append(g.doc.Components.Schemas, NamedSchema{name, s})
	}
	add("Problem", &Schema{Type: "object", Description: "An RFC 9457 problem ([docs/problems.md](" + problemDocs + ")).",
		Properties: Properties{
			{"type", str("The problem type: docs/problems.md with the type's anchor.")},
			{"title", str("")},
			{"status", &Schema{Type: "integer", Description: "The HTTP status."}},
			{"detail", str("What went wrong.")},
			{"instance", str("The request path.")},
			{"request_id", str("The X-Request-Id of the answer, also in soapbridge's log.")},
		},
		Required: []string{"type", "title", "status"}})
	add("ValidationError", &Schema{Type: "object", Properties: Properties{
		{"pointer", str("RFC 6901 JSON pointer of the offending value (\"\" for the whole request).")},
		{"detail", str("What is wrong.")},
		{"expected", str("What would be right.")},
	}, Required: []string{"pointer", "detail"}})
	add("ValidationProblem", &Schema{Description: "The request does not fit the schema (`errors` lists every problem), or the body cannot be read.",
		AllOf: []*Schema{ref("Problem"), {Type: "object", Properties: Properties{{"errors", &Schema{Type: "array", Items: ref("ValidationError")}}}}}})
	add("NotFoundProblem", &Schema{AllOf: []*Schema{ref("Problem"), {Type: "object", Properties: Properties{
		{"operations", describe(&Schema{Type: "array", Items: &Schema{Type: "string"}}, "With an unknown operation: the operations the service offers.")},
	}}}})
	add("Diagnosis", &Schema{Type: "object", Description: "soapbridge's reading of an upstream problem.", Properties: Properties{
		{"kind", &Schema{Type: "string", Enum: []any{"dns", "unreachable", "tls", "timeout", "auth", "http", "too_large", "soap_version", "protocol", "config"}}},
		{"summary", str("What went wrong, in a sentence.")},
		{"fix", str("What to change.")},
		{"upstream_status", &Schema{Type: "integer", Description: "The upstream's HTTP status, when it answered."}},
		{"offered_auth", describe(strs, "On an upstream 401: the schemes its WWW-Authenticate offers.")},
		{"endpoint", str("The URL soapbridge called.")},
		{"clock_skew_seconds", &Schema{Type: "number", Description: "The upstream's clock minus soapbridge's, when the failed call measured a skew that matters."}},
	}, Required: []string{"kind", "summary"}})
	add("UpstreamProblem", &Schema{AllOf: []*Schema{ref("Problem"), {Type: "object", Properties: Properties{{"diagnosis", ref("Diagnosis")}}, Required: []string{"diagnosis"}}}})
	add("SOAPFault", &Schema{Type: "object", Description: "A SOAP 1.1 or 1.2 fault (docs/mapping.md, section 10).", Properties: Properties{
		{"soap_version", &Schema{Type: "string", Enum: []any{"1.1", "1.2"}}},
		{"code", str("Normalized: Sender (1.1 Client), Receiver (1.1 Server), VersionMismatch, MustUnderstand, DataEncodingUnknown, or another code's local name.")},
		{"raw_code", str("The code as sent, {namespace}local.")},
		{"subcodes", &Schema{Type: "array", Items: &Schema{Type: "string"}}},
		{"reason", str("")},
		{"role", str("faultactor (1.1) or Role (1.2).")},
		{"node", str("")},
		{"fault", str("The declared fault the detail matched.")},
		{"detail", &Schema{Type: "object", AdditionalProperties: true, Description: "The detail, keyed by the local names of its children, each decoded like xsd:anyType unless the operation declares the fault."}},
	}, Required: []string{"soap_version", "code", "raw_code", "reason"}})
	problem := func(desc, schema string) *Response { return problemResponse(desc, ref(schema)) }
	g.doc.Components.Responses = map[string]*Response{
		"Invalid":              problem("The request does not fit the operation's schema: `errors` lists every problem with a JSON pointer.", "ValidationProblem"),
		"Unauthorized":         {Description: "No API key, or an unknown, revoked or expired one.", Headers: map[string]*Header{"WWW-Authenticate": {Schema: &Schema{Type: "string"}}}, Content: map[string]MediaType{"application/problem+json": {Schema: ref("Problem")}}},
		"Forbidden":            problem("The key may not call this service.", "Problem"),
		"NotFound":             problem("Unknown service, operation or port.", "NotFoundProblem"),
		"TooLarge":             problem("The body is larger than the gateway's request limit.", "Problem"),
		"UnsupportedMediaType": problem("The body is not JSON.", "Problem"),
		"Internal":             problem("soapbridge failed; its log has the cause.", "Problem"),
		"Unavailable":          problem("soapbridge's store is unavailable, or the service could not be loaded when the gateway started (service-unavailable).", "Problem"),
		"Timeout":              problem("The upstream did not answer in time.", "UpstreamProblem"),
	}
}
