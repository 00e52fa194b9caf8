package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/gateway"
	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/store"
	"github.com/soapbridge/soapbridge/internal/web"
)

// envDefaults lets every flag of fs come from SOAPBRIDGE_<FLAG> too (dashes
// become underscores); a flag on the command line wins.
func envDefaults(fs *flag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "SOAPBRIDGE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && err == nil {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = usageError{fmt.Sprintf("%s=%q: %v", name, v, serr)}
			}
		}
	})
	return err
}

// dataPaths are the files of a data directory.
type dataPaths struct{ dir string }

func (d dataPaths) db() string       { return filepath.Join(d.dir, "soapbridge.db") }
func (d dataPaths) adminKey() string { return filepath.Join(d.dir, "admin.key") }
func (d dataPaths) keys() secret.Source {
	return secret.Source{Env: os.Getenv(secret.EnvVar), File: filepath.Join(d.dir, "master.key")}
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", ":8080", "address to listen on")
	data := fs.String("data", "./data", "data directory: the SQLite store and the master key")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	maxRequest := fs.Int64("max-request-bytes", 10<<20, "largest request body")
	maxResponse := fs.Int64("max-response-bytes", 256<<20, "largest upstream response")
	tlsCert := fs.String("tls-cert", "", "serve HTTPS with this certificate (PEM)")
	tlsKey := fs.String("tls-key", "", "the private key of --tls-cert (PEM)")
	publicURL := fs.String("public-url", "", "the base URL clients and browsers reach soapbridge by, such as https://api.example.com behind a proxy: the server of the OpenAPI documents, and Secure session cookies when https (default: from each request)")
	if err := envDefaults(fs); err != nil {
		return err
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageError{"serve takes no arguments"}
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return usageError{"give both --tls-cert and --tls-key"}
	}
	if *publicURL != "" {
		u, err := url.Parse(*publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return usageError{fmt.Sprintf("--public-url %q: want an absolute http(s) URL such as https://api.example.com", *publicURL)}
		}
	}
	// The gateway's live heap is small (a few MB) while every call
	// allocates, so Go's default GOGC=100 collects many times a second:
	// 400 trades a few MB for about a third more calls per second
	// (scripts/load.sh). GOGC in the environment wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	var h slog.Handler
	switch *logFormat {
	case "text":
		h = slog.NewTextHandler(stderr, nil)
	case "json":
		h = slog.NewJSONHandler(stderr, nil)
	default:
		return usageError{fmt.Sprintf("--log-format %q: want text or json", *logFormat)}
	}
	log := slog.New(h)
	paths := dataPaths{*data}
	st, err := store.Open(ctx, paths.db())
	if err != nil {
		return err
	}
	defer st.Close()
	g, err := gateway.New(ctx, gateway.Config{
		Store: st, Keys: paths.keys(), Logger: log, MaxRequest: *maxRequest, MaxResponse: *maxResponse,
		PublicURL: *publicURL,
	})
	if err != nil {
		return err
	}
	defer g.Close()
	if err := bootstrapAdmin(ctx, st, paths, log); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// The API under /v1/ and /healthz; the dashboard (internal/web) at "/",
	// forwarding its calls to the API in process.
	api := g.Handler()
	mux := http.NewServeMux()
	mux.Handle("/v1/", api)
	mux.Handle("/healthz", api)
	mux.Handle("/", web.New(api, web.Options{Logger: log, PublicURL: *publicURL}))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(h, slog.LevelWarn),
	}
	scheme := "http"
	if *tlsCert != "" {
		scheme = "https"
	}
	log.Info("listening", "url", fmt.Sprintf("%s://%s", scheme, ln.Addr()), "data", *data)
	errc := make(chan error, 1)
	go func() {
		if *tlsCert != "" {
			errc <- srv.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// bootstrapAdmin makes the first admin key when there is none, so a fresh
// gateway is usable but never open: the key goes to DATA/admin.key (mode
// 0600), never to the log.
func bootstrapAdmin(ctx context.Context, st *store.Store, paths dataPaths, log *slog.Logger) error {
	ok, err := st.HasAdminKey(ctx, time.Now())
	if err != nil || ok {
		return err
	}
	name := "admin"
	for i := 2; ; i++ {
		info, err := gateway.NewKey(ctx, st, gateway.KeyRequest{Name: name, Admin: true}, time.Now())
		if errors.Is(err, store.ErrExists) {
			name = fmt.Sprintf("admin-%d", i)
			continue
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(paths.adminKey(), []byte(info.Key+"\n"), 0o600); err != nil {
			return fmt.Errorf("writing the first admin key: %w", err)
		}
		log.Warn("no admin API key existed: created one; read it from the file, then delete the file",
			"name", name, "file", paths.adminKey())
		return nil
	}
}
