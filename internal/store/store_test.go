package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/soapbridge/soapbridge/internal/secret"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestServicesAndCredentials(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "data", "soapbridge.db")
	s := open(t, path)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("database file: %v, mode %v", err, fi.Mode().Perm())
	}
	now := time.Now().Truncate(time.Millisecond).UTC()
	sv := &Service{Name: "inv", SourceURL: "http://x/inv?wsdl", Model: []byte("model-1"), Created: now, Updated: now}
	if err := s.CreateService(ctx, sv); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateService(ctx, sv); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate CreateService: %v", err)
	}
	ring := secret.NewKeyring(mustKey(t))
	creds := map[string]secret.Sealed{"password": ring.Seal([]byte("pw"), "inv/password")}
	if err := s.SetAuth(ctx, "inv", []byte(`{"type":"basic","username":"alice"}`), creds); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAuth(ctx, "nope", []byte(`{}`), nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("SetAuth on a missing service: %v", err)
	}
	// Re-import keeps auth and credentials.
	sv2 := &Service{Name: "inv", Bundle: []byte("zip"), Entry: "a.wsdl", Model: []byte("model-2"), Updated: now.Add(time.Second)}
	if err := s.ReplaceSource(ctx, sv2); err != nil {
		t.Fatal(err)
	}
	got, err := s.Service(ctx, "inv")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Model) != "model-2" || got.SourceURL != "" || string(got.Bundle) != "zip" || got.Entry != "a.wsdl" ||
		string(got.Auth) != `{"type":"basic","username":"alice"}` || !got.Created.Equal(now) {
		t.Fatalf("after ReplaceSource: %+v", got)
	}
	c, err := s.Credentials(ctx, "inv")
	if err != nil || len(c) != 1 {
		t.Fatalf("Credentials = %v, %v", c, err)
	}
	if p, err := ring.Open(c["password"], "inv/password"); err != nil || string(p) != "pw" {
		t.Fatalf("stored credential opens to %q, %v", p, err)
	}

	// Survives reopening.
	s.Close()
	s = open(t, path)
	list, err := s.Services(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "inv" {
		t.Fatalf("Services after reopen = %v, %v", list, err)
	}
	if err := s.DeleteService(ctx, "inv"); err != nil {
		t.Fatal(err)
	}
	if c, _ := s.Credentials(ctx, "inv"); len(c) != 0 {
		t.Fatalf("credentials outlive their service: %v", c)
	}
	if _, err := s.Service(ctx, "inv"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Service after delete: %v", err)
	}
	if err := s.DeleteService(ctx, "inv"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func mustKey(t *testing.T) *secret.Key {
	k, err := secret.ParseKey(secret.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestReseal(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "db"))
	now := time.Now()
	old := secret.NewKeyring(mustKey(t))
	for _, name := range []string{"a", "b"} {
		if err := s.CreateService(ctx, &Service{Name: name, Model: []byte("m"), Created: now, Updated: now}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAuth(ctx, name, []byte(`{}`), map[string]secret.Sealed{
			"password": old.Seal([]byte(name+"-pw"), name+"/password"),
			"header:X": old.Seal([]byte(name+"-h"), name+"/header:X"),
		}); err != nil {
			t.Fatal(err)
		}
	}
	ring := secret.NewKeyring(mustKey(t), old.Current())
	n, err := s.Reseal(ctx, ring.Current().ID, func(service, field string, v secret.Sealed) (secret.Sealed, error) {
		p, err := ring.Open(v, service+"/"+field)
		if err != nil {
			return secret.Sealed{}, err
		}
		return ring.Seal(p, service+"/"+field), nil
	})
	if err != nil || n != 4 {
		t.Fatalf("Reseal = %d, %v", n, err)
	}
	ids, err := s.KeyIDsInUse(ctx)
	if err != nil || len(ids) != 1 || ids[0] != ring.Current().ID {
		t.Fatalf("KeyIDsInUse = %v, %v", ids, err)
	}
	fresh := secret.NewKeyring(ring.Current())
	c, _ := s.Credentials(ctx, "b")
	if p, err := fresh.Open(c["header:X"], "b/header:X"); err != nil || string(p) != "b-h" {
		t.Fatalf("after reseal: %q, %v", p, err)
	}
}

func TestKeysAndCalls(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "db"))
	now := time.Now().Truncate(time.Millisecond).UTC()
	if ok, _ := s.HasAdminKey(ctx, now); ok {
		t.Fatal("a fresh store has an admin key")
	}
	admin := &Key{ID: "id1", Name: "root", Hash: []byte{1}, Admin: true, Created: now, Expires: now.Add(time.Hour)}
	app := &Key{ID: "id2", Name: "app", Hash: []byte{2}, Services: []string{"inv"}, Created: now}
	for _, k := range []*Key{admin, app} {
		if err := s.CreateKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateKey(ctx, &Key{ID: "id3", Name: "app", Hash: []byte{3}, Created: now}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate active name: %v", err)
	}
	if ok, _ := s.HasAdminKey(ctx, now); !ok {
		t.Fatal("HasAdminKey false with an admin key")
	}
	if ok, _ := s.HasAdminKey(ctx, now.Add(2*time.Hour)); ok {
		t.Fatal("an expired admin key counts")
	}
	k, err := s.KeyByID(ctx, "id2")
	if err != nil || k.Name != "app" || k.Admin || len(k.Services) != 1 || !k.Active(now) || !k.MayCall("inv") || k.MayCall("other") {
		t.Fatalf("KeyByID = %+v, %v", k, err)
	}
	if !admin.MayCall("anything") || (&Key{Services: []string{"*"}}).MayCall("x") != true {
		t.Fatal("MayCall")
	}
	if err := s.RevokeKey(ctx, "app", now); err != nil {
		t.Fatal(err)
	}
	if k, _ := s.KeyByID(ctx, "id2"); k.Active(now) {
		t.Fatal("revoked key is active")
	}
	if err := s.RevokeKey(ctx, "app", now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoking twice: %v", err)
	}
	// The name is free again once revoked.
	if err := s.CreateKey(ctx, &Key{ID: "id4", Name: "app", Hash: []byte{4}, Created: now}); err != nil {
		t.Fatal(err)
	}
	if keys, _ := s.Keys(ctx); len(keys) != 3 {
		t.Fatalf("Keys = %d", len(keys))
	}

	var calls []Call
	for i := range 5 {
		calls = append(calls, Call{At: now.Add(time.Duration(i) * time.Second), Service: "inv", Operation: "Get", Key: "app", Status: 200, Latency: 1500 * time.Microsecond, Outcome: "ok"})
	}
	if err := s.RecordCalls(ctx, calls, 3); err != nil {
		t.Fatal(err)
	}
	got, err := s.Calls(ctx, "inv", 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("Calls = %d, %v", len(got), err)
	}
	if !got[0].At.Equal(now.Add(4*time.Second)) || got[0].Latency != 1500*time.Microsecond {
		t.Fatalf("newest call = %+v", got[0])
	}
	if k, _ := s.KeyByID(ctx, "id4"); !k.LastUsed.Equal(now.Add(4 * time.Second)) {
		t.Fatalf("last used = %v", k.LastUsed)
	}
}

// TestRecordCallsBatches: a batch longer than one INSERT statement keeps
// every record, in order, with its fields.
func TestRecordCallsBatches(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "db"))
	now := time.Now().Truncate(time.Millisecond).UTC()
	var calls []Call
	n := 2*callsPerInsert + 5
	for i := range n {
		calls = append(calls, Call{At: now.Add(time.Duration(i) * time.Millisecond), Service: "inv", Operation: "Get" + strconv.Itoa(i),
			Port: "P", Key: "app", Status: 200 + i, Latency: time.Duration(i) * time.Microsecond, Outcome: "ok", Error: "e" + strconv.Itoa(i)})
	}
	if err := s.RecordCalls(ctx, calls, 0); err != nil {
		t.Fatal(err)
	}
	got, err := s.Calls(ctx, "", 100)
	if err != nil || len(got) != n {
		t.Fatalf("Calls = %d, %v", len(got), err)
	}
	for i, c := range got {
		if want := calls[n-1-i]; c != want {
			t.Errorf("call %d = %+v, want %+v", i, c, want)
		}
	}
}

