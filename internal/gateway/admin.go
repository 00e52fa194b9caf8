package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/fetch"
	"github.com/soapbridge/soapbridge/internal/inspect"
	"github.com/soapbridge/soapbridge/internal/secret"
	"github.com/soapbridge/soapbridge/internal/store"
)

// compileTimeout bounds registering a WSDL, fetches included.
const compileTimeout = 2 * time.Minute

// uploadTimeout bounds the time an upload's body takes to arrive.
const uploadTimeout = 10 * time.Minute

// registration is a parsed POST or PUT of a service.
type registration struct {
	name string
	src  source
	// files names the uploaded documents.
	files []string
	// auth, given with a wsdl_url, is the service's upstream auth, also
	// used to fetch the WSDL.
	auth *AuthInput
}

// readRegistration reads a JSON body {"name", "wsdl_url"} or a multipart
// upload: a "name" field and one WSDL, several documents (the WSDL among
// them, or named by an "entry" field) or one zip bundle. An empty body is
// allowed when allowEmpty (re-import from the stored source).
func (g *Gateway) readRegistration(w http.ResponseWriter, r *http.Request, allowEmpty bool) (*registration, *Problem) {
	r.Body = http.MaxBytesReader(w, r.Body, g.cfg.Fetch.MaxTotalSize+1<<20)
	// An upload may be large: it gets longer than the default body time.
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTimeout))
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "multipart/form-data":
		return g.readUpload(r, params["boundary"])
	case isJSON(ct) || ct == "":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, bodyProblem(err)
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			if allowEmpty {
				return &registration{}, nil
			}
			return nil, problem(http.StatusBadRequest, "invalid-request", "Bad Request", `send {"name": "...", "wsdl_url": "..."} or a multipart upload of the WSDL`)
		}
		if ct == "" {
			return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported Media Type", "send application/json or multipart/form-data")
		}
		var in struct {
			Name    string     `json:"name"`
			WSDLURL string     `json:"wsdl_url"`
			Auth    *AuthInput `json:"auth"`
		}
		if p := decodeStrict(body, &in); p != nil {
			return nil, p
		}
		if in.WSDLURL == "" {
			return nil, invalid("/wsdl_url", "required: the URL of the WSDL")
		}
		if p := checkWSDLURL(in.WSDLURL); p != nil {
			return nil, p
		}
		if in.Auth != nil && in.Name == "" {
			return nil, invalid("/name", "required with auth: the name the credentials are sealed for")
		}
		return &registration{name: in.Name, src: urlSource(in.WSDLURL), auth: in.Auth}, nil
	}
	return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported Media Type", "send application/json or multipart/form-data")
}

