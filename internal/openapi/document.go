package openapi

import (
	"bytes"
	"encoding/json"
)

// Version is the OpenAPI version of the documents.
const Version = "3.1.0"

// Document is an OpenAPI 3.1 document. Its JSON encoding is the document;
// members are written in a stable order.
type Document struct {
	OpenAPI    string                `json:"openapi"`
	Info       Info                  `json:"info"`
	Servers    []Server              `json:"servers"`
	Security   []map[string][]string `json:"security"`
	Tags       []Tag                 `json:"tags,omitempty"`
	Paths      Paths                 `json:"paths"`
	Components Components            `json:"components"`
}

// Info is the document's info object.
type Info struct {
	Title       string `json:"title"`
	Summary     string `json:"summary,omitempty"`
	Description string `json:"description,omitempty"`
	Version     string `json:"version"`
}

// Server is a base URL of the API.
type Server struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
}

// Tag groups operations.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Paths maps a path to its item, in order.
type Paths []PathEntry

// PathEntry is one path with its item.
type PathEntry struct {
	Path string
	Item *PathItem
}

// MarshalJSON writes the paths as an object, in order.
func (p Paths) MarshalJSON() ([]byte, error) {
	kv := make([]kv, len(p))
	for i, e := range p {
		kv[i] = struct {
			k string
			v any
		}{e.Path, e.Item}
	}
	return marshalOrdered(kv)
}

// PathItem holds the operations of one path.
type PathItem struct {
	Post *Operation `json:"post,omitempty"`
}

// Operation is one API operation.
type Operation struct {
	OperationID string      `json:"operationId"`
	Summary     string      `json:"summary,omitempty"`
	Description string      `json:"description,omitempty"`
	Tags        []string    `json:"tags,omitempty"`
	Parameters  []Parameter `json:"parameters,omitempty"`
	RequestBody *Body       `json:"requestBody,omitempty"`
	Responses   Responses   `json:"responses"`
	// SOAP says what the operation calls.
	SOAP *SOAPInfo `json:"x-soap,omitempty"`
}

// SOAPInfo describes the SOAP operation behind an API operation.
type SOAPInfo struct {
	Style      string   `json:"style"`
	Use        string   `json:"use"`
	SOAPAction string   `json:"soapAction,omitempty"`
	Ports      []string `json:"ports"`
	OneWay     bool     `json:"oneWay,omitempty"`
}

// Parameter is a query parameter.
type Parameter struct {
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Schema      *Schema `json:"schema"`
}

// Body is a request body.
type Body struct {
	Description string               `json:"description,omitempty"`
	Required    bool                 `json:"required,omitempty"`
	Content     map[string]MediaType `json:"content"`
}

// Responses maps a status to its response, in order.
type Responses []ResponseEntry

// ResponseEntry is one status with its response.
type ResponseEntry struct {
	Status   string
	Response *Response
}

// MarshalJSON writes the responses as an object, in order.
func (r Responses) MarshalJSON() ([]byte, error) {
	kv := make([]kv, len(r))
	for i, e := range r {
		kv[i].k, kv[i].v = e.Status, e.Response
	}
	return marshalOrdered(kv)
}

// Response is one response of an operation.
type Response struct {
	Ref         string               `json:"$ref,omitempty"`
	Description string               `json:"description,omitempty"`
	Headers     map[string]*Header   `json:"headers,omitempty"`
	Content     map[string]MediaType `json:"content,omitempty"`
}

// Header is a response header.
type Header struct {
	Description string  `json:"description,omitempty"`
	Schema      *Schema `json:"schema"`
}

// MediaType is the schema (and example) of a body.
type MediaType struct {
	Schema  *Schema `json:"schema"`
	Example any     `json:"example,omitempty"`
}

// Components holds the reusable schemas, responses and security schemes.
type Components struct {
	Schemas         Schemas                    `json:"schemas"`
	Responses       map[string]*Response       `json:"responses,omitempty"`
	SecuritySchemes map[string]*SecurityScheme `json:"securitySchemes"`
}

// Schemas maps component names to schemas, in order.
type Schemas []NamedSchema

// NamedSchema is one component schema.
type NamedSchema struct {
	Name   string
	Schema *Schema
}

