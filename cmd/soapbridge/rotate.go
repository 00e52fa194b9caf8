package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/soapbridge/soapbridge/internal/gateway"
	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/store"
)

// runRotateKey re-encrypts every stored credential under a new master key.
// With a key file it makes the new key, writes it first in the file (the
// old ones stay, for opening, while values are re-encrypted), re-encrypts,
// and then drops the old keys. With SOAPBRIDGE_MASTER_KEY the operator
// puts the new key first in the variable and runs rotate-key to
// re-encrypt; the older keys can then be removed from it. A running
// gateway keeps serving throughout: it notices the new key file itself.
func runRotateKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rotate-key", flag.ContinueOnError)
	data := fs.String("data", "./data", "data directory")
	if err := envDefaults(fs); err != nil {
		return err
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{"rotate-key takes no arguments"}
	}
	paths := dataPaths{*data}
	src := paths.keys()
	st, err := store.Open(ctx, paths.db())
	if err != nil {
		return err
	}
	defer st.Close()
	if !src.FromEnv() {
		if _, err := src.Load(); err != nil { // creates the file on a fresh data directory
			return err
		}
		texts, err := src.Texts()
		if err != nil {
			return err
		}
		if err := src.Write(append([]string{secret.GenerateKey()}, texts...)); err != nil {
			return err
		}
	}
	ring, err := src.Load()
	if err != nil {
		return err
	}
	cur := ring.Current().ID
	total := 0
	// Two passes: the second catches values a running gateway sealed
	// under the old key while the first ran.
	for range 2 {
		n, err := gateway.Reseal(ctx, st, ring)
		total += n
		if err != nil {
			return fmt.Errorf("re-encrypting: %w (%d values done; run rotate-key again)", err, total)
		}
	}
	inUse, err := st.KeyIDsInUse(ctx)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(inUse, func(id string) bool { return id != cur }) {
		return fmt.Errorf("values sealed under other keys remain (%v); run rotate-key again", inUse)
	}
	if src.FromEnv() {
		fmt.Fprintf(stdout, "re-encrypted %d values under master key %s (the first of %s)\n", total, cur, secret.EnvVar)
		if len(ring.IDs()) > 1 {
			fmt.Fprintf(stdout, "no value uses the other keys any more: remove them from %s\n", secret.EnvVar)
		} else if total == 0 {
			fmt.Fprintf(stdout, "to rotate, put a new key first: %s=NEW,OLD (make one with: head -c 32 /dev/urandom | base64), then run rotate-key again\n", secret.EnvVar)
		}
		return nil
	}
	texts, err := src.Texts()
	if err != nil {
		return err
	}
	if err := src.Write(texts[:1]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rotated the master key to %s: %d values re-encrypted; the old key is gone from %s\n", cur, total, src.File)
	return nil
}
