// Package secret owns the master key and the encryption of upstream
// credentials at rest.
//
// Every value is sealed with AES-256-GCM under a fresh random 96-bit nonce,
// with associated data that binds the ciphertext to what it is (the service
// and field it belongs to), so a ciphertext copied into another row does not
// open. A Sealed value carries the id of the key that sealed it.
//
// A Keyring holds the current master key, which seals, and older keys,
// which only open: that is what lets rotation re-encrypt values one by one
// while the gateway keeps serving. Keys come from SOAPBRIDGE_MASTER_KEY
// (base64 of 32 bytes; several separated by commas, the current first) or
// from a key file created with mode 0600 on first use (one base64 key per
// line, the current first). A key file that others can read is refused.
package secret