// TestSourceCredentials: a service's source credentials are stored with
// it, read back with it, kept by SetAuth, and replaced or removed by
// ReplaceSource; they go with the service.
func TestSourceCredentials(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "soapbridge.db"))
	ring := secret.NewKeyring(mustKey(t))
	src := ring.Seal([]byte("u:pw"), "inv/source")
	now := time.Now().Truncate(time.Millisecond).UTC()
	sv := &Service{Name: "inv", SourceURL: "https://x/inv?wsdl", SourceCredentials: &src, Model: []byte("m"), Created: now, Updated: now}
	if err := s.CreateService(ctx, sv); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateService(ctx, &Service{Name: "plain", Model: []byte("m"), Created: now, Updated: now}); err != nil {
		t.Fatal(err)
	}
	opened := func(name string) string {
		t.Helper()
		got, err := s.Service(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if got.SourceCredentials == nil {
			return ""
		}
		p, err := ring.Open(*got.SourceCredentials, name+"/source")
		if err != nil {
			t.Fatal(err)
		}
		return string(p)
	}
	if got := opened("inv"); got != "u:pw" {
		t.Fatalf("after CreateService: %q", got)
	}
	if got := opened("plain"); got != "" {
		t.Fatalf("a service without: %q", got)
	}
	if all, err := s.Services(ctx); err != nil || len(all) != 2 || all[0].SourceCredentials == nil || all[1].SourceCredentials != nil {
		t.Fatalf("Services: %v, %v", all, err)
	}
	if err := s.SetAuth(ctx, "inv", []byte(`{"type":"basic"}`), map[string]secret.Sealed{"password": ring.Seal([]byte("x"), "inv/password")}); err != nil {
		t.Fatal(err)
	}
	if got := opened("inv"); got != "u:pw" {
		t.Fatalf("SetAuth dropped them: %q", got)
	}
	if err := s.SetAuth(ctx, "inv", []byte(`{}`), map[string]secret.Sealed{SourceCredentials: src}); err == nil {
		t.Fatal("SetAuth wrote the source's field")
	}
	other := ring.Seal([]byte("v:pw2"), "inv/source")
	sv.SourceCredentials = &other
	if err := s.ReplaceSource(ctx, sv); err != nil {
		t.Fatal(err)
	}
	if got := opened("inv"); got != "v:pw2" {
		t.Fatalf("after ReplaceSource: %q", got)
	}
	if c, _ := s.Credentials(ctx, "inv"); len(c) != 2 {
		t.Fatalf("auth credentials lost: %v", c)
	}
	sv.SourceCredentials = nil
	if err := s.ReplaceSource(ctx, sv); err != nil {
		t.Fatal(err)
	}
	if got := opened("inv"); got != "" {
		t.Fatalf("ReplaceSource without: %q", got)
	}
}
