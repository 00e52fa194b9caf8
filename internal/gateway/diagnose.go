package gateway

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/soapbridge/soapbridge/internal/diagnose"
	"github.com/soapbridge/soapbridge/internal/upstream"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// DiagnoseReport is the answer of POST /v1/admin/services/{service}/diagnose
// and soapbridge diagnose: the checks of package diagnose, run against the
// endpoint of one port with the service's configuration.
type DiagnoseReport struct {
	Service     string `json:"service"`
	Port        string `json:"port"`
	SOAPVersion string `json:"soap_version"`
	Auth        string `json:"auth"`
	*diagnose.Report
}

// ErrUnknownService is returned by Diagnose for a name not registered.
var ErrUnknownService = errors.New("unknown service")

// Diagnose runs the diagnosis of a service's port ("" for its first port).
func (g *Gateway) Diagnose(ctx context.Context, name, port string) (*DiagnoseReport, error) {
	s := g.service(name)
	if s == nil {
		return nil, ErrUnknownService
	}
	p, b, err := s.port(port)
	if err != nil {
		return nil, err
	}
	t := diagnose.Target{
		Endpoint: p.Address, SOAPVersion: string(p.SOAPVersion), Auth: s.auth.cfg.Type,
		TLS: &tls.Config{MinVersion: tls.VersionTLS12}, Now: g.cfg.Now,
		UsernameToken: s.auth.cfg.Type == AuthX509 && s.auth.cfg.Username != "",
	}
	if s.auth.cfg.Endpoint != "" {
		t.Endpoint = s.auth.cfg.Endpoint
	}
	if s.auth.client != nil {
		t.TLS = s.auth.client.TLSConfig()
	}
	t.Authenticate = s.auth.diagnoseAuthenticate(g.client)
	krb, spn, closeKrb := s.auth.kerberosProbe(t.Endpoint)
	defer closeKrb()
	if krb != nil {
		t.Kerberos, t.SPN = krb, spn
	}
	add := func(as []wsdl.Assertion) {
		for _, a := range as {
			if !slices.Contains(t.Policies, a.Kind) {
				t.Policies = append(t.Policies, a.Kind)
			}
		}
	}
	add(p.Policies)
	add(b.Policies)
	for _, op := range b.Operations {
		add(op.Policies)
		for _, m := range []*wsdl.Message{op.Input, op.Output} {
			if m != nil {
				add(m.Policies)
			}
		}
	}
	rep := diagnose.Run(ctx, t)
	return &DiagnoseReport{Service: name, Port: p.Name, SOAPVersion: string(p.SOAPVersion), Auth: s.auth.cfg.Type, Report: rep}, nil
}

// port finds a port by name, or the first port.
func (s *service) port(name string) (*wsdl.Port, *wsdl.Binding, error) {
	for si := range s.model.Services {
		for pi := range s.model.Services[si].Ports {
			p := &s.model.Services[si].Ports[pi]
			if name == "" || p.Name == name {
				return p, &s.model.Bindings[p.Binding], nil
			}
		}
	}
	return nil, nil, &Problem{Type: problemBase + "unknown-port", Title: "Unknown Port", Status: http.StatusNotFound,
		Detail: "service " + s.name + " has no SOAP port " + name}
}

func (g *Gateway) diagnose(w http.ResponseWriter, r *http.Request) {
	rep, err := g.Diagnose(r.Context(), r.PathValue("service"), r.URL.Query().Get("port"))
	var p *Problem
	switch {
	case errors.Is(err, ErrUnknownService):
		writeProblem(w, r, g.missing(r.PathValue("service")))
		return
	case errors.As(err, &p):
		writeProblem(w, r, p)
		return
	case err != nil:
		writeProblem(w, r, problem(http.StatusInternalServerError, "internal", "Internal Server Error", err.Error()))
		return
	}
	g.log.Info("diagnose", "service", rep.Service, "port", rep.Port, "worst", rep.Worst(), "key", keyOf(r).Name)
	writeJSON(w, http.StatusOK, rep)
}

// diagnoseAuthenticate is diagnose's Authenticate for the service's auth:
// it sends a probe with the HTTP authentication calls use (HTTP Basic, an
// NTLM handshake on a new connection of its own, never one of the
// service's authenticated ones, the Kerberos ticket of the service's
// client, and the configured HTTP headers) and returns the answer. It is
// nil when the auth sends nothing at the HTTP level: type none, wsse or
// x509 without http_headers (a client certificate is in the TLS
// configuration of every probe). Errors and results name the account,
// never a secret.
func (a *upstreamAuth) diagnoseAuthenticate(shared *upstream.Client) func(*http.Request) diagnose.AuthResult {
	base := diagnose.AuthResult{}
	switch a.cfg.Type {
	case AuthBasic:
		base.Scheme, base.Account = "Basic", a.cfg.Username
	case AuthNTLM:
		base.Scheme, base.Account = "NTLM", a.ntlmCredentials().String()
	case AuthKerberos:
		base.Scheme, base.Account = "Kerberos", a.cfg.Username+"@"+a.cfg.Realm
	default:
		if len(a.headers) == 0 {
			return nil
		}
		base.Scheme = "HTTP headers (" + strings.Join(a.cfg.HTTPHeaders, ", ") + ")"
	}
	return func(req *http.Request) diagnose.AuthResult {
		res := base
		client := shared
		switch {
		case a.cfg.Type == AuthNTLM:
			client = upstream.NewClientNTLM(a.timeout, a.client.TLSConfig(), a.ntlmCredentials())
			defer client.CloseIdle()
		case a.client != nil:
			client = a.client
		}
		for k, vs := range a.headers {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
		if a.cfg.Type == AuthBasic {
			req.SetBasicAuth(a.cfg.Username, a.password)
		}
		resp, err := client.HTTP.Do(req)
		if err != nil {
			var ue *upstream.Error
			var dg upstream.Diagnoser
			switch {
			case errors.As(err, &ue):
				res.Refused, res.Err, res.Fix = ue.Refused, errors.New(ue.Msg), ue.Fix
			case errors.As(err, &dg):
				_, _, summary, fix := dg.Diagnose()
				res.Err, res.Fix = errors.New(summary), fix
			default:
				res.Err = err
			}
			return res
		}
		res.ReadAnswer(resp)
		return res
	}
}
