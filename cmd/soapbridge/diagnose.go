package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/soapbridge/soapbridge/internal/diagnose"
	"github.com/soapbridge/soapbridge/internal/gateway"
	"github.com/soapbridge/soapbridge/internal/store"
)

// runDiagnose checks a registered service's endpoint with its configured
// auth. It exits 1 when a check finds an error (the report is printed all
// the same).
func runDiagnose(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diagnose", flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory")
	port := fs.String("port", "", "the port to check (default: the first)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := envDefaults(fs); err != nil {
		return err
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"want diagnose SERVICE"}
	}
	paths := dataPaths{*data}
	st, err := store.Open(ctx, paths.db())
	if err != nil {
		return err
	}
	defer st.Close()
	g, err := gateway.New(ctx, gateway.Config{Store: st, Keys: paths.keys(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer g.Close()
	rep, err := g.Diagnose(ctx, pos[0], *port)
	if errors.Is(err, gateway.ErrUnknownService) {
		return fmt.Errorf("no service %q is registered in %s", pos[0], *data)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		writeReport(stdout, rep)
	}
	if rep.Worst() == diagnose.Error {
		return exitError{1, errors.New("the diagnosis found errors")}
	}
	return nil
}

func writeReport(w io.Writer, rep *gateway.DiagnoseReport) {
	fmt.Fprintf(w, "diagnose %s: port %s, SOAP %s, auth %s\n  endpoint %s\n\n", rep.Service, rep.Port, rep.SOAPVersion, rep.Auth, rep.Endpoint)
	for _, f := range rep.Findings {
		fmt.Fprintf(w, "  %-8s %-13s %s\n", f.Severity, f.Check, f.Summary)
		for _, e := range f.Evidence {
			fmt.Fprintf(w, "  %-8s %-13s   %s\n", "", "", e)
		}
		if f.Fix != "" && f.Severity != diagnose.OK {
			fmt.Fprintf(w, "  %-8s %-13s fix: %s\n", "", "", f.Fix)
		}
	}
	counts := map[diagnose.Severity]int{}
	for _, f := range rep.Findings {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []diagnose.Severity{diagnose.Error, diagnose.Warning, diagnose.OK} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	fmt.Fprintf(w, "\n%s\n", strings.Join(parts, ", "))
}
