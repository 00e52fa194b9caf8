package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/soap"
	"github.com/soapbridge/soapbridge/internal/upstream"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// Exit statuses of call besides 0, 1 and 2 (usage).
const (
	exitValidation = 2
	exitFault      = 3
)

func runCall(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("call", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "", "call this URL instead of the port's address")
	portName := fs.String("port", "", "the port to call, where a service has several")
	version := fs.String("soap-version", "", "1.1 or 1.2: pick the port of that SOAP version")
	basic := fs.String("basic", "", "HTTP Basic credentials USER:PASS")
	dump := fs.Bool("dump", false, "print the SOAP request and response on stderr")
	timeout := fs.Duration("timeout", 60*time.Second, "time limit for the call")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 || len(pos) > 3 {
		return usageError{"want WSDL OPERATION [JSON|-]"}
	}
	var request []byte
	switch {
	case len(pos) == 2:
		request = []byte("{}")
	case pos[2] == "-":
		if request, err = io.ReadAll(os.Stdin); err != nil {
			return err
		}
	default:
		request = []byte(pos[2])
	}
	m, err := openWSDL(ctx, pos[0], fetch.Options{Remote: true}, wsdl.Lenient)
	if err != nil {
		return err
	}
	port, op, err := pickOperation(m, pos[1], *portName, *version)
	if err != nil {
		return usageError{err.Error()}
	}
	t := &upstream.Target{Codec: codec.New(m), Op: op, Version: port.SOAPVersion, Endpoint: port.Address}
	if *endpoint != "" {
		t.Endpoint = *endpoint
	}
	if t.Endpoint == "" {
		return usageError{fmt.Sprintf("port %s has no address; give --endpoint", port.Name)}
	}
	if *basic != "" {
		user, pass, ok := strings.Cut(*basic, ":")
		if !ok {
			return usageError{"--basic wants USER:PASS"}
		}
		t.Basic = &upstream.BasicAuth{User: user, Password: pass}
	}
	var x *upstream.Exchange
	if *dump {
		x = &upstream.Exchange{}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	var out bytes.Buffer
	err = upstream.NewClient(*timeout).Call(ctx, t, request, &out, x)
	if x != nil {
		fmt.Fprintf(stderr, "--- request to %s\n%s\n--- response HTTP %d\n%s\n", t.Endpoint, x.Request, x.Status, x.Response)
	}
	var ve *codec.ValidationError
	var f *soap.Fault
	switch {
	case errors.As(err, &ve):
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(map[string]any{"problems": ve.Problems})
		return exitError{exitValidation, err}
	case errors.As(err, &f):
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(f)
		return exitError{exitFault, err}
	case err != nil:
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out.Bytes(), "", "  ") == nil {
		pretty.WriteByte('\n')
		_, err = stdout.Write(pretty.Bytes())
		return err
	}
	_, err = stdout.Write(out.Bytes())
	return err
}

// pickOperation finds an operation by name on the chosen port: the named
// one, else the one of the asked SOAP version, else the first port that has
// the operation.
func pickOperation(m *wsdl.Model, opName, portName, version string) (*wsdl.Port, *wsdl.Operation, error) {
	var names []string
	for si := range m.Services {
		for pi := range m.Services[si].Ports {
			p := &m.Services[si].Ports[pi]
			if portName != "" && p.Name != portName {
				continue
			}
			if version != "" && string(p.SOAPVersion) != version {
				continue
			}
			b := &m.Bindings[p.Binding]
			for oi := range b.Operations {
				if b.Operations[oi].Name == opName {
					return p, &b.Operations[oi], nil
				}
				names = append(names, b.Operations[oi].Name)
			}
		}
	}
	if len(names) == 0 {
		return nil, nil, fmt.Errorf("no port matches --port %q --soap-version %q", portName, version)
	}
	return nil, nil, fmt.Errorf("no operation %q; the port offers %s", opName, strings.Join(dedupe(names), ", "))
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
