package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/soapbridge/soapbridge/internal/gateway"
	"github.com/soapbridge/soapbridge/internal/store"
)

// multiFlag is a flag that may be repeated.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"want keys create|list|revoke"}
	}
	fs := flag.NewFlagSet("keys "+args[0], flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory")
	var name string
	var admin, asJSON bool
	var services multiFlag
	var expires string
	switch args[0] {
	case "create":
		fs.StringVar(&name, "name", "", "the key's name")
		fs.BoolVar(&admin, "admin", false, "give the key the admin scope")
		fs.Var(&services, "service", "a service the key may call (repeat; * for all)")
		fs.StringVar(&expires, "expires", "", "lifetime, such as 720h or 30d")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	case "revoke":
	default:
		return usageError{fmt.Sprintf("unknown keys command %q: want create, list or revoke", args[0])}
	}
	if err := envDefaults(fs); err != nil {
		return err
	}
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, dataPaths{*data}.db())
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()
	switch args[0] {
	case "create":
		if len(pos) != 0 || name == "" {
			return usageError{"keys create --name NAME [--admin] [--service NAME]... [--expires DURATION]"}
		}
		info, err := gateway.NewKey(ctx, st, gateway.KeyRequest{Name: name, Admin: admin, Services: services, ExpiresIn: expires}, now)
		if errors.Is(err, gateway.ErrInvalidKeyRequest) {
			return usageError{err.Error()}
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, info.Key)
		fmt.Fprintf(stderr, "created key %q (%s); it is shown only this once: store it now\n", info.Name, scopeText(info))
		return nil
	case "list":
		keys, err := gateway.ListKeys(ctx, st, now)
		if err != nil {
			return err
		}
		if asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(map[string]any{"keys": keys})
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSTATE\tSCOPE\tCREATED\tEXPIRES\tLAST USED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", k.Name, k.State, scopeText(k), day(&k.CreatedAt), day(k.ExpiresAt), day(k.LastUsed))
		}
		return tw.Flush()
	default: // revoke
		if len(pos) != 1 {
			return usageError{"keys revoke NAME"}
		}
		if err := st.RevokeKey(ctx, pos[0], now); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no active key is named %q", pos[0])
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "revoked key %q\n", pos[0])
		return nil
	}
}

func scopeText(k gateway.KeyInfo) string {
	if k.Admin {
		return "admin"
	}
	return "services: " + strings.Join(k.Services, ",")
}

func day(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}
