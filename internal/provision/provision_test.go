package provision

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hazardwatch/hazardwatch/edge/agent"
)

const testRegistry = `enterprises:
  - code: 91320500MA1TANK01X
    name: 储罐区
    district: 吴中区
    industry: hazardous_chemicals
    gateways: [gw-01, gw-02]
  - code: 91320500MA1MINE02Y
    name: 矿山
    district: 吴中区
    industry: non_coal_mine
`

func writeRegistry(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "registry.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func testOptions(t *testing.T) Options {
	o := DefaultOptions()
	o.Registry = writeRegistry(t, testRegistry)
	o.Out = filepath.Join(t.TempDir(), "out")
	o.BrokerURL = "ssl://broker.test:8883"
	return o
}

func quietLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

// TestProvisionHashMatchesMosquittoPasswd checks our $7$ hashes against
// the ones the real mosquitto_passwd writes, both ways round.
func TestProvisionHashMatchesMosquittoPasswd(t *testing.T) {
	bin, err := exec.LookPath("mosquitto_passwd")
	if err != nil {
		t.Skip("mosquitto_passwd not installed (apt-get install mosquitto)")
	}
	file := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-b", file, "alice", "s3cret:with$signs").CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v: %s", err, out)
	}
	b, _ := os.ReadFile(file)
	pf, err := ParsePasswordFile(b)
	if err != nil {
		t.Fatal(err)
	}
	theirs := pf["alice"]
	if !strings.HasPrefix(theirs, "$7$101$") {
		t.Fatalf("mosquitto_passwd wrote %q, not a $7$101$ hash", theirs)
	}
	ours, err := HashPassword("s3cret:with$signs")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, hash, password string
		want                 bool
	}{
		{"theirs, right password", theirs, "s3cret:with$signs", true},
		{"theirs, wrong password", theirs, "s3cret", false},
		{"ours, right password", ours, "s3cret:with$signs", true},
		{"ours, wrong password", ours, "S3cret:with$signs", false},
	} {
		got, err := CheckPassword(tc.hash, tc.password)
		if err != nil || got != tc.want {
			t.Errorf("%s: CheckPassword = %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
	if len(ours) != len(theirs) {
		t.Errorf("our hash has %d characters, mosquitto_passwd's %d", len(ours), len(theirs))
	}
	for _, bad := range []string{"", "$6$101$x$y", "$7$x$AAAA$BBBB", "plain"} {
		if _, err := CheckPassword(bad, "x"); err != ErrBadHash {
			t.Errorf("CheckPassword(%q) err = %v, want ErrBadHash", bad, err)
		}
	}
}

// TestProvisionRunWritesFilesAndKeepsPasswords provisions a registry,
// checks every file and its mode, and re-runs: with and without -rotate,
// and after a gateway left the registry.
func TestProvisionRunWritesFilesAndKeepsPasswords(t *testing.T) {
	o := testOptions(t)
	var logs bytes.Buffer
	res, err := Run(o, quietLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}

	// Step 1: the files, their modes, the warning for the mine.
	if len(res.Gateways) != 2 || res.NewPasswords != 3 {
		t.Errorf("gateways %v, new passwords %d; want 2 and 3", res.Gateways, res.NewPasswords)
	}
	if len(res.Unprovisioned) != 1 || res.Unprovisioned[0] != "91320500MA1MINE02Y" ||
		!strings.Contains(logs.String(), "91320500MA1MINE02Y") {
		t.Errorf("unprovisioned %v, log %q", res.Unprovisioned, logs.String())
	}
	gw1 := filepath.Join(o.Out, "gateways", "91320500MA1TANK01X", "gw-01")
	for path, mode := range map[string]os.FileMode{
		filepath.Join(o.Out, "mosquitto", "passwd"):            0o600,
		filepath.Join(o.Out, "mosquitto", "acl"):               0o644,
		filepath.Join(o.Out, "center", "credentials.yaml"):     0o600,
		filepath.Join(gw1, "credentials.yaml"):                 0o600,
		filepath.Join(gw1, "edge.yaml"):                        0o600,
		filepath.Join(filepath.Dir(gw1), "gw-02", "edge.yaml"): 0o600,
		gw1: os.ModeDir | 0o700,
	} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("%v", err)
		} else if fi.Mode() != mode {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode(), mode)
		}
	}
	cred, err := ReadCredentials(filepath.Join(gw1, "credentials.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if cred.Username != "91320500MA1TANK01X.gw-01" || len(cred.Password.Reveal()) != 32 {
		t.Errorf("credentials %q / %d characters", cred.Username, len(cred.Password.Reveal()))
	}
	if strings.Contains(logs.String(), cred.Password.Reveal()) {
		t.Error("a password reached the log")
	}
	passwd := readFile(t, filepath.Join(o.Out, "mosquitto", "passwd"))
	pf, _ := ParsePasswordFile(passwd)
	if ok, _ := CheckPassword(pf[cred.Username], cred.Password.Reveal()); !ok || len(pf) != 3 {
		t.Errorf("password file %d users; gw-01's hash matches: %v", len(pf), ok)
	}
	acl := string(readFile(t, filepath.Join(o.Out, "mosquitto", "acl")))
	for _, want := range []string{
		"user hw-center\ntopic read hw/v1/+/+/telemetry\ntopic read hw/v1/+/+/status\n",
		"user 91320500MA1TANK01X.gw-01\ntopic write hw/v1/91320500MA1TANK01X/gw-01/telemetry\n" +
			"topic write hw/v1/91320500MA1TANK01X/gw-01/status\n",
	} {
		if !strings.Contains(acl, want) {
			t.Errorf("ACL lacks\n%s\nin\n%s", want, acl)
		}
	}

	// Step 2: a re-run keeps passwords and the password file unchanged.
	if res, err = Run(o, quietLogger(io.Discard)); err != nil || res.NewPasswords != 0 {
		t.Fatalf("re-run: %d new passwords, err %v", res.NewPasswords, err)
	}
	if again := readFile(t, filepath.Join(o.Out, "mosquitto", "passwd")); !bytes.Equal(again, passwd) {
		t.Error("re-run changed the password file")
	}

	// Step 3: -rotate changes every password.
	o.Rotate = true
	if res, err = Run(o, quietLogger(io.Discard)); err != nil || res.NewPasswords != 3 {
		t.Fatalf("rotate: %d new passwords, err %v", res.NewPasswords, err)
	}
	rotated, _ := ReadCredentials(filepath.Join(gw1, "credentials.yaml"))
	if rotated.Password == cred.Password {
		t.Error("rotate kept gw-01's password")
	}

	// Step 4: gw-02 leaves the registry; its user leaves the broker.
	o.Rotate = false
	o.Registry = writeRegistry(t, strings.Replace(testRegistry, "[gw-01, gw-02]", "[gw-01]", 1))
	if res, err = Run(o, quietLogger(io.Discard)); err != nil || len(res.Removed) != 1 {
		t.Fatalf("after removal: removed %v, err %v", res.Removed, err)
	}
	pf, _ = ParsePasswordFile(readFile(t, filepath.Join(o.Out, "mosquitto", "passwd")))
	if _, ok := pf["91320500MA1TANK01X.gw-02"]; ok || len(pf) != 2 {
		t.Errorf("password file after removal: %v", pf)
	}
}

