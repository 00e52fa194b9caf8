// Command soapbridge is the SOAP-to-REST gateway and its tools.
//
//	soapbridge inspect WSDL [--json] [--strict] [--offline]
//	soapbridge call WSDL OPERATION [JSON|-] [flags]
//	soapbridge serve [--addr :8080] [--data ./data]
//	soapbridge services add|list|reimport|remove [flags]
//	soapbridge keys create|list|revoke [flags]
//	soapbridge rotate-key [--data DIR]
//	soapbridge diagnose SERVICE [--json]
//
// Run "soapbridge help" for the list of commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// command is one subcommand.
type command struct {
	name, usage, summary string
	run                  func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"inspect", "inspect WSDL [--json] [--strict] [--offline]", "compile a WSDL and show its services, ports and operations", runInspect},
		{"openapi", "openapi WSDL [--service NAME] [--server URL] [--yaml] [--offline]", "print the OpenAPI 3.1 document of a WSDL's JSON API", runOpenAPI},
		{"call", "call WSDL OPERATION [JSON|-] [--endpoint URL] [--port NAME] [--soap-version 1.1|1.2] [--basic USER:PASS] [--dump]", "call an operation with JSON and print the JSON result", runCall},
		{"serve", "serve [--addr :8080] [--data ./data] [--log-format text|json] [--tls-cert FILE --tls-key FILE] [--public-url URL]", "run the gateway (every flag also from SOAPBRIDGE_<FLAG>)", runServe},
		{"services", "services add WSDL [--name NAME] [--auth FILE] | services list | services reimport NAME [WSDL] | services remove NAME  [--server URL] [--admin-key KEY] [--json]", "register and manage the services of a running gateway (a WSDL file, folder, zip or URL)", runServices},
		{"keys", "keys create --name NAME [--admin] [--service NAME]... [--expires DURATION] | keys list [--json] | keys revoke NAME  [--data DIR]", "manage API keys", runKeys},
		{"rotate-key", "rotate-key [--data DIR]", "re-encrypt stored credentials under a new master key", runRotateKey},
		{"diagnose", "diagnose SERVICE [--port NAME] [--json] [--data DIR]", "check a registered service's endpoint: DNS, TCP, TLS, auth, SOAP version, policy, clock", runDiagnose},
	}
}

// usageError is an error in how a command was called; it exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		if err == nil {
			return 0
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "soapbridge %s: %s\n", c.name, paragraph(err.Error()))
		var ee exitError
		if errors.As(err, &ee) {
			return ee.code
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "usage: soapbridge %s\n", c.usage)
			return 2
		}
		return 1
	}
	fmt.Fprintf(stderr, "soapbridge: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "soapbridge: a SOAP-to-REST gateway\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-50s %s\n", c.usage, c.summary)
	}
}

// paragraph folds an error onto one paragraph: newlines become "; ".
func paragraph(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ; ")), " ")
}

// parseArgs parses flags that may come before or after positional
// arguments, returning the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
