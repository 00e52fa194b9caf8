// Package apikey makes and checks the API keys clients send in X-API-Key.
//
// A key reads sbk_<id>_<secret>: the id (10 base32 characters) finds the
// key's record without revealing anything; the secret is 256 random bits.
// Only the SHA-256 hash of the whole key is stored, and a presented key is
// compared with it in constant time. Keys are high-entropy, so a fast hash
// is the right one: there is nothing to brute-force.
package apikey
