package secret

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustKey(t *testing.T) *Key {
	t.Helper()
	k, err := ParseKey(GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	r := NewKeyring(mustKey(t))
	s := r.Seal([]byte("s3cret"), "svc/password")
	if bytes.Contains(s.Data, []byte("s3cret")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	if len(s.Data) != 12+len("s3cret")+16 {
		t.Fatalf("sealed length %d: want 96-bit nonce + ciphertext + 128-bit tag", len(s.Data))
	}
	p, err := r.Open(s, "svc/password")
	if err != nil || string(p) != "s3cret" {
		t.Fatalf("Open = %q, %v", p, err)
	}
	if s2 := r.Seal([]byte("s3cret"), "svc/password"); bytes.Equal(s.Data[:12], s2.Data[:12]) {
		t.Fatal("two seals used the same nonce")
	}
	// The associated data binds the value to its place.
	if _, err := r.Open(s, "other/password"); err == nil {
		t.Fatal("opened under another context")
	} else if strings.Contains(err.Error(), "s3cret") {
		t.Fatal("error leaks the plaintext")
	}
	tampered := Sealed{KeyID: s.KeyID, Data: append([]byte(nil), s.Data...)}
	tampered.Data[14] ^= 1
	if _, err := r.Open(tampered, "svc/password"); err == nil {
		t.Fatal("opened tampered data")
	}
	if _, err := r.Open(Sealed{KeyID: s.KeyID, Data: s.Data[:5]}, "svc/password"); err == nil {
		t.Fatal("opened truncated data")
	}
	other := NewKeyring(mustKey(t))
	if _, err := other.Open(s, "svc/password"); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Open with another key: %v, want ErrUnknownKey", err)
	}
}

func TestRotationRing(t *testing.T) {
	old, cur := mustKey(t), mustKey(t)
	if old.ID == cur.ID {
		t.Fatal("two keys share an id")
	}
	s := NewKeyring(old).Seal([]byte("v"), "c")
	r := NewKeyring(cur, old)
	if p, err := r.Open(s, "c"); err != nil || string(p) != "v" {
		t.Fatalf("older key does not open: %q %v", p, err)
	}
	if got := r.Seal([]byte("v"), "c").KeyID; got != cur.ID {
		t.Fatalf("sealed under %s, want the current key %s", got, cur.ID)
	}
	if ids := r.IDs(); len(ids) != 2 || ids[0] != cur.ID || !r.Has(old.ID) {
		t.Fatalf("IDs = %v", ids)
	}
}

func TestParseKey(t *testing.T) {
	for _, bad := range []string{"", "not base64!", "c2hvcnQ="} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) succeeded", bad)
		}
	}
}

func TestSourceFile(t *testing.T) {
	dir := t.TempDir()
	src := Source{File: filepath.Join(dir, "data", "master.key")}
	r1, err := src.Load()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(src.File)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	r2, err := src.Load()
	if err != nil || r2.Current().ID != r1.Current().ID {
		t.Fatalf("second Load: %v, id %v vs %v", err, r2, r1)
	}
	os.Chmod(src.File, 0o644)
	if _, err := src.Load(); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable key file: %v", err)
	}
	os.Chmod(src.File, 0o600)

	// Write puts a new key first and keeps the old one for opening.
	texts, err := src.Texts()
	if err != nil || len(texts) != 1 {
		t.Fatalf("Texts = %v, %v", texts, err)
	}
	before := src.Stamp()
	if err := src.Write([]string{GenerateKey(), texts[0]}); err != nil {
		t.Fatal(err)
	}
	r3, err := src.Load()
	if err != nil {
		t.Fatal(err)
	}
	if r3.Current().ID == r1.Current().ID || !r3.Has(r1.Current().ID) {
		t.Fatalf("after Write: ids %v", r3.IDs())
	}
	if src.Stamp() == before {
		t.Fatal("Stamp did not change with the file")
	}
	if fi, _ := os.Stat(src.File); fi.Mode().Perm() != 0o600 {
		t.Fatalf("rewritten key file mode %04o", fi.Mode().Perm())
	}
	if err := src.Write([]string{"nope"}); err == nil {
		t.Fatal("Write accepted a bad key")
	}
}

func TestSourceEnv(t *testing.T) {
	a, b := GenerateKey(), GenerateKey()
	r, err := Source{Env: a + "," + b}.Load()
	if err != nil {
		t.Fatal(err)
	}
	ka, _ := ParseKey(a)
	kb, _ := ParseKey(b)
	if r.Current().ID != ka.ID || !r.Has(kb.ID) {
		t.Fatalf("ids %v", r.IDs())
	}
	if _, err := (Source{Env: "zz"}).Load(); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Fatalf("bad env key: %v", err)
	}
	if err := (Source{Env: a}).Write([]string{a}); err == nil {
		t.Fatal("Write to the environment succeeded")
	}
}
