package soap

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/codec"
	"github.com/soapbridge/soapbridge/internal/wsdl"
)

func TestAddressingHeaders(t *testing.T) {
	for _, ns := range []string{NSAddressing, NSAddressingSubmission} {
		block := AddressingHeaders(ns, "urn:a&b", "https://x.example/svc?a=1&b=2")
		env := NewRequest(wsdl.SOAP12, "urn:a&b", &codec.Encoded{Body: []byte("<x/>")}, block).Envelope
		var doc struct {
			Header struct {
				Action struct {
					XMLName        xml.Name
					MustUnderstand string `xml:"mustUnderstand,attr"`
					Value          string `xml:",chardata"`
				} `xml:"Action"`
				MessageID string `xml:"MessageID"`
				ReplyTo   struct {
					Address string `xml:"Address"`
				} `xml:"ReplyTo"`
				To struct {
					XMLName xml.Name
					Value   string `xml:",chardata"`
				} `xml:"To"`
			} `xml:"Header"`
		}
		if err := xml.Unmarshal(env, &doc); err != nil {
			t.Fatalf("%s: %v\n%s", ns, err, env)
		}
		h := doc.Header
		if h.Action.XMLName.Space != ns || h.Action.Value != "urn:a&b" || h.Action.MustUnderstand != "1" {
			t.Errorf("%s: Action %+v", ns, h.Action)
		}
		if h.To.XMLName.Space != ns || h.To.Value != "https://x.example/svc?a=1&b=2" {
			t.Errorf("%s: To %+v", ns, h.To)
		}
		if !regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(h.MessageID) {
			t.Errorf("%s: MessageID %q", ns, h.MessageID)
		}
		if !strings.HasSuffix(h.ReplyTo.Address, "anonymous") || !strings.HasPrefix(h.ReplyTo.Address, ns) {
			t.Errorf("%s: ReplyTo %q", ns, h.ReplyTo.Address)
		}
	}
	if a, b := AddressingHeaders(NSAddressing, "a", "b"), AddressingHeaders(NSAddressing, "a", "b"); string(a) == string(b) {
		t.Error("two requests share a MessageID")
	}
	if AddressingNamespace("http://schemas.xmlsoap.org/ws/2004/08/addressing/policy") != NSAddressingSubmission ||
		AddressingNamespace("http://www.w3.org/2006/05/addressing/wsdl") != NSAddressing {
		t.Error("AddressingNamespace")
	}
}
