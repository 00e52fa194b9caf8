package openapi

import "testing"

func TestECMAPattern(t *testing.T) {
	for in, want := range map[string]string{
		`\w+-\d{2}`: "^(?:[0-9A-Za-z$+<=>^`|~]+-[0-9]{2})$",
		`a^b$`:      `^(?:a\^b\$)$`,
		`.\s`:       `^(?:[^\n\r][ \t\n\r])$`,
		`[A-Z\d]+`:  `^(?:[A-Z0-9]+)$`,
	} {
		if got, ok := ECMAPattern(in); !ok || got != want {
			t.Errorf("ECMAPattern(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{`\D`, `\W+`, `\p{Lu}`, `[a-z-[aeiou]]`, `[\i]`, `(\i\c*){1000}`, `(?i)a`} {
		if got, ok := ECMAPattern(in); ok {
			t.Errorf("ECMAPattern(%q) = %q, want it left out", in, got)
		}
	}
}
