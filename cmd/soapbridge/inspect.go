package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/inspect"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

func runInspect(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the stable JSON form (docs/inspect.md)")
	strict := fs.Bool("strict", false, "treat dangling references as errors")
	offline := fs.Bool("offline", false, "never fetch remote imports")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"want exactly one WSDL (a file, a directory, a .zip bundle or an http(s) URL)"}
	}
	mode := wsdl.Lenient
	if *strict {
		mode = wsdl.Strict
	}
	remote := !*offline
	if u, err := url.Parse(pos[0]); err == nil && (u.Scheme == "http" || u.Scheme == "https") && *offline {
		return usageError{"--offline cannot read a WSDL from a URL"}
	}
	m, err := openWSDL(ctx, pos[0], fetch.Options{Remote: remote}, mode)
	if err != nil {
		return err
	}
	d := inspect.Describe(m)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(d)
	}
	return inspect.WriteText(stdout, d)
}

// openWSDL is wsdl.Open, saying what to do when a server wants
// credentials.
func openWSDL(ctx context.Context, input string, opts fetch.Options, mode wsdl.Mode) (*wsdl.Model, error) {
	m, err := wsdl.Open(ctx, input, opts, mode)
	if errors.Is(err, fetch.ErrUnauthorized) {
		err = fmt.Errorf("%w. Give HTTP Basic credentials in the URL (https://user:password@host/...), or download the WSDL and the documents it imports and give their folder or a zip", err)
	}
	return m, err
}
