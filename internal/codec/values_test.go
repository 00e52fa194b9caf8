package codec

import (
	"strings"
	"testing"
)

// slowNumber is appendNumber without its plainNumber shortcut.
func slowNumber(v string) string {
	neg := false
	switch {
	case strings.HasPrefix(v, "+"):
		v = v[1:]
	case strings.HasPrefix(v, "-"):
		neg, v = true, v[1:]
	}
	mant, exp, _ := strings.Cut(v, "e")
	if exp == "" && strings.Contains(v, "E") {
		mant, exp, _ = strings.Cut(v, "E")
	}
	ip, fp, hasDot := strings.Cut(mant, ".")
	ip = strings.TrimLeft(ip, "0")
	if ip == "" {
		ip = "0"
	}
	s := ""
	if neg {
		s = "-"
	}
	s += ip
	if hasDot && fp != "" {
		s += "." + fp
	}
	if exp != "" {
		s += "e" + strings.TrimPrefix(exp, "+")
	}
	return s
}

// The shortcut for numbers already in JSON form changes no output.
func TestAppendNumberShortcut(t *testing.T) {
	for _, v := range []string{"0", "-0", "+0", "00", "007", "0.5", "-0.5", ".5", "-.5", "5.", "-5.", "1.50",
		"12345678901234567890", "-42", "+42", "1e3", "1.5E-3", "0.0", "000.000", "10", "100.001", "-0.0"} {
		if got, want := string(appendNumber(nil, v)), slowNumber(v); got != want {
			t.Errorf("appendNumber(%q) = %q, want %q", v, got, want)
		}
	}
}
