package testpeer

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the absolute path of the repository root: the nearest
// folder, walking up from the test's working directory, that holds go.mod.
// It fails the test when there is none.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testpeer: working directory: %v", err)
	}
	for {
		if fi, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !fi.IsDir() {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("testpeer: no go.mod found above the working directory")
		}
		dir = parent
	}
}

// NodePeerDir returns the absolute path of test/peers/node, the folder whose
// node_modules holds node-soap. Node scripts that require("soap") run with
// this folder as their working directory (or under it).
func NodePeerDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "test", "peers", "node")
}

// OpenAPIClientDir returns the absolute path of test/peers/openapi-client,
// the folder whose node_modules holds openapi-typescript, openapi-fetch and
// typescript. Generated clients are written to a fresh folder under its
// out/ (ignored by git) so that node and tsc resolve those packages.
func OpenAPIClientDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(RepoRoot(t), "test", "peers", "openapi-client")
}

// SharedCorpus returns the absolute path of the shared conformance corpus,
// ../shared/corpus relative to the repository root. When that folder is
// absent the test is skipped, in CI too: a fresh clone without it passes.
func SharedCorpus(t testing.TB) string {
	t.Helper()
	dir := filepath.Clean(filepath.Join(RepoRoot(t), "..", "shared", "corpus"))
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		t.Skip("shared corpus not present")
	}
	return dir
}
