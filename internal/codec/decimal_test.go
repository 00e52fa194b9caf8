package codec

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/wsdl"
)

// ratOf is math/big's reading of a decimal: the oracle of the tests.
func ratOf(t testing.TB, s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("big.Rat cannot read %q", s)
	}
	return r
}

func TestCmpDecimal(t *testing.T) {
	vals := []string{"0", "-0", "+0.000", "1", "01", "1.0", "1.01", "1.1", "-1", "-1.5", "-01.50", ".5", "-.5", "10",
		"9", "99.999", "100", "-100", "123456789012345678901234567890", "-123456789012345678901234567891", "0.0001", "-0.0001"}
	for _, a := range vals {
		for _, b := range vals {
			got, ok := cmpDecimal(a, b)
			if want := ratOf(t, a).Cmp(ratOf(t, b)); !ok || got != want {
				t.Errorf("cmpDecimal(%q, %q) = %d, %v; want %d", a, b, got, ok, want)
			}
		}
	}
	for _, bad := range []string{"", "-", ".", "1e3", "1.2.3", "x", " 1"} {
		if _, ok := cmpDecimal(bad, "1"); ok {
			t.Errorf("cmpDecimal(%q) took a value that is not a plain decimal", bad)
		}
	}
}

func TestExpandExponent(t *testing.T) {
	for in, want := range map[string]string{
		"1e3": "1000", "1E3": "1000", "1.25e2": "125", "1.25e1": "12.5", "-5E-3": "-0.005", "0.0e5": "0",
		"-0e-2": "0", "12.5e-1": "1.25", "100e-2": "1", "7": "7", "0.50": "0.5", "1e+2": "100", "123e-5": "0.00123",
	} {
		got, ok := expandExponent(in)
		if !ok || got != want {
			t.Errorf("expandExponent(%q) = %q, %v; want %q", in, got, ok, want)
		}
		if ok && ratOf(t, got).Cmp(ratOf(t, in)) != 0 {
			t.Errorf("expandExponent(%q) = %q changed the value", in, got)
		}
	}
	for _, bad := range []string{"1e1001", "1e-1001", "1e99999999999999999999", "e3", "1e", "1.e3x", "--1e3"} {
		if got, ok := expandExponent(bad); ok {
			t.Errorf("expandExponent(%q) = %q, want a refusal", bad, got)
		}
	}
}

// FuzzDecimal checks cmpDecimal and expandExponent against math/big.
func FuzzDecimal(f *testing.F) {
	f.Add("1.5", "-2", int8(3))
	f.Add("0.000", "000.1", int8(-2))
	f.Fuzz(func(t *testing.T, a, b string, e int8) {
		if len(a) > 60 || len(b) > 60 {
			return
		}
		if c, ok := cmpDecimal(a, b); ok {
			if want := ratOf(t, a).Cmp(ratOf(t, b)); c != want {
				t.Fatalf("cmpDecimal(%q, %q) = %d, want %d", a, b, c, want)
			}
		}
		if !isDecimal(a) || a[0] == '+' || strings.HasPrefix(a, ".") || strings.HasPrefix(a, "-.") || strings.HasSuffix(a, ".") {
			return // not a JSON number's mantissa
		}
		s := a + "e" + big.NewInt(int64(e)).String()
		got, ok := expandExponent(s)
		if !ok {
			t.Fatalf("expandExponent(%q) refused", s)
		}
		if ratOf(t, got).Cmp(ratOf(t, s)) != 0 || strings.ContainsAny(got, "eE+") {
			t.Fatalf("expandExponent(%q) = %q", s, got)
		}
	})
}

// TestHugeNumbers sends numbers as long as a request may be: they are
// checked (and refused where out of range) without math/big, whose
// conversion of a megabyte of digits takes seconds.
func TestHugeNumbers(t *testing.T) {
	c, b := inventory(t)
	digits := strings.Repeat("9", 1<<20)
	start := time.Now()
	_, err := c.EncodeInput(op(b, "GetItems"), wsdl.SOAP11, []byte(`{"skuPrefix": "A", "limit": `+digits+`}`))
	if err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("a %d-digit limit (an int): %.200v", len(digits), err)
	} else if len(err.Error()) > 1000 {
		t.Errorf("the problem quotes the whole value: %d bytes", len(err.Error()))
	}
	t.Logf("a %d-digit int refused in %v", len(digits), time.Since(start))
}
