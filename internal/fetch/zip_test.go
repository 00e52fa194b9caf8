package fetch_test

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"

	"github.com/soapbridge/soapbridge/internal/fetch"
)

// manyEntries is a zip of one WSDL and n empty files.
func manyEntries(t testing.TB, n int) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("svc.wsdl")
	w.Write([]byte(`<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>`))
	for i := range n {
		if _, err := zw.Create("f" + strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestZipEntriesBounded: a bundle of more files than MaxDocuments is
// refused before archive/zip reads its directory, even when its end
// record understates the count (archive/zip reads every entry there is
// and compares only the low 16 bits of the count).
func TestZipEntriesBounded(t *testing.T) {
	lim := fetch.Limits{MaxDocuments: 100}
	if _, err := fetch.ZipReader(manyEntries(t, 99), "ok.zip", lim); err != nil {
		t.Fatal(err)
	}
	if _, _, err := fetch.OpenZip(manyEntries(t, 99), "ok.zip", fetch.Options{Limits: lim}); err != nil {
		t.Fatal(err)
	}
	data := manyEntries(t, 100)
	// Claim one entry: the end of central directory record is the last
	// 22 bytes; its counts are at offsets 8 and 10.
	end := data[len(data)-22:]
	binary.LittleEndian.PutUint16(end[8:], 1)
	binary.LittleEndian.PutUint16(end[10:], 1)
	for _, open := range []func() error{
		func() error { _, err := fetch.ZipReader(data, "many.zip", lim); return err },
		func() error { _, _, err := fetch.OpenZip(data, "many.zip", fetch.Options{Limits: lim}); return err },
	} {
		if err := open(); err == nil || !strings.Contains(err.Error(), "more than 100 files") {
			t.Errorf("got %v, want a refusal of more than 100 files", err)
		}
	}
}

// TestZipBombRefused: an entry that expands more than 200 times past
// 1 MiB is refused before it is read (60 KB of zip expanded into 60 MB of
// <d/> took 2.5 GB to parse).
func TestZipBombRefused(t *testing.T) {
	for size, ok := range map[int]bool{1 << 19: true, 8 << 20: false} {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.Create("svc.wsdl")
		w.Write([]byte(`<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><documentation>`))
		w.Write(bytes.Repeat([]byte("<d/>"), size/4))
		w.Write([]byte(`</documentation></definitions>`))
		zw.Close()
		_, _, err := fetch.OpenZip(b.Bytes(), "b.zip", fetch.Options{})
		if got := err == nil; got != ok || !ok && !strings.Contains(err.Error(), "zip bomb") {
			t.Errorf("%d bytes of markup in %d bytes of zip: %v", size, b.Len(), err)
		}
	}
}

// TestZipDuplicateNamesRefused: two entries of one name (after cleaning)
// are refused: which one a reader takes is arbitrary.
func TestZipDuplicateNamesRefused(t *testing.T) {
	for names, ok := range map[[2]string]bool{{"a.xsd", "b.xsd"}: true, {"a.xsd", "a.xsd"}: false, {"x/a.xsd", "x//./a.xsd"}: false, {"d/", "d/"}: true} {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, _ := zw.Create("svc.wsdl")
		w.Write([]byte(`<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"/>`))
		for _, n := range names {
			zw.Create(n)
		}
		zw.Close()
		_, err := fetch.ZipReader(b.Bytes(), "b.zip", fetch.Limits{})
		if got := err == nil; got != ok || !ok && !strings.Contains(err.Error(), "twice") {
			t.Errorf("%q: %v", names, err)
		}
	}
}
