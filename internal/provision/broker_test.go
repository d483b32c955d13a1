package provision

import (
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/hazardwatch/hazardwatch/internal/testsvc"
)

// TestProvisionBrokerAcceptsGeneratedFiles starts the real Mosquitto with
// the generated password file and ACL: every generated user logs in over
// TLS, a wrong password and an anonymous client are refused.
func TestProvisionBrokerAcceptsGeneratedFiles(t *testing.T) {
	o := testOptions(t)
	res, err := Run(o, quietLogger(io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	m := testsvc.StartMosquittoTLS(t, testsvc.NewPKI(t), "allow_anonymous false",
		"password_file "+filepath.Join(o.Out, "mosquitto", "passwd"),
		"acl_file "+filepath.Join(o.Out, "mosquitto", "acl"))

	creds := []string{filepath.Join(o.Out, "center", "credentials.yaml")}
	for _, g := range res.Gateways {
		creds = append(creds, filepath.Join(o.Out, "gateways", g.Enterprise, g.ID, "credentials.yaml"))
	}
	for _, path := range creds {
		c, err := ReadCredentials(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := connect(t, m, c.Username, c.Password.Reveal()); err != nil {
			t.Errorf("%s: refused: %v", c.Username, err)
		}
		if err := connect(t, m, c.Username, c.Password.Reveal()+"x"); err == nil {
			t.Errorf("%s: wrong password accepted", c.Username)
		}
	}
	if err := connect(t, m, "", ""); err == nil {
		t.Error("anonymous client accepted")
	}
}

func connect(t *testing.T, m *testsvc.TLSMosquitto, user, password string) error {
	o := mqtt.NewClientOptions().AddBroker(m.TLSURL()).SetClientID("probe-" + user).
		SetTLSConfig(m.PKI.ClientTLS(t)).SetConnectTimeout(5 * time.Second).
		SetUsername(user).SetPassword(password).SetAutoReconnect(false)
	c := mqtt.NewClient(o)
	tok := c.Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		return io.ErrNoProgress
	}
	if tok.Error() == nil {
		c.Disconnect(50)
	}
	return tok.Error()
}

// connectPlain connects anonymously to a plain listener.
func connectPlain(port int) error {
	o := mqtt.NewClientOptions().AddBroker(fmt.Sprintf("tcp://127.0.0.1:%d", port)).
		SetClientID("anonymous").SetAutoReconnect(false).SetConnectTimeout(5 * time.Second)
	tok := mqtt.NewClient(o).Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		return io.ErrNoProgress
	}
	return tok.Error()
}
