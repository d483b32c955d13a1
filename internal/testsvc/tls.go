package testsvc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a throwaway certificate authority with a server certificate for
// 127.0.0.1 and localhost and a client certificate, as PEM files in a
// test's temporary folder. Keys are ECDSA P-256; everything is valid for
// one day.
type PKI struct {
	// Dir holds the files.
	Dir string
	// CAFile is the CA certificate; it verifies both other certificates.
	CAFile string
	// ServerCert and ServerKey are the broker's certificate and key.
	ServerCert, ServerKey string
	// ClientCert and ClientKey are a client certificate (CN "hw-test")
	// and its key.
	ClientCert, ClientKey string
	// ServerName is a name in the server certificate.
	ServerName string
}

// NewPKI makes a CA and its server and client certificates.
func NewPKI(t testing.TB) *PKI {
	t.Helper()
	dir := t.TempDir()
	p := &PKI{Dir: dir, ServerName: "localhost",
		CAFile:     filepath.Join(dir, "ca.pem"),
		ServerCert: filepath.Join(dir, "server.pem"), ServerKey: filepath.Join(dir, "server.key"),
		ClientCert: filepath.Join(dir, "client.pem"), ClientKey: filepath.Join(dir, "client.key"),
	}
	caKey := newKey(t)
	caTmpl := certTemplate(t, "hw-test-ca")
	caTmpl.IsCA, caTmpl.BasicConstraintsValid = true, true
	caTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	caDER := sign(t, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	writePEM(t, p.CAFile, "CERTIFICATE", caDER, 0o644)
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatalf("parse test CA: %v", err)
	}

	srv := certTemplate(t, "localhost")
	srv.DNSNames = []string{"localhost"}
	srv.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	srv.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	p.issue(t, srv, ca, caKey, p.ServerCert, p.ServerKey)

	cli := certTemplate(t, "hw-test")
	cli.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	p.issue(t, cli, ca, caKey, p.ClientCert, p.ClientKey)
	return p
}

// ClientTLS returns a client TLS configuration that trusts the CA.
func (p *PKI) ClientTLS(t testing.TB) *tls.Config {
	t.Helper()
	b, err := os.ReadFile(p.CAFile)
	if err != nil {
		t.Fatalf("read test CA: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(b)
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func (p *PKI) issue(t testing.TB, tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey,
	certFile, keyFile string) {
	t.Helper()
	key := newKey(t)
	der := sign(t, tmpl, ca, &key.PublicKey, caKey)
	writePEM(t, certFile, "CERTIFICATE", der, 0o644)
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("encode test key: %v", err)
	}
	writePEM(t, keyFile, "PRIVATE KEY", kb, 0o600)
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate test key: %v", err)
	}
	return k
}

func certTemplate(t testing.TB, cn string) *x509.Certificate {
	t.Helper()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("test certificate serial: %v", err)
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"HazardWatch tests"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
}

func sign(t testing.TB, tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey,
	signer *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("sign test certificate %s: %v", tmpl.Subject.CommonName, err)
	}
	return der
}

func writePEM(t testing.TB, path, kind string, der []byte, mode os.FileMode) {
	t.Helper()
	b := pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

// TLSMosquitto is a private broker with a TLS listener beside the plain
// one of Mosquitto.
type TLSMosquitto struct {
	*Mosquitto
	// TLSPort is the TLS listener's port on 127.0.0.1.
	TLSPort int
	// PKI holds the CA that signed the broker's certificate.
	PKI *PKI
}

// StartMosquittoTLS starts a broker with a TLS listener (TLS 1.2 or
// later, server certificate from pki) on 127.0.0.1 beside its plain
// listener. Extra lines are appended to the configuration, such as
// "allow_anonymous false", "password_file F" or "acl_file F"; without
// per_listener_settings they apply to both listeners.
func StartMosquittoTLS(t testing.TB, pki *PKI, extra ...string) *TLSMosquitto {
	t.Helper()
	port := FreePort(t)
	lines := []string{
		fmt.Sprintf("listener %d 127.0.0.1", port),
		"cafile " + pki.CAFile,
		"certfile " + pki.ServerCert,
		"keyfile " + pki.ServerKey,
		"tls_version tlsv1.2",
	}
	if os.Geteuid() == 0 {
		// Started as root, Mosquitto 2 drops to the user "mosquitto"
		// before it reads certificates, password and ACL files, and
		// that user cannot enter the test's 0700 temporary folders.
		lines = append(lines, "user root")
	}
	m := StartMosquitto(t, append(lines, extra...)...)
	waitPort(t, port)
	return &TLSMosquitto{Mosquitto: m, TLSPort: port, PKI: pki}
}

// TLSURL is the TLS listener's address for an MQTT client.
func (m *TLSMosquitto) TLSURL() string { return fmt.Sprintf("ssl://127.0.0.1:%d", m.TLSPort) }

// waitPort waits until a listener answers on port, for a listener the
// process start did not wait for.
func waitPort(t testing.TB, port int) {
	t.Helper()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no listener on %s", addr)
}
