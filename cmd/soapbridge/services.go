package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/gateway"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// runServices registers, lists, re-imports and removes the services of a
// running gateway through its admin API.
func runServices(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"want services add|list|reimport|remove"}
	}
	fs := flag.NewFlagSet("services "+args[0], flag.ContinueOnError)
	server := fs.String("server", "http://localhost:8080", "the gateway's URL")
	key := fs.String("admin-key", "", "an admin API key")
	var name, authFile string
	var asJSON bool
	want := 1 // positional arguments
	switch args[0] {
	case "add":
		fs.StringVar(&name, "name", "", "the service's name (default: the WSDL's first service)")
		fs.StringVar(&authFile, "auth", "", "a JSON file with the service's upstream auth (the body of PUT .../auth), also used to fetch a WSDL URL")
		fs.BoolVar(&asJSON, "json", false, "print the service summary as JSON")
	case "reimport":
		fs.BoolVar(&asJSON, "json", false, "print the service summary as JSON")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		want = 0
	case "remove":
	default:
		return usageError{fmt.Sprintf("unknown services command %q: want add, list, reimport or remove", args[0])}
	}
	if err := envDefaults(fs); err != nil {
		return err
	}
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != want && !(args[0] == "reimport" && len(pos) == 2) {
		return usageError{fmt.Sprintf("services %s: wrong number of arguments", args[0])}
	}
	if *key == "" {
		return usageError{"give an admin API key: --admin-key or SOAPBRIDGE_ADMIN_KEY (a new gateway writes its first one to DATA/admin.key)"}
	}
	c := &adminClient{server: strings.TrimRight(*server, "/"), key: *key, http: &http.Client{Timeout: 3 * time.Minute}}
	switch args[0] {
	case "add":
		body, ct, err := registration(ctx, name, pos[0])
		if err != nil {
			return err
		}
		if authFile != "" {
			if ct != "application/json" {
				return usageError{"--auth goes with a WSDL URL; set the auth of an uploaded WSDL with the dashboard or PUT /v1/admin/services/NAME/auth"}
			}
			if body, err = withAuth(body, authFile); err != nil {
				return err
			}
		}
		var sum gateway.ServiceSummary
		if err := c.do(ctx, http.MethodPost, "/v1/admin/services", ct, body, &sum); err != nil {
			return err
		}
		return printSummary(stdout, &sum, asJSON, "registered")
	case "reimport":
		var body io.Reader
		ct := ""
		if len(pos) == 2 {
			if body, ct, err = registration(ctx, "", pos[1]); err != nil {
				return err
			}
		}
		var sum gateway.ServiceSummary
		if err := c.do(ctx, http.MethodPut, "/v1/admin/services/"+url.PathEscape(pos[0]), ct, body, &sum); err != nil {
			return err
		}
		return printSummary(stdout, &sum, asJSON, "re-imported")
	case "list":
		var list struct {
			Services []json.RawMessage `json:"services"`
		}
		if err := c.do(ctx, http.MethodGet, "/v1/admin/services", "", nil, &list); err != nil {
			return err
		}
		if asJSON {
			return json.NewEncoder(stdout).Encode(list)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tSOAP\tOPERATIONS\tENDPOINT\tSOURCE")
		for _, raw := range list.Services {
			var s gateway.ServiceSummary
			if err := json.Unmarshal(raw, &s); err != nil {
				return err
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", s.Name, strings.Join(s.SOAPVersions, ","), len(s.Operations), s.Endpoint, source(&s))
		}
		return tw.Flush()
	default: // remove
		if err := c.do(ctx, http.MethodDelete, "/v1/admin/services/"+url.PathEscape(pos[0]), "", nil, nil); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed %s\n", pos[0])
		return nil
	}
}

// registration is the body registering wsdl: a URL as JSON, or a local
// WSDL (a file, a directory or a zip bundle) as an upload of the documents
// it is made of.
func registration(ctx context.Context, name, wsdlPath string) (io.Reader, string, error) {
	if u, err := url.Parse(wsdlPath); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		body, err := json.Marshal(map[string]string{"name": name, "wsdl_url": wsdlPath})
		return bytes.NewReader(body), "application/json", err
	}
	bundle, entry, err := localBundle(ctx, wsdlPath)
	if err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	if name != "" {
		mw.WriteField("name", name)
	}
	if entry != "" {
		mw.WriteField("entry", entry)
	}
	w, err := mw.CreateFormFile("files", "upload.zip")
	if err != nil {
		return nil, "", err
	}
	w.Write(bundle)
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return &b, mw.FormDataContentType(), nil
}

