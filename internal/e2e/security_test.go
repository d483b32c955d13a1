package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/hazardwatch/hazardwatch/edge/agent"
	"github.com/hazardwatch/hazardwatch/internal/provision"
	"github.com/hazardwatch/hazardwatch/internal/secret"
	"github.com/hazardwatch/hazardwatch/internal/testsvc"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// The demo enterprise; the secure plant allows it a second gateway, gw-02,
// which plays the intruder.
const demoEnterprise = "91320500MA1TANK01X"

// securePlant is the demo plant behind a Mosquitto that takes only TLS
// (plus its plain listener, also password-protected) and the password
// file and ACL that hw-provision made from the center's registry.
type securePlant struct {
	*plant
	tls *testsvc.TLSMosquitto
	out string // hw-provision's output folder
}

// startSecurePlant provisions the demo registry (with gw-02 added),
// starts the broker with the generated files, and points the center (as
// the center user, over TLS) and the edge (from gw-01's generated
// skeleton plus the demo's devices) at it.
func startSecurePlant(t *testing.T, poll time.Duration) *securePlant {
	t.Helper()
	p := startPlant(t, poll) // its anonymous broker is left unused
	sp := &securePlant{plant: p, out: filepath.Join(t.TempDir(), "provisioned")}

	// Step 1: the registry allows gw-01 and gw-02.
	demo, err := os.ReadFile(repoFile("configs/registry-tankfarm.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	reg := strings.Replace(string(demo), "gateways: [gw-01]", "gateways: [gw-01, gw-02]", 1)
	if reg == string(demo) {
		t.Fatal("the demo registry no longer lists gateways: [gw-01]")
	}
	regPath := filepath.Join(t.TempDir(), "registry.yaml")
	if err := os.WriteFile(regPath, []byte(reg), 0o644); err != nil {
		t.Fatal(err)
	}

	// Step 2: provision, start the broker with the files, and provision
	// again with the broker's real URL: the passwords stay.
	pki := testsvc.NewPKI(t)
	o := provision.DefaultOptions()
	o.Registry, o.Out, o.EdgeCAFile = regPath, sp.out, pki.CAFile
	sp.provision(o)
	sp.tls = testsvc.StartMosquittoTLS(t, pki, "allow_anonymous false",
		"password_file "+filepath.Join(sp.out, "mosquitto", "passwd"),
		"acl_file "+filepath.Join(sp.out, "mosquitto", "acl"))
	o.BrokerURL = sp.tls.TLSURL()
	sp.provision(o)
	p.broker = sp.tls.Mosquitto

	// Step 3: the center as the center user, over TLS.
	center := sp.credentials("center")
	p.center.Registry.Path = regPath
	p.center.MQTT.Broker = sp.tls.TLSURL()
	p.center.MQTT.Username = center.Username
	p.center.MQTT.Password = center.Password
	p.center.MQTT.TLS.CAFile = pki.CAFile

	// Step 4: the edge from gw-01's skeleton and the demo's devices.
	skeleton, err := os.ReadFile(filepath.Join(sp.gatewayDir("gw-01"), "edge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	edgeDemo, err := os.ReadFile(repoFile("configs/edge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	devices := string(edgeDemo)[strings.Index(string(edgeDemo), "\ndevices:"):]
	cfg, err := agent.ParseConfig(append(skeleton, devices...))
	if err != nil {
		t.Fatalf("gw-01's skeleton with the demo's devices: %v", err)
	}
	cfg.MQTT.MaxReconnectInterval = time.Second
	cfg.Buffer.Dir = p.edgeCfg.Buffer.Dir
	cfg.HTTP.Listen = "127.0.0.1:0"
	for i := range cfg.Devices {
		cfg.Devices[i].Address = p.sim.Addr()
		cfg.Devices[i].PollInterval = poll
	}
	p.edgeCfg = cfg
	return sp
}

func (sp *securePlant) provision(o provision.Options) {
	sp.t.Helper()
	if _, err := provision.Run(o, testLogger(sp.t)); err != nil {
		sp.t.Fatalf("provision: %v", err)
	}
}

func (sp *securePlant) gatewayDir(gw string) string {
	return filepath.Join(sp.out, "gateways", demoEnterprise, gw)
}

// credentials reads the generated credentials of "center" or a gateway.
func (sp *securePlant) credentials(who string) provision.Credentials {
	sp.t.Helper()
	path := filepath.Join(sp.out, "center", "credentials.yaml")
	if who != "center" {
		path = filepath.Join(sp.gatewayDir(who), "credentials.yaml")
	}
	c, err := provision.ReadCredentials(path)
	if err != nil {
		sp.t.Fatal(err)
	}
	return c
}

// client connects to the TLS listener as user; clean session.
func (sp *securePlant) client(id, user string, password secret.String) (mqtt.Client, error) {
	o := mqtt.NewClientOptions().AddBroker(sp.tls.TLSURL()).SetClientID(id).
		SetTLSConfig(sp.tls.PKI.ClientTLS(sp.t)).SetUsername(user).
		SetPassword(password.Reveal()).SetAutoReconnect(false).
		SetConnectTimeout(5 * time.Second)
	c := mqtt.NewClient(o)
	tok := c.Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		return nil, fmt.Errorf("connect %s: %w", user, context.DeadlineExceeded)
	}
	if err := tok.Error(); err != nil {
		return nil, fmt.Errorf("connect %s: %w", user, err)
	}
	sp.t.Cleanup(func() { c.Disconnect(50) })
	return c, nil
}

// watcher records the topics and payloads a subscriber receives.
type watcher struct {
	mu   sync.Mutex
	msgs []string // "topic payload"
}

func (w *watcher) handle(_ mqtt.Client, m mqtt.Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, m.Topic()+" "+string(m.Payload()))
}

// count returns how many received messages contain s.
func (w *watcher) count(s string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, m := range w.msgs {
		if strings.Contains(m, s) {
			n++
		}
	}
	return n
}

func telemetryPayload(point string, value float64) string {
	now := time.Now().UnixMilli()
	return fmt.Sprintf(`{"v":1,"epoch":%d,"seq":1,"sent":%d,"readings":[{"p":%q,"t":%d,"v":%g,"q":"good"}]}`,
		now, now, point, now, value)
}

// TestSecurityGatewayConfinedToItsTopics has gateway gw-02, with its own
// valid credentials, publish under gw-01's topics and another
// enterprise's. With Mosquitto 2 and MQTT 3.1.1 the broker acknowledges a
// denied QoS 1 publish (PUBACK) and drops it, so the intruder sees
// success; what matters is that no subscriber gets the message and the
// center never stores it. gw-02's publish on its own topic is the
// control: it is delivered and stored. gw-02 may read nothing, so its
// subscription to everything gets none of gw-01's telemetry.
func TestSecurityGatewayConfinedToItsTopics(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	sp := startSecurePlant(t, 250*time.Millisecond)
	sp.runCenter()

	// Step 1: a spy with the center's user sees what the broker lets
	// through; gw-02 subscribes to everything.
	center := sp.credentials("center")
	spy, err := sp.client("spy", center.Username, center.Password)
	if err != nil {
		t.Fatal(err)
	}
	var seen, leaked watcher
	for _, f := range []string{"hw/v1/+/+/telemetry", "hw/v1/+/+/status"} {
		if tok := spy.Subscribe(f, 1, seen.handle); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("spy subscribe %s: %v", f, tok.Error())
		}
	}
	gw2 := sp.credentials("gw-02")
	intruder, err := sp.client("intruder", gw2.Username, gw2.Password)
	if err != nil {
		t.Fatal(err)
	}
	sub := intruder.Subscribe("hw/v1/#", 1, leaked.handle)
	if !sub.WaitTimeout(10*time.Second) || sub.Error() != nil {
		t.Fatalf("gw-02 subscribe: %v", sub.Error())
	}
	t.Logf("gw-02's subscription to hw/v1/# was answered with %v", sub.(*mqtt.SubscribeToken).Result())
	sp.runEdge()

	// Step 2: the forged messages, then the control.
	forged := []struct{ topic, payload string }{
		{wire.TelemetryTopic(demoEnterprise, "gw-01"), telemetryPayload("INTRUDER-1", 99)},
		{wire.TelemetryTopic("91320500MA1OTHER9Z", "gw-01"), telemetryPayload("INTRUDER-2", 99)},
		{wire.StatusTopic(demoEnterprise, "gw-01"), `{"v":1,"state":"offline","t":1,"agent":"INTRUDER-3"}`},
	}
	for _, f := range forged {
		tok := intruder.Publish(f.topic, 1, false, f.payload)
		if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("forged publish on %s: %v (Mosquitto 2 acknowledges and drops it)", f.topic, tok.Error())
		}
	}
	if !intruder.IsConnectionOpen() {
		t.Error("the broker closed gw-02's connection after a denied publish")
	}
	own := wire.TelemetryTopic(demoEnterprise, "gw-02")
	if tok := intruder.Publish(own, 1, false, telemetryPayload("GW2-PROBE", 7)); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("gw-02 publish on its own topic: %v", tok.Error())
	}

	// Step 3: the control and gw-01's telemetry arrive and are stored;
	// the forged messages never.
	ctx := context.Background()
	waitFor(t, 30*time.Second, "gw-02's own reading to be stored", func() bool {
		return len(sp.readings(ctx)["GW2-PROBE"]) == 1
	})
	waitFor(t, 30*time.Second, "gw-01's telemetry to reach the spy", func() bool {
		return seen.count("/gw-01/telemetry") > 0
	})
	time.Sleep(time.Second) // anything forged would have come by now
	stored := sp.readings(ctx)
	for _, point := range []string{"INTRUDER-1", "INTRUDER-2"} {
		if n := len(stored[point]); n != 0 {
			t.Errorf("the center stored %d readings of the forged point %s", n, point)
		}
	}
	for _, mark := range []string{"INTRUDER-1", "INTRUDER-2", "INTRUDER-3"} {
		if n := seen.count(mark); n != 0 {
			t.Errorf("the broker delivered %d forged messages marked %s", n, mark)
		}
	}
	if seen.count("GW2-PROBE") != 1 {
		t.Errorf("the spy got gw-02's own message %d times, want 1", seen.count("GW2-PROBE"))
	}
	if n := leaked.count("/gw-01/"); n != 0 {
		t.Errorf("gw-02 read %d of gw-01's messages; gateways may read nothing", n)
	}
}

