package provision

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Mosquitto 2's password hash, as mosquitto_passwd writes it:
//
//	user:$7$101$<salt>$<hash>
//
// "7" names PBKDF2 with HMAC-SHA512, 101 is the iteration count, the salt
// is 12 random bytes and the hash the 64-byte derived key, both in
// standard base64 with padding. Mosquitto reads the iteration count from
// the line, so older hashes with other counts still verify.
const (
	hashIterations = 101
	saltBytes      = 12
	hashBytes      = sha512.Size
)

// ErrBadHash is returned for a password-file hash that is not in the
// PBKDF2-SHA512 ($7$) format.
var ErrBadHash = errors.New("not a mosquitto $7$ password hash")

// HashPassword returns a Mosquitto 2 password hash ($7$...) of password
// with a fresh random salt.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read random salt: %w", err)
	}
	return hashWith(password, salt, hashIterations)
}

func hashWith(password string, salt []byte, iter int) (string, error) {
	key, err := pbkdf2.Key(sha512.New, password, salt, iter, hashBytes)
	if err != nil {
		return "", fmt.Errorf("derive password hash: %w", err)
	}
	enc := base64.StdEncoding
	return "$7$" + strconv.Itoa(iter) + "$" + enc.EncodeToString(salt) +
		"$" + enc.EncodeToString(key), nil
}

// CheckPassword reports whether password matches a $7$ hash; the error is
// ErrBadHash when the hash cannot be read.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 5 || parts[0] != "" || parts[1] != "7" {
		return false, ErrBadHash
	}
	iter, err := strconv.Atoi(parts[2])
	if err != nil || iter < 1 {
		return false, ErrBadHash
	}
	salt, err := base64.StdEncoding.DecodeString(parts[3])
	if err != nil {
		return false, ErrBadHash
	}
	want, err := hashWith(password, salt, iter)
	if err != nil {
		return false, err
	}
	return hmac.Equal([]byte(want), []byte(hash)), nil
}

// PasswordFile is the contents of a Mosquitto password file: user name to
// hash.
type PasswordFile map[string]string

// ParsePasswordFile reads a password file's lines of user:hash; blank
// lines and # comments are skipped.
func ParsePasswordFile(b []byte) (PasswordFile, error) {
	pf := PasswordFile{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, hash, ok := strings.Cut(line, ":")
		if !ok || user == "" {
			return nil, fmt.Errorf("password file line %d: want user:hash", n)
		}
		pf[user] = hash
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read password file: %w", err)
	}
	return pf, nil
}

// Bytes returns the file's contents, users sorted by name.
func (pf PasswordFile) Bytes() []byte {
	users := make([]string, 0, len(pf))
	for u := range pf {
		users = append(users, u)
	}
	sort.Strings(users)
	var b bytes.Buffer
	for _, u := range users {
		b.WriteString(u + ":" + pf[u] + "\n")
	}
	return b.Bytes()
}
