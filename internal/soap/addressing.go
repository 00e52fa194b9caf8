package soap

import (
	"crypto/rand"
	"fmt"
	"html"
	"strings"
)

// WS-Addressing namespaces: the W3C recommendation and the 2004/08
// member submission older stacks (WSE, early WCF, Axis 1) use.
const (
	NSAddressing           = "http://www.w3.org/2005/08/addressing"
	NSAddressingSubmission = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
)

// AddressingNamespace returns the WS-Addressing namespace that a WSDL's
// addressing assertion (wsaw:UsingAddressing, wsam:Addressing, or the
// submission's policy assertion) in namespace assertionNS calls for.
func AddressingNamespace(assertionNS string) string {
	if strings.HasPrefix(assertionNS, "http://schemas.xmlsoap.org/ws/2004/08/addressing") {
		return NSAddressingSubmission
	}
	return NSAddressing
}

// AddressingHeaders returns the WS-Addressing header blocks of a request:
// wsa:Action and wsa:To (both mustUnderstand), a fresh wsa:MessageID and an
// anonymous wsa:ReplyTo, in namespace ns. They use the envelope's soapenv
// prefix, as soap.NewRequest declares it.
func AddressingHeaders(ns, action, to string) []byte {
	anonymous := ns + "/anonymous"
	if ns == NSAddressingSubmission {
		anonymous = ns + "/role/anonymous"
	}
	var b strings.Builder
	open := func(name string, mustUnderstand bool) {
		b.WriteString(`<wsa:` + name + ` xmlns:wsa="` + ns + `"`)
		if mustUnderstand {
			b.WriteString(` soapenv:mustUnderstand="1"`)
		}
		b.WriteString(`>`)
	}
	open("Action", true)
	b.WriteString(html.EscapeString(action))
	b.WriteString(`</wsa:Action>`)
	open("MessageID", false)
	b.WriteString(newUUID())
	b.WriteString(`</wsa:MessageID>`)
	open("ReplyTo", false)
	b.WriteString(`<wsa:Address>` + anonymous + `</wsa:Address></wsa:ReplyTo>`)
	open("To", true)
	b.WriteString(html.EscapeString(to))
	b.WriteString(`</wsa:To>`)
	return []byte(b.String())
}

// newUUID returns a random (version 4) UUID URN.
func newUUID() string {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic("soap: no randomness: " + err.Error())
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
