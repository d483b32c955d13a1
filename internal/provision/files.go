package provision

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hazardwatch/hazardwatch/internal/secret"
	"github.com/hazardwatch/hazardwatch/internal/yamlconf"
)

// passwordBytes of randomness make a 32-character password (192 bits).
const passwordBytes = 24

// Credentials is a credentials file: one broker user and its password.
type Credentials struct {
	Username string `yaml:"username"`
	// Password prints as [redacted]; Reveal gives the text.
	Password secret.String `yaml:"password"`
}

// ReadCredentials reads a credentials file written by Run.
func ReadCredentials(path string) (Credentials, error) {
	var c Credentials
	if err := yamlconf.Load(path, &c); err != nil {
		return c, fmt.Errorf("read credentials: %w", err)
	}
	return c, nil
}

func (c Credentials) bytes() []byte {
	return []byte(fmt.Sprintf("# Broker credentials written by hw-provision. Keep secret.\n"+
		"username: %q\npassword: %q\n", c.Username, c.Password.Reveal()))
}

// writer keeps the users of one run and what the password file held.
type writer struct {
	out     string
	rotate  bool
	old     PasswordFile
	users   map[string]string // user name to password
	created int
}

func (w *writer) loadPasswordFile() error {
	w.users = map[string]string{}
	b, err := os.ReadFile(filepath.Join(w.out, "mosquitto", "passwd"))
	if errors.Is(err, fs.ErrNotExist) {
		w.old = PasswordFile{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("read password file: %w", err)
	}
	w.old, err = ParsePasswordFile(b)
	return err
}

// credentials returns the password of user, kept from the credentials
// file at rel (under the output folder) or made anew, and writes the file.
func (w *writer) credentials(rel, user string) (string, error) {
	path := filepath.Join(w.out, rel)
	c, err := ReadCredentials(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", err
	case c.Username != user:
		return "", fmt.Errorf("%s: holds user %q, want %q", path, c.Username, user)
	}
	if w.rotate || c.Password == "" {
		c = Credentials{Username: user}
		pw, err := newPassword()
		if err != nil {
			return "", err
		}
		c.Password = secret.String(pw)
		w.created++
	}
	w.users[user] = c.Password.Reveal()
	if err := writeFile(path, c.bytes(), 0o600); err != nil {
		return "", err
	}
	return c.Password.Reveal(), nil
}

// writeBrokerFiles writes the password file and the ACL. A user's old
// hash is kept when it still matches, so a re-run without changes leaves
// the password file as it was.
func (w *writer) writeBrokerFiles(centerUser string, gws []Gateway) error {
	pf := PasswordFile{}
	for user, pw := range w.users {
		if ok, _ := CheckPassword(w.old[user], pw); ok {
			pf[user] = w.old[user]
			continue
		}
		h, err := HashPassword(pw)
		if err != nil {
			return err
		}
		pf[user] = h
	}
	dir := filepath.Join(w.out, "mosquitto")
	if err := writeFile(filepath.Join(dir, "passwd"), pf.Bytes(), 0o600); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "acl"), ACL(centerUser, gws), 0o644)
}

func newPassword() (string, error) {
	b := make([]byte, passwordBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("read random password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// writeFile replaces path atomically with data and the given mode,
// creating its folder (0700) when missing: a reader never sees half a
// file, and a secret is never readable by others, not even briefly.
func writeFile(path string, data []byte, mode os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create folder: %w", err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
