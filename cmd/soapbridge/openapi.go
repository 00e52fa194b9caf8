package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/openapi"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// runOpenAPI prints the OpenAPI 3.1 document a gateway would serve for a
// WSDL, without a gateway: the service name defaults to the WSDL's first
// service, as registering it does.
func runOpenAPI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	service := fs.String("service", "", "the name the service is registered under (default: the WSDL's first service)")
	server := fs.String("server", "http://localhost:8080", "the gateway's base URL")
	asYAML := fs.Bool("yaml", false, "print YAML instead of JSON")
	offline := fs.Bool("offline", false, "never fetch remote imports")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"want exactly one WSDL (a file, a directory, a .zip bundle or an http(s) URL)"}
	}
	m, err := openWSDL(ctx, pos[0], fetch.Options{Remote: !*offline}, wsdl.Lenient)
	if err != nil {
		return err
	}
	name := *service
	if name == "" {
		if len(m.Services) > 0 {
			name = m.Services[0].Name
		} else {
			name = m.Name
		}
	}
	doc, err := openapi.Generate(m, openapi.Options{Service: name, ServerURL: *server})
	if err != nil {
		return usageError{err.Error()}
	}
	var out []byte
	if *asYAML {
		out, err = doc.YAML()
	} else {
		out, err = doc.JSON()
	}
	if err != nil {
		return fmt.Errorf("writing the document: %w", err)
	}
	_, err = stdout.Write(out)
	return err
}
