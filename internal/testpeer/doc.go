// Package testpeer is the test-only toolkit for tests that talk to real
// things: real SOAP peers (PHP SoapServer, node-soap), the python3-zeep
// oracle, xmllint, chromium, the OpenAPI client generator
// (openapi-typescript), and the shared conformance corpus.
//
// It owns three contracts that every test in the repository relies on:
//
//   - Require(t, peer) returns the path of a working peer. When the peer is
//     missing, the test fails under CI=true (./scripts/test.sh, run by
//     .ci/run, installs every peer, so a missing one is a broken install)
//     and is skipped otherwise, with the command that installs it.
//   - SharedCorpus(t) returns ../shared/corpus next to the repository and
//     skips the test when it is absent, in CI too: a fresh clone without it
//     must pass.
//   - StartProcess(t, ...) runs a long-lived server for the length of a test,
//     kills its whole process group in t.Cleanup and shows its output when
//     the test fails.
//
// ZeepInspect runs test/zeep/inspect.py, the independent oracle that lists a
// WSDL's SOAP operations as zeep sees them.
//
// Probe results are cached once per process and peer; nothing else is
// global. The package is imported only from _test.go files.
package testpeer
