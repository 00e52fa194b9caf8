package apikey

import "testing"

func TestKeys(t *testing.T) {
	key, id, hash := New()
	got, err := ID(key)
	if err != nil || got != id {
		t.Fatalf("ID(%q) = %q, %v; want %q", key, got, err, id)
	}
	if !Match(key, hash) {
		t.Fatal("a key does not match its own hash")
	}
	other, _, _ := New()
	if other == key || Match(other, hash) {
		t.Fatal("another key matches")
	}
	if Match(key[:len(key)-1]+"A", hash) && key[len(key)-1] != 'A' {
		t.Fatal("an altered key matches")
	}
	for _, bad := range []string{"", "sbk_", "sbk_abc_def", "xyz_" + key[4:], key + "x"} {
		if _, err := ID(bad); err == nil {
			t.Errorf("ID(%q) accepted", bad)
		}
	}
}
