package wsdl

import (
	"slices"
	"strings"

	"github.com/soapbridge/soapbridge/internal/xmltree"
)

// WS-Policy namespaces and the WS-Security utility namespace its ids live in.
const (
	NSPolicy15 = "http://www.w3.org/ns/ws-policy"
	NSPolicy12 = "http://schemas.xmlsoap.org/ws/2004/09/policy"
	NSWSU      = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
)

func isPolicyNS(ns string) bool { return ns == NSPolicy15 || ns == NSPolicy12 }

// collectPolicies indexes the wsp:Policy elements of a definitions element
// (at its top level or nested anywhere) by their wsu:Id, xml:id or Name.
func (c *compiler) collectPolicies(el *xmltree.Element) {
	for _, ch := range el.Children {
		if isPolicyNS(ch.Name.Space) && ch.Name.Local == "Policy" {
			for _, id := range []string{ch.AttrValue("Id"), attrNS(ch, NSWSU, "Id"), attrNS(ch, xmltree.NSXML, "id"), ch.AttrValue("Name")} {
				if id != "" {
					if _, dup := c.policies[id]; !dup {
						c.policies[id] = ch
					}
				}
			}
		}
		if ch.Name.Space == NSWSDL && ch.Name.Local != "types" {
			c.collectPolicies(ch)
		}
	}
}

func attrNS(el *xmltree.Element, ns, local string) string {
	v, _ := el.AttrNS(ns, local)
	return v
}

// attached returns the policy assertions attached to el: inline wsp:Policy
// children, wsp:PolicyReference children and the wsp:PolicyURIs attribute.
func (c *compiler) attached(el *xmltree.Element) []Assertion {
	var out []Assertion
	seen := map[*xmltree.Element]bool{}
	for _, ch := range el.Children {
		switch {
		case isPolicyNS(ch.Name.Space):
			out = c.assertions(ch, out, seen, false)
		case ch.Name.Local == "UsingAddressing" && strings.Contains(ch.Name.Space, "addressing"):
			// The WSDL extension form (wsaw:UsingAddressing as a child
			// of the binding or port), optional unless wsdl:required.
			req := ch.AttrValue("required")
			if v, ok := ch.AttrNS(NSWSDL, "required"); ok {
				req = v
			}
			a := Assertion{Kind: "Addressing", Namespace: ch.Name.Space, Optional: req != "true" && req != "1"}
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	for _, a := range el.Attrs {
		if isPolicyNS(a.Name.Space) && a.Name.Local == "PolicyURIs" {
			for _, u := range strings.Fields(a.Value) {
				if p := c.policyByURI(u); p != nil {
					out = c.assertions(p, out, seen, false)
				}
			}
		}
	}
	return out
}

func (c *compiler) policyByURI(u string) *xmltree.Element {
	if i := strings.LastIndexByte(u, '#'); i >= 0 {
		if p := c.policies[u[i+1:]]; p != nil {
			return p
		}
	}
	return c.policies[u]
}

// assertions walks a policy expression, appending its assertions: operators
// (Policy, All, ExactlyOne) are descended into, references followed once,
// and the nested policy of an assertion (TransportBinding's HttpsToken)
// yields assertions of its own after its parent.
func (c *compiler) assertions(el *xmltree.Element, out []Assertion, seen map[*xmltree.Element]bool, optional bool) []Assertion {
	if isPolicyNS(el.Name.Space) {
		switch el.Name.Local {
		case "Policy", "All", "ExactlyOne":
			if seen[el] {
				return out
			}
			seen[el] = true
			for _, ch := range el.Children {
				out = c.assertions(ch, out, seen, optional)
			}
		case "PolicyReference":
			if p := c.policyByURI(el.AttrValue("URI")); p != nil {
				out = c.assertions(p, out, seen, optional)
			} else {
				c.warn(el, "policy %q not found", el.AttrValue("URI"))
			}
		}
		return out
	}
	opt := optional
	for _, a := range el.Attrs {
		if isPolicyNS(a.Name.Space) && a.Name.Local == "Optional" && (a.Value == "true" || a.Value == "1") {
			opt = true
		}
	}
	a := Assertion{Kind: el.Name.Local, Namespace: el.Name.Space, Optional: opt}
	if a.Kind == "UsingAddressing" {
		a.Kind = "Addressing"
	}
	dup := false
	for _, o := range out {
		if o == a {
			dup = true
		}
	}
	if !dup {
		out = append(out, a)
	}
	for _, ch := range el.Children {
		if isPolicyNS(ch.Name.Space) {
			out = c.assertions(ch, out, seen, opt)
		}
	}
	return out
}