// TestProvisionRefuses covers options and registries that cannot be
// provisioned.
func TestProvisionRefuses(t *testing.T) {
	clash := strings.Replace(testRegistry, "gateways: [gw-01, gw-02]", "gateways: [a.b]", 1) +
		"  - code: 91320500MA1TANK01X.a\n    name: x\n    district: y\n" +
		"    industry: other\n    gateways: [b]\n"
	for _, tc := range []struct {
		name, want string
		change     func(*Options)
	}{
		{"plain broker URL", "-broker-url", func(o *Options) { o.BrokerURL = "tcp://b:1883" }},
		{"center user with colon", "-center-user", func(o *Options) { o.CenterUser = "a:b" }},
		{"center user is a gateway", "center user", func(o *Options) {
			o.CenterUser = "91320500MA1TANK01X.gw-01"
		}},
		{"two gateways, one user", "both would be user", func(o *Options) {
			o.Registry = writeRegistry(t, clash)
		}},
		{"missing registry", "load registry", func(o *Options) { o.Registry = "/nonexistent" }},
	} {
		o := testOptions(t)
		tc.change(&o)
		_, err := Run(o, quietLogger(io.Discard))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one naming %q", tc.name, err, tc.want)
		}
	}
}

// TestProvisionEdgeSkeletonLoads appends the demo's devices to a
// generated skeleton and loads it with the edge agent's own loader.
func TestProvisionEdgeSkeletonLoads(t *testing.T) {
	o := testOptions(t)
	if _, err := Run(o, quietLogger(io.Discard)); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(o.Out, "gateways", "91320500MA1TANK01X", "gw-02")
	skeleton := readFile(t, filepath.Join(dir, "edge.yaml"))
	if _, err := agent.ParseConfig(skeleton); err == nil ||
		!strings.Contains(err.Error(), "devices") {
		t.Errorf("skeleton without devices: err = %v, want one naming devices", err)
	}
	demo := string(readFile(t, filepath.Join("..", "..", "configs", "edge.yaml")))
	devices := demo[strings.Index(demo, "\ndevices:"):]
	c, err := agent.ParseConfig(append(skeleton, devices...))
	if err != nil {
		t.Fatalf("skeleton with devices: %v", err)
	}
	cred, _ := ReadCredentials(filepath.Join(dir, "credentials.yaml"))
	if c.Gateway.ID != "gw-02" || c.MQTT.Broker != o.BrokerURL ||
		c.MQTT.Username != cred.Username || c.MQTT.Password != cred.Password ||
		c.MQTT.TLS.CAFile != o.EdgeCAFile || c.MQTT.ClientID != "hw-edge-91320500MA1TANK01X-gw-02" {
		t.Errorf("skeleton loads as %+v", c.MQTT)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
