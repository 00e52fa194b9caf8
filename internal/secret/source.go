package secret

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// EnvVar is the environment variable that holds the master key(s).
const EnvVar = "SOAPBRIDGE_MASTER_KEY"

// Source is where the master keys come from: the value of EnvVar when it is
// set, else a key file.
type Source struct {
	Env  string // the value of EnvVar; "" when unset
	File string // the key file, used when Env is ""
}

// FromEnv reports whether the keys come from the environment.
func (s Source) FromEnv() bool { return s.Env != "" }

func (s Source) String() string {
	if s.FromEnv() {
		return "$" + EnvVar
	}
	return s.File
}

// Load reads the keyring. With no environment value and no key file, it
// creates the file with a new key (mode 0600, its directory 0700). A key
// file that its group or others may read is refused.
func (s Source) Load() (*Keyring, error) {
	if s.FromEnv() {
		r, err := parseKeys(strings.Split(s.Env, ","))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvVar, err)
		}
		return r, nil
	}
	data, err := s.readFile()
	if errors.Is(err, fs.ErrNotExist) {
		if err := s.create(); err != nil {
			return nil, err
		}
		data, err = s.readFile()
	}
	if err != nil {
		return nil, err
	}
	r, err := parseKeys(strings.Split(string(data), "\n"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	return r, nil
}

// create writes a key file with a new key.
func (s Source) create() error {
	if err := os.MkdirAll(filepath.Dir(s.File), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(s.File, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("secret: creating the master key file: %w", err)
	}
	_, err = f.WriteString(GenerateKey() + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("secret: writing %s: %w", s.File, err)
	}
	return nil
}

// readFile reads the key file after checking its permissions.
func (s Source) readFile() ([]byte, error) {
	fi, err := os.Stat(s.File)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret: the master key file %s has mode %04o: others can read it; run chmod 600 %s (and consider rotating the key)", s.File, fi.Mode().Perm(), s.File)
	}
	return os.ReadFile(s.File)
}

// Stamp returns a value that changes when the key file does, so a running
// gateway can notice a rotation cheaply. It is "" for the environment.
func (s Source) Stamp() string {
	if s.FromEnv() {
		return ""
	}
	fi, err := os.Stat(s.File)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%d/%d", fi.ModTime().UnixNano(), fi.Size())
}

// Write replaces the key file with the given keys, the current first, by
// writing a new file (mode 0600) and renaming it into place.
func (s Source) Write(keys []string) error {
	if s.FromEnv() {
		return fmt.Errorf("secret: the master keys come from %s; change it there", EnvVar)
	}
	if _, err := parseKeys(keys); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.File), ".master.key.*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(strings.Join(keys, "\n") + "\n"); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.File)
}

// Texts returns the base64 texts of the keys, the current first; with the
// keyring they are what Write takes.
func (s Source) Texts() ([]string, error) {
	var lines []string
	if s.FromEnv() {
		lines = strings.Split(s.Env, ",")
	} else {
		data, err := s.readFile()
		if err != nil {
			return nil, err
		}
		lines = strings.Split(string(data), "\n")
	}
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, nil
}

func parseKeys(lines []string) (*Keyring, error) {
	var keys []*Key
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, err := ParseKey(l)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", i+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("secret: no master key")
	}
	return NewKeyring(keys[0], keys[1:]...), nil
}