// TestSecurityRefusesBadCredentials: a wrong password, another user's
// password, no credentials and a client that does not trust the broker's
// CA are all refused; the right credentials connect.
func TestSecurityRefusesBadCredentials(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	sp := startSecurePlant(t, time.Second)
	gw1, gw2 := sp.credentials("gw-01"), sp.credentials("gw-02")
	for _, tc := range []struct {
		name     string
		user     string
		password secret.String
		ok       bool
	}{
		{"right password", gw1.Username, gw1.Password, true},
		{"wrong password", gw1.Username, gw1.Password + "x", false},
		{"another gateway's password", gw1.Username, gw2.Password, false},
		{"unknown user", "91320500MA1TANK01X.gw-99", gw1.Password, false},
		{"no credentials", "", "", false},
	} {
		_, err := sp.client("probe", tc.user, tc.password)
		if (err == nil) != tc.ok {
			t.Errorf("%s: connect err = %v, want success %v", tc.name, err, tc.ok)
		}
		if err != nil && strings.Contains(err.Error(), tc.password.Reveal()) && tc.password != "" {
			t.Errorf("%s: the error shows the password", tc.name)
		}
	}

	// A client without the CA does not get past the TLS handshake.
	o := mqtt.NewClientOptions().AddBroker(sp.tls.TLSURL()).SetClientID("no-ca").
		SetUsername(gw1.Username).SetPassword(gw1.Password.Reveal()).
		SetAutoReconnect(false).SetConnectTimeout(5 * time.Second)
	tok := mqtt.NewClient(o).Connect()
	if tok.WaitTimeout(10*time.Second) && tok.Error() == nil {
		t.Error("a client that does not trust the broker's CA connected")
	}
}

// TestSecurityEdgeDeliversOverTLS runs the edge agent with gw-01's
// generated skeleton (TLS, user and password) and the center as the
// center user: every point of the demo arrives in InfluxDB.
func TestSecurityEdgeDeliversOverTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	sp := startSecurePlant(t, 250*time.Millisecond)
	sp.runCenter()
	sp.runEdge()
	ctx := context.Background()
	want := 0
	for _, d := range sp.edgeCfg.Devices {
		want += len(d.Points)
	}
	var stored map[string][]stored
	waitFor(t, 30*time.Second, "every point to be stored", func() bool {
		stored = sp.readings(ctx)
		return len(stored) == want
	})
	for point, rs := range stored {
		if len(rs) == 0 {
			t.Errorf("%s: no readings", point)
		}
	}
	sp.stopEdge()
}
