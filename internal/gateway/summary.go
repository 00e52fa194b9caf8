package gateway

import (
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// ServiceSummary describes a registered service: what the admin API
// answers. Its JSON is a public contract: members are only ever added.
type ServiceSummary struct {
	Name string `json:"name"`
	// WSDLURL is where the WSDL was fetched from; Files are the uploaded
	// documents otherwise.
	WSDLURL string `json:"wsdl_url,omitempty"`
	// WSDLCredentials says that credentials for WSDLURL are stored
	// (sealed, never shown), given as user:password@ at registration.
	WSDLCredentials bool          `json:"wsdl_credentials,omitempty"`
	Files           []string      `json:"files,omitempty"`
	Documents       []string      `json:"documents,omitempty"`
	Ports           []PortSummary `json:"ports"`
	// SOAPVersions lists the SOAP versions of the ports.
	SOAPVersions []string `json:"soap_versions"`
	// Endpoint is where calls go by default: the auth's endpoint
	// override, else the first port's address.
	Endpoint   string             `json:"endpoint"`
	Operations []OperationSummary `json:"operations"`
	// Policies lists the WS-Policy assertions found on any port or
	// operation; ExpectedAuth what they ask of the upstream auth
	// ("basic", "wsse", "ntlm", "kerberos", "x509", "client_certificate",
	// "https").
	Policies     []string  `json:"policies"`
	ExpectedAuth []string  `json:"expected_auth"`
	Auth         *AuthView `json:"auth,omitempty"`
	// ClockSkewSeconds is the upstream's clock minus soapbridge's, as
	// last measured from its Date header.
	ClockSkewSeconds *float64  `json:"clock_skew_seconds,omitempty"`
	Unsupported      []string  `json:"unsupported,omitempty"`
	Warnings         []string  `json:"warnings,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// PortSummary describes one SOAP port.
type PortSummary struct {
	Service     string   `json:"service"`
	Name        string   `json:"name"`
	SOAPVersion string   `json:"soap_version"`
	Endpoint    string   `json:"endpoint"`
	Binding     string   `json:"binding"`
	Style       string   `json:"style"`
	Policies    []string `json:"policies"`
}

// OperationSummary describes one operation, across the ports that offer it.
type OperationSummary struct {
	Name          string   `json:"name"`
	Documentation string   `json:"documentation,omitempty"`
	Ports         []string `json:"ports"`
	Style         string   `json:"style"`
	Use           string   `json:"use"`
	SOAPAction    string   `json:"soap_action"`
	OneWay        bool     `json:"one_way"`
}

// summary describes s; admin adds what only administrators see (auth,
// documents, warnings).
func (s *service) summary(admin bool) *ServiceSummary {
	m := s.model
	out := &ServiceSummary{
		Name: s.name, Ports: []PortSummary{}, SOAPVersions: []string{}, Operations: []OperationSummary{},
		Policies: []string{}, ExpectedAuth: []string{}, CreatedAt: s.created, UpdatedAt: s.updated,
	}
	if admin {
		out.WSDLURL, out.WSDLCredentials, out.Files = redactURL(s.sourceURL), s.sourceCreds, s.files
		for _, d := range m.Documents {
			out.Documents = append(out.Documents, redactURL(d)) // models compiled before fetch kept passwords out
		}
		out.Unsupported, out.Warnings = m.Unsupported, m.Warnings
		v := s.authView()
		out.Auth = &v
		out.ClockSkewSeconds = s.clock.seconds()
	}
	policies := map[string]bool{}
	versions := map[string]bool{}
	ops := map[string]int{}
	addPolicies := func(as []wsdl.Assertion) []string {
		names := []string{}
		for _, a := range as {
			names = append(names, a.Kind)
			policies[a.Kind] = true
		}
		return names
	}
	for _, sv := range m.Services {
		for _, p := range sv.Ports {
			b := &m.Bindings[p.Binding]
			ps := PortSummary{
				Service: sv.Name, Name: p.Name, SOAPVersion: string(p.SOAPVersion), Endpoint: p.Address,
				Binding: b.Name.Local, Style: string(b.Style),
				Policies: addPolicies(append(append([]wsdl.Assertion{}, p.Policies...), b.Policies...)),
			}
			if out.Endpoint == "" {
				out.Endpoint = p.Address
			}
			versions[ps.SOAPVersion] = true
			out.Ports = append(out.Ports, ps)
			for _, op := range b.Operations {
				addPolicies(op.Policies)
				if op.Input == nil {
					continue
				}
				if i, ok := ops[op.Name]; ok {
					out.Operations[i].Ports = append(out.Operations[i].Ports, p.Name)
					continue
				}
				ops[op.Name] = len(out.Operations)
				os := OperationSummary{
					Name: op.Name, Documentation: op.Doc, Ports: []string{p.Name}, Style: string(op.Style),
					Use: string(op.Input.Use), SOAPAction: op.SOAPAction, OneWay: op.OneWay(),
				}
				out.Operations = append(out.Operations, os)
			}
		}
	}
	if s.auth.cfg.Endpoint != "" {
		out.Endpoint = s.auth.cfg.Endpoint
	}
	for v := range versions {
		out.SOAPVersions = append(out.SOAPVersions, v)
	}
	sort.Strings(out.SOAPVersions)
	sort.Slice(out.Operations, func(i, j int) bool { return out.Operations[i].Name < out.Operations[j].Name })
	expected := map[string]bool{}
	for p := range policies {
		out.Policies = append(out.Policies, p)
		if a := expectedAuth[p]; a != "" {
			expected[a] = true
		}
	}
	sort.Strings(out.Policies)
	for a := range expected {
		out.ExpectedAuth = append(out.ExpectedAuth, a)
	}
	sort.Strings(out.ExpectedAuth)
	return out
}

// expectedAuth maps policy assertions to the upstream auth they ask for.
var expectedAuth = map[string]string{
	"UsernameToken":                 "wsse",
	"HttpBasicAuthentication":       "basic",
	"NegotiateAuthentication":       "ntlm",
	"HttpNtlmAuthentication":        "ntlm",
	"NtlmAuthentication":            "ntlm",
	"KerberosToken":                 "kerberos",
	"SpnegoContextToken":            "kerberos",
	"KerberosV5APREQToken11":        "kerberos",
	"X509Token":                     "x509",
	"AsymmetricBinding":             "x509",
	"RequireClientCertificate":      "client_certificate",
	"HttpsToken":                    "https",
	"TransportBinding":              "https",
	"HttpsRequireClientCertificate": "client_certificate",
}

// redactURL shows a URL with its password, if any, replaced by "xxxxx":
// a wsdl_url's credentials (user:password@) are stored sealed, apart from
// it (store.Service.SourceCredentials), but a gateway before them kept
// them in the URL.
func redactURL(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.Redacted()
}
