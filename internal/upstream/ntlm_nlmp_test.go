package upstream

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
	"unicode/utf16"

	ntlmssp "github.com/Azure/go-ntlmssp"
)

// The worked example of [MS-NLMP] section 4.2: the common values of 4.2.1
// and the NTLMv2 values of 4.2.4. soapbridge computes its NTLM messages with
// github.com/Azure/go-ntlmssp, whose computations are unexported; these
// tests drive its public API with the specification's inputs and check its
// messages against the specification's published values.
var (
	nlmpUser            = "User"
	nlmpDomain          = "Domain"
	nlmpPassword        = "Password"
	nlmpServerChallenge = unhex("0123456789abcdef")
	nlmpClientChallenge = unhex("aaaaaaaaaaaaaaaa")
	// 4.2.4.3: the CHALLENGE_MESSAGE, target name "Server", target info
	// MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL.
	nlmpTargetInfo = unhex("02000c0044006f006d00610069006e00" + "01000c00530065007200760065007200" + "00000000")
	nlmpChallenge  = append(unhex("4e544c4d53535000"+"02000000"+"0c000c0038000000"+"33828ae2"+
		"0123456789abcdef"+"0000000000000000"+"2400240044000000"+"060070170000000f"+
		"530065007200760065007200"), nlmpTargetInfo...)
	// 4.2.4.1.1: NTOWFv2("Password", "User", "Domain"), the ResponseKeyNT.
	nlmpResponseKeyNT = unhex("0c868a403bfd7a93a3001ef22ef02e3f")
	// 4.2.4.2.1: the LMv2 response.
	nlmpLMv2Response = unhex("86c35097ac9cec102554764a57cccc19" + "aaaaaaaaaaaaaaaa")
	// 4.2.4.2.2: NTProofStr, the first 16 bytes of the NTLMv2 response,
	// with Time zero.
	nlmpNTProofStr = unhex("68cd0ab851e51c96aabc927bebef6a1c")
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

const (
	flagKeyExch = 0x40000000 // NTLMSSP_NEGOTIATE_KEY_EXCH
	flagLMKey   = 0x00000080 // NTLMSSP_NEGOTIATE_LM_KEY
)

// nlmpChallengeWith returns the specification's CHALLENGE_MESSAGE with its
// flags changed, and without target info when noTargetInfo.
func nlmpChallengeWith(set, clear uint32, noTargetInfo bool) []byte {
	m := bytes.Clone(nlmpChallenge)
	flags := binary.LittleEndian.Uint32(m[20:])
	binary.LittleEndian.PutUint32(m[20:], flags&^clear|set)
	if noTargetInfo {
		m = m[:0x38+12]                          // header and target name
		binary.LittleEndian.PutUint32(m[40:], 0) // TargetInfoFields: length and max length 0
	}
	return m
}

// fixedClientChallenge makes crypto/rand, from which go-ntlmssp draws the
// client challenge, return the specification's ClientChallenge for the
// length of the test (which must not run in parallel).
func fixedClientChallenge(t *testing.T) {
	old := rand.Reader
	rand.Reader = repeatReader(0xaa)
	t.Cleanup(func() { rand.Reader = old })
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// authenticateFields reads the payload fields of an AUTHENTICATE_MESSAGE
// ([MS-NLMP] 2.2.1.3): LmChallengeResponse, NtChallengeResponse,
// DomainName, UserName, Workstation.
func authenticateFields(t *testing.T, m []byte) (lm, nt []byte, domain, user string) {
	t.Helper()
	if len(m) < 64 || string(m[:8]) != "NTLMSSP\x00" || binary.LittleEndian.Uint32(m[8:]) != 3 {
		t.Fatalf("not an AUTHENTICATE_MESSAGE: %x", m)
	}
	field := func(at int) []byte {
		n := int(binary.LittleEndian.Uint16(m[at:]))
		off := int(binary.LittleEndian.Uint32(m[at+4:]))
		if off+n > len(m) {
			t.Fatalf("field at %d out of range", at)
		}
		return m[off : off+n]
	}
	return field(12), field(20), utf16le(field(28)), utf16le(field(36))
}

func utf16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// ntProofStr is [MS-NLMP] 3.3.2's NTProofStr = HMAC_MD5(ResponseKeyNT,
// ServerChallenge || temp).
func ntProofStr(key, serverChallenge, temp []byte) []byte {
	mac := hmac.New(md5.New, key)
	mac.Write(serverChallenge)
	mac.Write(temp)
	return mac.Sum(nil)
}

// nlmpTemp is 3.3.2's temp: the NTLMv2_CLIENT_CHALLENGE with its trailing
// four zero bytes.
func nlmpTemp(time, clientChallenge, targetInfo []byte) []byte {
	temp := []byte{1, 1, 0, 0, 0, 0, 0, 0}
	temp = append(temp, time...)
	temp = append(temp, clientChallenge...)
	temp = append(temp, 0, 0, 0, 0)
	temp = append(temp, targetInfo...)
	return append(temp, 0, 0, 0, 0)
}

// TestNLMPLMv2Response: answering a challenge without target info, the
// library sends exactly the LMv2 response of 4.2.4.2.1, which derives from
// NTOWFv2 of the user, domain and password (4.2.4.1.1).
func TestNLMPLMv2Response(t *testing.T) {
	fixedClientChallenge(t)
	msg, err := ntlmssp.NewAuthenticateMessage(nlmpChallengeWith(0, flagKeyExch, true), nlmpDomain+`\`+nlmpUser, nlmpPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	lm, _, domain, user := authenticateFields(t, msg)
	if !bytes.Equal(lm, nlmpLMv2Response) {
		t.Errorf("LMv2 response\n got %x\nwant %x", lm, nlmpLMv2Response)
	}
	if domain != nlmpDomain || user != nlmpUser {
		t.Errorf("domain %q, user %q", domain, user)
	}
}

// TestNLMPNTLMv2Response: answering the CHALLENGE_MESSAGE of 4.2.4.3, the
// library's NTLMv2 response is NTProofStr || temp with the specification's
// client challenge and target info, and its NTProofStr is the HMAC under
// the ResponseKeyNT of 4.2.4.1.1. The reference computation is checked
// first against the NTProofStr of 4.2.4.2.2 (Time zero); the library takes
// the time from its clock, so its proof is checked with the same reference.
func TestNLMPNTLMv2Response(t *testing.T) {
	zero := make([]byte, 8)
	if got := ntProofStr(nlmpResponseKeyNT, nlmpServerChallenge, nlmpTemp(zero, nlmpClientChallenge, nlmpTargetInfo)); !bytes.Equal(got, nlmpNTProofStr) {
		t.Fatalf("the reference NTProofStr is %x, the specification's %x", got, nlmpNTProofStr)
	}
	fixedClientChallenge(t)
	msg, err := ntlmssp.NewAuthenticateMessage(nlmpChallengeWith(0, flagKeyExch, false), nlmpDomain+`\`+nlmpUser, nlmpPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, nt, domain, user := authenticateFields(t, msg)
	if domain != nlmpDomain || user != nlmpUser {
		t.Errorf("domain %q, user %q", domain, user)
	}
	if len(nt) != 16+28+len(nlmpTargetInfo)+4 {
		t.Fatalf("NTLMv2 response of %d bytes: %x", len(nt), nt)
	}
	proof, temp := nt[:16], nt[16:]
	if want := nlmpTemp(temp[8:16], nlmpClientChallenge, nlmpTargetInfo); !bytes.Equal(temp, want) {
		t.Errorf("NTLMv2_CLIENT_CHALLENGE\n got %x\nwant %x (any time)", temp, want)
	}
	if want := ntProofStr(nlmpResponseKeyNT, nlmpServerChallenge, temp); !bytes.Equal(proof, want) {
		t.Errorf("NTProofStr %x, want %x", proof, want)
	}
	// A wrong password gives another proof: the check above has teeth.
	other, err := ntlmssp.NewAuthenticateMessage(nlmpChallengeWith(0, flagKeyExch, false), nlmpDomain+`\`+nlmpUser, "password", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, nt2, _, _ := authenticateFields(t, other); bytes.Equal(ntProofStr(nlmpResponseKeyNT, nlmpServerChallenge, nt2[16:]), nt2[:16]) {
		t.Error("the proof of another password verifies")
	}
}

// TestNLMPv1AndKeyExchangeRefused: the library speaks NTLMv2 only and does
// no key exchange. The challenges of 4.2.2 (NTLMv1, here asking for the LM
// key) and 4.2.4 (with KEY_EXCH) as sent are refused, and the transport
// says why rather than sending a weaker answer.
func TestNLMPv1AndKeyExchangeRefused(t *testing.T) {
	for name, challenge := range map[string][]byte{
		"lm_key":   nlmpChallengeWith(flagLMKey, flagKeyExch, false),
		"key_exch": nlmpChallenge,
	} {
		if _, err := ntlmssp.NewAuthenticateMessage(challenge, nlmpDomain+`\`+nlmpUser, nlmpPassword, nil); err == nil {
			t.Errorf("%s: answered", name)
		} else if !strings.Contains(err.Error(), "v1") && !strings.Contains(err.Error(), "key exchange") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
