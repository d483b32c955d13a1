package provision

import (
	"crypto/tls"
	"strconv"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/hazardwatch/hazardwatch/internal/testsvc"
)

// TestTLSMosquittoHandshake checks testsvc's TLS broker: it connects over the TLS listener with the
// test CA, and fails to without trusting it.
func TestTLSMosquittoHandshake(t *testing.T) {
	pki := testsvc.NewPKI(t)
	m := testsvc.StartMosquittoTLS(t, pki)

	addr := "127.0.0.1:" + strconv.Itoa(m.TLSPort)
	c, err := tls.Dial("tcp", addr, pki.ClientTLS(t))
	if err != nil {
		t.Fatalf("TLS handshake with the test CA: %v", err)
	}
	if v := c.ConnectionState().Version; v < tls.VersionTLS12 {
		t.Errorf("TLS version %x, want at least 1.2", v)
	}
	c.Close()
	if c, err := tls.Dial("tcp", addr, &tls.Config{MinVersion: tls.VersionTLS12}); err == nil {
		c.Close()
		t.Error("handshake succeeded without trusting the test CA")
	}

	o := mqtt.NewClientOptions().AddBroker(m.TLSURL()).SetClientID("tls-probe").
		SetTLSConfig(pki.ClientTLS(t)).SetConnectTimeout(5 * time.Second)
	cl := mqtt.NewClient(o)
	if tok := cl.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("MQTT over TLS: %v\n%s", tok.Error(), m.Log())
	}
	cl.Disconnect(100)
}
