// Package store owns soapbridge's persistent state: registered services
// (their source, uploaded bundle and compiled model), the upstream auth
// configuration of each with its sealed secrets, API keys (hashes only),
// and the call log.
//
// The store is one SQLite file (modernc.org/sqlite, no cgo) in WAL mode,
// created with mode 0600 and migrated on Open. It holds secrets only in
// sealed form (package secret); it never sees a plaintext credential.
package store
