// Package openapi generates the OpenAPI 3.1 document of a registered
// service: one POST path per operation, with request and response schemas
// derived from the XML Schema exactly as the codec maps values to JSON
// (docs/mapping.md), the problem+json error answers of the gateway
// (docs/problems.md), the X-API-Key security scheme and an example per
// operation. It also writes a document as YAML and renders it as a
// self-contained HTML page.
//
// It owns the mapping from XML Schema to JSON Schema (docs/openapi.md);
// it knows nothing of HTTP serving. The document of a model is a pure
// function of the model and the Options.
package openapi