// MarshalJSON writes the schemas as an object, in order.
func (s Schemas) MarshalJSON() ([]byte, error) {
	kv := make([]kv, len(s))
	for i, e := range s {
		kv[i].k, kv[i].v = e.Name, e.Schema
	}
	return marshalOrdered(kv)
}

// Lookup returns the component schema of that name, or nil.
func (s Schemas) Lookup(name string) *Schema {
	for _, e := range s {
		if e.Name == name {
			return e.Schema
		}
	}
	return nil
}

// SecurityScheme is an API key scheme.
type SecurityScheme struct {
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	In          string `json:"in,omitempty"`
	Scheme      string `json:"scheme,omitempty"`
	Description string `json:"description,omitempty"`
}

// Schema is a JSON Schema 2020-12 schema, as OpenAPI 3.1 uses it. Type is
// a string or a []string; numbers are json.Number so that every digit of
// an XML Schema bound is kept.
type Schema struct {
	Ref              string      `json:"$ref,omitempty"`
	Title            string      `json:"title,omitempty"`
	Description      string      `json:"description,omitempty"`
	Type             any         `json:"type,omitempty"`
	Format           string      `json:"format,omitempty"`
	ContentEncoding  string      `json:"contentEncoding,omitempty"`
	Const            any         `json:"const,omitempty"`
	Enum             []any       `json:"enum,omitempty"`
	Pattern          string      `json:"pattern,omitempty"`
	MinLength        *int        `json:"minLength,omitempty"`
	MaxLength        *int        `json:"maxLength,omitempty"`
	Minimum          json.Number `json:"minimum,omitempty"`
	ExclusiveMinimum json.Number `json:"exclusiveMinimum,omitempty"`
	Maximum          json.Number `json:"maximum,omitempty"`
	ExclusiveMaximum json.Number `json:"exclusiveMaximum,omitempty"`
	Items            *Schema     `json:"items,omitempty"`
	MinItems         *int        `json:"minItems,omitempty"`
	MaxItems         *int        `json:"maxItems,omitempty"`
	Properties       Properties  `json:"properties,omitempty"`
	Required         []string    `json:"required,omitempty"`
	MaxProperties    *int        `json:"maxProperties,omitempty"`
	PropertyNames    *Schema     `json:"propertyNames,omitempty"`
	// AdditionalProperties is nil (any), a bool or a *Schema.
	AdditionalProperties any `json:"additionalProperties,omitempty"`
	// UnevaluatedProperties is nil (any) or false: no member that no
	// subschema (properties here, through $ref, allOf, oneOf and anyOf)
	// evaluated. Unlike additionalProperties, it sees through composition.
	UnevaluatedProperties any       `json:"unevaluatedProperties,omitempty"`
	AllOf                 []*Schema `json:"allOf,omitempty"`
	OneOf                 []*Schema `json:"oneOf,omitempty"`
	AnyOf                 []*Schema `json:"anyOf,omitempty"`
	Not                   *Schema   `json:"not,omitempty"`
	Default               any       `json:"default,omitempty"`
	// XSDType names the XML Schema type the schema was generated from.
	XSDType string `json:"x-xsd-type,omitempty"`
}

// Properties are an object's members, in order.
type Properties []Property

// Property is one member of an object schema.
type Property struct {
	Name   string
	Schema *Schema
}

// MarshalJSON writes the properties as an object, in order.
func (p Properties) MarshalJSON() ([]byte, error) {
	kv := make([]kv, len(p))
	for i, e := range p {
		kv[i].k, kv[i].v = e.Name, e.Schema
	}
	return marshalOrdered(kv)
}

// Get returns the schema of property name, or nil.
func (p Properties) Get(name string) *Schema {
	for _, e := range p {
		if e.Name == name {
			return e.Schema
		}
	}
	return nil
}

// Object is a JSON object with members in order, for examples.
type Object []Member

// Member is one member of an Object.
type Member struct {
	Name  string
	Value any
}

// MarshalJSON writes the object, in order.
func (o Object) MarshalJSON() ([]byte, error) {
	kv := make([]kv, len(o))
	for i, e := range o {
		kv[i].k, kv[i].v = e.Name, e.Value
	}
	return marshalOrdered(kv)
}

type kv = struct {
	k string
	v any
}

func marshalOrdered(kvs []kv) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range kvs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(e.k)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// JSON returns the document as indented JSON, ending in a newline.
func (d *Document) JSON() ([]byte, error) {
	data, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, data, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}