// withAuth adds the auth in the JSON file path to a URL registration.
func withAuth(body io.Reader, path string) (io.Reader, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var reg map[string]any
	if err := json.NewDecoder(body).Decode(&reg); err != nil {
		return nil, err
	}
	var auth map[string]any
	if err := json.Unmarshal(data, &auth); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	reg["auth"] = auth
	b, err := json.Marshal(reg)
	return bytes.NewReader(b), err
}

// localBundle is the zip to upload for the local WSDL at p (a zip is sent
// as it is) and the name of its entry in it: the documents are zipped
// because an upload's file parts lose their folders.
func localBundle(ctx context.Context, p string) ([]byte, string, error) {
	if strings.EqualFold(filepath.Ext(p), ".zip") {
		data, err := os.ReadFile(p)
		return data, "", err
	}
	files, err := localDocuments(ctx, p)
	if err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, f := range files {
		data, err := os.ReadFile(f.path)
		if err != nil {
			return nil, "", err
		}
		w, err := zw.Create(f.name)
		if err != nil {
			return nil, "", err
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), files[0].name, nil
}

// localFile is a document to upload: where it is and its name in the
// upload.
type localFile struct{ path, name string }

// localDocuments lists the local documents of the WSDL at p (a file or a
// folder), the entry first, named by their paths relative to the folder
// that holds them all. The WSDL is compiled here first, reading remote
// imports too: what does not compile is said before anything is sent, and
// only the documents the WSDL uses are uploaded.
func localDocuments(ctx context.Context, p string) ([]localFile, error) {
	l, entry, err := fetch.Open(p, fetch.Options{Remote: true})
	if err != nil {
		return nil, err
	}
	if _, err := wsdl.Compile(ctx, l, entry, wsdl.Lenient); err != nil {
		return nil, err
	}
	var paths []string
	for _, uri := range l.Documents() {
		if u, err := url.Parse(uri); err == nil && u.Scheme == "file" {
			paths = append(paths, filepath.FromSlash(u.Path))
		}
	}
	root := filepath.Dir(paths[0]) // the entry's folder, or one above it
	for _, q := range paths[1:] {
		for !within(root, q) {
			root = filepath.Dir(root)
		}
	}
	var files []localFile
	for _, q := range paths {
		rel, err := filepath.Rel(root, q)
		if err != nil {
			return nil, err
		}
		files = append(files, localFile{q, filepath.ToSlash(rel)})
	}
	return files, nil
}

// within reports whether path is inside the folder dir.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func source(s *gateway.ServiceSummary) string {
	if s.WSDLURL != "" {
		if s.WSDLCredentials {
			return s.WSDLURL + " (with stored credentials)"
		}
		return s.WSDLURL
	}
	return "upload: " + strings.Join(s.Files, ", ")
}

func printSummary(w io.Writer, s *gateway.ServiceSummary, asJSON bool, done string) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	fmt.Fprintf(w, "%s %s: %d operations, SOAP %s, endpoint %s\n", done, s.Name, len(s.Operations), strings.Join(s.SOAPVersions, " and "), s.Endpoint)
	fmt.Fprintf(w, "source: %s\n", source(s))
	fmt.Fprintf(w, "call it: POST /v1/services/%s/{operation}\n", s.Name)
	for _, warn := range s.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	return nil
}

// adminClient calls a gateway's admin API.
type adminClient struct {
	server, key string
	http        *http.Client
}

// do sends a request and decodes a 2xx answer into out (when not nil); an
// error answer becomes an error carrying its problem's title and detail.
func (c *adminClient) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", c.key)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("the gateway at %s: %w", c.server, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		var p struct{ Title, Detail string }
		if json.Unmarshal(data, &p) != nil || p.Title == "" {
			return fmt.Errorf("the gateway answered HTTP %s", res.Status)
		}
		return fmt.Errorf("HTTP %d %s: %s", res.StatusCode, p.Title, p.Detail)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	return json.Unmarshal(data, out)
}