func (g *Gateway) readUpload(r *http.Request, boundary string) (*registration, *Problem) {
	if boundary == "" {
		return nil, problem(http.StatusBadRequest, "invalid-request", "Bad Request", "multipart body without a boundary")
	}
	reg := &registration{}
	files := map[string][]byte{}
	var entry string
	mr := multipart.NewReader(r.Body, boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, bodyProblem(err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, bodyProblem(err)
		}
		switch name := part.FormName(); {
		case part.FileName() != "":
			fn := path.Clean(strings.TrimPrefix(strings.ReplaceAll(part.FileName(), `\`, "/"), "/"))
			if fn == "." || strings.HasPrefix(fn, "../") {
				return nil, invalid("/"+name, fmt.Sprintf("file name %q is not a relative path", part.FileName()))
			}
			if _, dup := files[fn]; dup {
				return nil, invalid("/"+name, fmt.Sprintf("file %q uploaded twice", fn))
			}
			if max := g.cfg.Fetch.WithDefaults().MaxDocuments; len(files) >= max {
				return nil, invalid("/"+name, fmt.Sprintf("more than %d files uploaded", max))
			}
			files[fn] = data
		case name == "name":
			reg.name = strings.TrimSpace(string(data))
		case name == "entry":
			entry = strings.TrimSpace(string(data))
		case name == "wsdl_url":
			reg.src.url = strings.TrimSpace(string(data))
		default:
			return nil, invalid("/"+name, "unknown form field; send name, entry, wsdl_url and files")
		}
	}
	switch {
	case len(files) == 0 && reg.src.url != "":
		if p := checkWSDLURL(reg.src.url); p != nil {
			return nil, p
		}
		reg.src = urlSource(reg.src.url)
		return reg, nil
	case len(files) == 0:
		return nil, invalid("", "upload the WSDL (and its imports, or one zip bundle)")
	case reg.src.url != "":
		return nil, invalid("/wsdl_url", "give either wsdl_url or files, not both")
	}
	for n := range files {
		reg.files = append(reg.files, n)
	}
	sort.Strings(reg.files)
	if len(files) == 1 && strings.EqualFold(path.Ext(reg.files[0]), ".zip") {
		reg.src = source{bundle: files[reg.files[0]], entry: entry}
		names, err := zipNames(reg.src.bundle, g.cfg.Fetch)
		if err != nil {
			return nil, problem(http.StatusUnprocessableEntity, "wsdl-invalid", "WSDL Not Usable", err.Error())
		}
		reg.files = names
		return reg, nil
	}
	bundle, err := zipFiles(files)
	if err != nil {
		return nil, problem(http.StatusInternalServerError, "internal", "Internal Server Error", "bundling the upload failed")
	}
	if entry == "" {
		// One file: it is the entry whatever its extension.
		if len(files) == 1 {
			entry = reg.files[0]
		}
	}
	reg.src = source{bundle: bundle, entry: entry}
	return reg, nil
}

// checkWSDLURL checks a wsdl_url: an absolute http(s) URL, which may hold
// credentials (user:password@, sealed apart from it: see urlSource).
// Anything else would have soapbridge read its own files (a path,
// file://).
func checkWSDLURL(s string) *Problem {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid("/wsdl_url", "must be an absolute http(s) URL; upload files with multipart/form-data")
	}
	return nil
}

// compileRegistration compiles what was registered into a service record.
func (g *Gateway) compileRegistration(ctx context.Context, reg *registration) (*store.Service, *Problem) {
	ctx, cancel := context.WithTimeout(ctx, compileTimeout)
	defer cancel()
	select {
	case g.compiling <- struct{}{}:
		defer func() { <-g.compiling }()
	case <-ctx.Done():
		return nil, problem(http.StatusUnprocessableEntity, "wsdl-invalid", "WSDL Not Usable",
			fmt.Sprintf("registrations compile one at a time, and others kept this one waiting past %v; try again", compileTimeout))
	}
	m, err := compile(ctx, reg.src, g.cfg.Fetch)
	if err != nil {
		detail := err.Error()
		if errors.Is(err, fetch.ErrUnauthorized) {
			detail += ". Give the service's auth with the registration (\"auth\": the body of PUT .../auth, for NTLM, Kerberos, Basic or a client certificate), or for HTTP Basic the user and password in wsdl_url (https://user:password@host/...); both are stored encrypted, never shown. Or download the WSDL and the documents it imports, and upload them (multipart/form-data files or a zip)"
		}
		return nil, problem(http.StatusUnprocessableEntity, "wsdl-invalid", "WSDL Not Usable", detail)
	}
	if reg.name == "" {
		switch {
		case len(m.Services) > 0:
			reg.name = m.Services[0].Name
		default:
			reg.name = m.Name
		}
	}
	if !validName(reg.name) {
		return nil, invalid("/name", fmt.Sprintf("%q is not a service name: use 1-64 letters, digits, '.', '_' or '-'", reg.name))
	}
	if len(m.Services) == 0 {
		return nil, problem(http.StatusUnprocessableEntity, "wsdl-invalid", "WSDL Not Usable", "the WSDL has no SOAP service to call"+unsupportedNote(m.Unsupported))
	}
	data, err := m.MarshalBinary()
	if err != nil {
		return nil, problem(http.StatusInternalServerError, "internal", "Internal Server Error", err.Error())
	}
	if reg.src.creds != nil && strings.HasPrefix(reg.src.url, "http:") {
		g.log.Warn("the credentials of the WSDL URL went to its server in the clear (http, not https)", "service", reg.name, "url", reg.src.url)
	}
	sealed, err := g.sealSourceCredentials(reg.name, reg.src.creds)
	if err != nil {
		return nil, problem(http.StatusInternalServerError, "internal", "Internal Server Error", "sealing the credentials of the WSDL URL failed: "+err.Error())
	}
	now := g.cfg.Now().UTC()
	rec := &store.Service{Name: reg.name, SourceURL: reg.src.url, SourceCredentials: sealed, Bundle: reg.src.bundle, Model: data, Created: now, Updated: now}
	if reg.src.bundle != nil {
		rec.Entry = reg.src.entry
		if rec.Entry == "" && len(m.Documents) > 0 {
			rec.Entry = strings.TrimPrefix(m.Documents[0], "bundle:///")
		}
	}
	return rec, nil
}

func unsupportedNote(u []string) string {
	if len(u) == 0 {
		return ""
	}
	return " (not SOAP: " + strings.Join(u, "; ") + ")"
}

func (g *Gateway) createService(w http.ResponseWriter, r *http.Request) {
	reg, p := g.readRegistration(w, r, false)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	if reg.name != "" && !validName(reg.name) {
		writeProblem(w, r, invalid("/name", fmt.Sprintf("%q is not a service name: use 1-64 letters, digits, '.', '_' or '-'", reg.name)))
		return
	}
	if reg.name != "" && g.service(reg.name) != nil {
		writeProblem(w, r, problem(http.StatusConflict, "conflict", "Conflict", fmt.Sprintf("service %q exists; PUT /v1/admin/services/%s re-imports it", reg.name, reg.name)))
		return
	}
	auth, _ := openAuth(reg.name, nil, nil, nil)
	var authRaw []byte
	var authSealed map[string]secret.Sealed
	registered := false
	if reg.auth != nil {
		if authRaw, authSealed, p = g.sealAuth(reg.name, reg.auth, nil, true); p != nil {
			writeProblem(w, r, p)
			return
		}
		var err error
		if auth, err = g.openAuth(reg.name, authRaw, authSealed); err != nil {
			writeProblem(w, r, invalid("/auth", err.Error()))
			return
		}
		defer func() {
			if !registered {
				auth.close()
			}
		}()
		reg.src.clientFor = g.fetchWith(auth, fetchOrigins(auth, reg.src.url, nil))
	}
	rec, p := g.compileRegistration(r.Context(), reg)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	s, _, err := newService(r.Context(), rec, reg.src, auth, g.cfg.Fetch)
	if err != nil {
		writeProblem(w, r, problem(http.StatusUnprocessableEntity, "wsdl-invalid", "WSDL Not Usable", err.Error()))
		return
	}
	if err := g.store.CreateService(r.Context(), rec); errors.Is(err, store.ErrExists) {
		writeProblem(w, r, problem(http.StatusConflict, "conflict", "Conflict", fmt.Sprintf("service %q exists; PUT /v1/admin/services/%s re-imports it", rec.Name, rec.Name)))
		return
	} else if err != nil {
		writeProblem(w, r, storeProblem(g, err))
		return
	}
	if reg.auth != nil {
		if err := g.store.SetAuth(r.Context(), rec.Name, authRaw, authSealed); err != nil {
			g.store.DeleteService(r.Context(), rec.Name)
			writeProblem(w, r, storeProblem(g, err))
			return
		}
	}
	g.setService(s)
	registered = true
	g.log.Info("service registered", "service", s.name, "operations", len(s.operationNames()), "source", sourceName(rec))
	w.Header().Set("Location", "/v1/admin/services/"+s.name)
	writeJSON(w, http.StatusCreated, s.summary(true))
}

func sourceName(rec *store.Service) string {
	if rec.SourceURL != "" {
		return redactURL(rec.SourceURL)
	}
	return "upload:" + rec.Entry
}

func (g *Gateway) reimportService(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("service")
	if g.service(name) == nil && g.unloadedService(name) == "" {
		writeProblem(w, r, unknownService(name))
		return
	}
	reg, p := g.readRegistration(w, r, true)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	if reg.name != "" && reg.name != name {
		writeProblem(w, r, invalid("/name", "a re-import keeps the service's name"))
		return
	}
	if reg.auth != nil {
		writeProblem(w, r, invalid("/auth", fmt.Sprintf("a re-import keeps the auth; change it with PUT /v1/admin/services/%s/auth", name)))
		return
	}
	reg.name = name
	if reg.src.url == "" && reg.src.bundle == nil {
		old, err := g.store.Service(r.Context(), name)
		if err != nil {
			writeProblem(w, r, storeProblem(g, err))
			return
		}
		if reg.src, err = g.sourceOf(old); err != nil {
			writeProblem(w, r, storeProblem(g, err))
			return
		}
	}
	if cur := g.service(name); cur != nil {
		reg.src.clientFor = g.fetchWith(cur.auth, fetchOrigins(cur.auth, cur.sourceURL, cur.model))
	}
	rec, p := g.compileRegistration(r.Context(), reg)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	if err := g.store.ReplaceSource(r.Context(), rec); err != nil {
		writeProblem(w, r, storeProblem(g, err))
		return
	}
	full, err := g.store.Service(r.Context(), name)
	if err == nil {
		var s *service
		if s, err = g.load(r.Context(), full); err == nil {
			g.setService(s)
			g.log.Info("service re-imported", "service", name, "operations", len(s.operationNames()))
			writeJSON(w, http.StatusOK, s.summary(true))
			return
		}
	}
	writeProblem(w, r, storeProblem(g, err))
}

func (g *Gateway) listServices(w http.ResponseWriter, r *http.Request) {
	out := []*ServiceSummary{}
	for _, s := range g.sortedServices() {
		out = append(out, s.summary(true))
	}
	writeJSON(w, http.StatusOK, map[string]any{"services": out})
}

func (g *Gateway) sortedServices() []*service {
	g.mu.RLock()
	out := make([]*service, 0, len(g.services))
	for _, s := range g.services {
		out = append(out, s)
	}
	g.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (g *Gateway) getService(w http.ResponseWriter, r *http.Request) {
	s := g.service(r.PathValue("service"))
	if s == nil {
		writeProblem(w, r, g.missing(r.PathValue("service")))
		return
	}
	writeJSON(w, http.StatusOK, s.summary(true))
}

// describeService answers the full description of a service's model: every
// port and operation with its message shapes as typed field trees (the
// stable JSON of soapbridge inspect --json, docs/inspect.md).
func (g *Gateway) describeService(w http.ResponseWriter, r *http.Request) {
	s := g.service(r.PathValue("service"))
	if s == nil {
		writeProblem(w, r, g.missing(r.PathValue("service")))
		return
	}
	writeJSON(w, http.StatusOK, inspect.Describe(s.model))
}

func (g *Gateway) deleteService(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("service")
	if err := g.store.DeleteService(r.Context(), name); errors.Is(err, store.ErrNotFound) {
		writeProblem(w, r, g.missing(name))
		return
	} else if err != nil {
		writeProblem(w, r, storeProblem(g, err))
		return
	}
	g.mu.Lock()
	if s := g.services[name]; s != nil {
		s.auth.close()
	}
	delete(g.services, name)
	delete(g.unloaded, name)
	g.mu.Unlock()
	g.log.Info("service deleted", "service", name)
	w.WriteHeader(http.StatusNoContent)
}

func (g *Gateway) getAuth(w http.ResponseWriter, r *http.Request) {
	s := g.service(r.PathValue("service"))
	if s == nil {
		writeProblem(w, r, g.missing(r.PathValue("service")))
		return
	}
	writeJSON(w, http.StatusOK, s.authView())
}

func (g *Gateway) putAuth(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("service")
	s := g.service(name)
	if s == nil {
		writeProblem(w, r, g.missing(name))
		return
	}
	body, p := readJSONBody(w, r, 1<<20)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	var in AuthInput
	if p := decodeStrict(body, &in); p != nil {
		writeProblem(w, r, p)
		return
	}
	raw, sealed, p := g.sealAuth(name, &in, s.auth, false)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	if err := g.store.SetAuth(r.Context(), name, raw, sealed); err != nil {
		writeProblem(w, r, storeProblem(g, err))
		return
	}
	auth, err := g.openAuth(name, raw, sealed)
	if err != nil {
		writeProblem(w, r, storeProblem(g, err))
		return
	}
	cfg := auth.cfg
	ns := *s
	ns.auth = auth
	ns.updated = g.cfg.Now().UTC()
	g.setService(&ns)
	s.auth.close()
	g.log.Info("upstream auth set", "service", name, "type", cfg.Type, "http_headers", len(cfg.HTTPHeaders), "soap_headers", cfg.SOAPHeaders)
	writeJSON(w, http.StatusOK, ns.authView())
}

// sealAuth validates an auth input against the current auth (nil for
// none) and seals its secrets for the service: the configuration to
// store, and the sealed secrets by field.
func (g *Gateway) sealAuth(service string, in *AuthInput, cur *upstreamAuth, fetchWSDL bool) ([]byte, map[string]secret.Sealed, *Problem) {
	cfg, secrets, probs := applyAuthInput(in, cur)
	if len(probs) > 0 {
		return nil, nil, invalidList(probs)
	}
	cfg.FetchWSDL = cfg.FetchWSDL || fetchWSDL
	ring, err := g.keyring()
	if err != nil {
		return nil, nil, storeProblem(g, err)
	}
	sealed := make(map[string]secret.Sealed, len(secrets))
	for field, v := range secrets {
		sealed[field] = ring.Seal(v, sealContext(service, field))
	}
	raw, _ := json.Marshal(cfg)
	return raw, sealed, nil
}

// CallRecord is one entry of the call log as the API shows it.
type CallRecord struct {
	At        time.Time `json:"at"`
	Service   string    `json:"service"`
	Operation string    `json:"operation"`
	Port      string    `json:"port,omitempty"`
	Key       string    `json:"key"`
	Status    int       `json:"status"`
	LatencyMS float64   `json:"latency_ms"`
	Outcome   string    `json:"outcome"`
	Error     string    `json:"error,omitempty"`
}

func (g *Gateway) serviceCalls(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("service")
	if g.service(name) == nil {
		writeProblem(w, r, g.missing(name))
		return
	}
	g.writeCalls(w, r, name)
}

func (g *Gateway) allCalls(w http.ResponseWriter, r *http.Request) {
	g.writeCalls(w, r, r.URL.Query().Get("service"))
}

func (g *Gateway) writeCalls(w http.ResponseWriter, r *http.Request, service string) {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeProblem(w, r, invalid("/limit", "a number from 1 to 1000"))
			return
		}
		limit = n
	}
	g.calls.flush(r.Context())
	calls, err := g.store.Calls(r.Context(), service, limit)
	if err != nil {
		writeProblem(w, r, storeProblem(g, err))
		return
	}
	out := []CallRecord{}
	for _, c := range calls {
		out = append(out, CallRecord{At: c.At, Service: c.Service, Operation: c.Operation, Port: c.Port, Key: c.Key,
			Status: c.Status, LatencyMS: float64(c.Latency.Microseconds()) / 1000, Outcome: c.Outcome, Error: c.Error})
	}
	writeJSON(w, http.StatusOK, map[string]any{"calls": out})
}

// missing is the problem of an administrator's request for a service
// that is not loaded: unknown, or stored but not loaded, and why.
func (g *Gateway) missing(name string) *Problem {
	if why := g.unloadedService(name); why != "" {
		return unavailable(name, why)
	}
	return unknownService(name)
}

func unknownService(name string) *Problem {
	return problem(http.StatusNotFound, "unknown-service", "Unknown Service", "no service "+codec.QuoteCut(name)+" is registered")
}

func storeProblem(g *Gateway, err error) *Problem {
	g.log.Error("store", "error", err)
	return problem(http.StatusInternalServerError, "internal", "Internal Server Error", "soapbridge could not read or write its store; see its log")
}

func isJSON(ct string) bool {
	return ct == "application/json" || strings.HasPrefix(ct, "application/") && strings.HasSuffix(ct, "+json")
}

// readJSONBody reads a JSON request body of at most max bytes.
func readJSONBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, *Problem) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !isJSON(ct) {
		return nil, problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported Media Type", "send JSON with Content-Type: application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
	if err != nil {
		return nil, bodyProblem(err)
	}
	return body, nil
}

func bodyProblem(err error) *Problem {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return problem(http.StatusRequestEntityTooLarge, "too-large", "Content Too Large", fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit))
	}
	return problem(http.StatusBadRequest, "invalid-request", "Bad Request", "reading the request body failed: "+err.Error())
}

// decodeStrict decodes JSON refusing unknown members, so typos show, and
// bytes that are not UTF-8 (encoding/json reads them as U+FFFD: a password
// would be stored changed).
func decodeStrict(body []byte, v any) *Problem {
	if !utf8.Valid(body) {
		return invalid("", "the JSON body is not valid UTF-8")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("", "the JSON body does not fit: "+err.Error())
	}
	if dec.More() {
		return invalid("", "the JSON body has more than one value")
	}
	return nil
}

// FieldError is one problem with a request, by JSON pointer.
type FieldError struct {
	Pointer  string `json:"pointer"`
	Detail   string `json:"detail"`
	Expected string `json:"expected,omitempty"`
}

func invalid(pointer, detail string) *Problem {
	p := problem(http.StatusBadRequest, "validation", "Invalid Request", detail)
	p.Errors = []FieldError{{Pointer: pointer, Detail: detail}}
	return p
}

// invalidList turns "pointer: detail" lines into a validation problem.
func invalidList(lines []string) *Problem {
	p := problem(http.StatusBadRequest, "validation", "Invalid Request", fmt.Sprintf("%d problem(s) with the request", len(lines)))
	var errs []FieldError
	for _, l := range lines {
		ptr, detail, _ := strings.Cut(l, ": ")
		errs = append(errs, FieldError{Pointer: ptr, Detail: detail})
	}
	p.Errors = errs
	return p
}
