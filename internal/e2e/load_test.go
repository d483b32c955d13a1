package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/loadgen"
	"github.com/hazardwatch/hazardwatch/internal/testsvc"
)

// loadRig is a center under load: broker, InfluxDB and a generator.
type loadRig struct {
	t      testing.TB
	broker *testsvc.Mosquitto
	influx *testsvc.Influx
	plant  *plant
}

func newLoadRig(t testing.TB) *loadRig {
	if testing.Short() {
		t.Skip("load test")
	}
	p := &plant{t: t, broker: testsvc.StartMosquitto(t), influx: testsvc.StartInflux(t),
		bucket: "hw/autogen"}
	var err error
	p.center, err = loadCenterConfig(t)
	if err != nil {
		t.Fatal(err)
	}
	p.center.MQTT.Broker = p.broker.URL()
	p.center.Influx.URL = p.influx.URL()
	p.center.Influx.RetryMax = time.Second
	rig := &loadRig{t: t, broker: p.broker, influx: p.influx, plant: p}
	p.center.Registry.Path = rig.registryFile()
	t.Cleanup(func() {
		if p.stopCenter != nil {
			p.stopCenter()
		}
	})
	return rig
}

// registryFile writes the default fleet's registry and returns its path.
func (r *loadRig) registryFile() string { return r.registryFileFor(r.fleet(time.Second)) }

// registryFileFor writes the registry of a fleet and returns its path.
func (r *loadRig) registryFileFor(cfg loadgen.Config) string {
	path := filepath.Join(r.t.TempDir(), "registry.yaml")
	if err := os.WriteFile(path, cfg.Registry(), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return path
}

// fleet is the generator's config for these tests: 10 gateways of 100
// points, 5 messages a second each: 5,000 readings a second.
func (r *loadRig) fleet(d time.Duration) loadgen.Config {
	cfg := loadgen.DefaultConfig()
	cfg.Broker = r.broker.URL()
	cfg.Gateways, cfg.Points, cfg.Interval, cfg.Duration = 10, 100, 200*time.Millisecond, d
	return cfg
}

// stored counts the load readings in InfluxDB with InfluxQL.
func (r *loadRig) stored() int64 {
	q := url.Values{"db": {"hw"}, "q": {`SELECT count(quality) FROM reading WHERE enterprise =~ /^LOAD-/`}}
	resp, err := http.Get(r.influx.URL() + "/query?" + q.Encode())
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`"values":\[\["[^"]*",(\d+)\]\]`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// expectAll waits until InfluxDB holds every reading the generator sent.
// A center still catching up is not a loss: it fails only when the count
// stops growing for 30 s short of what was sent.
func (r *loadRig) expectAll(rep loadgen.Report) {
	r.t.Helper()
	var n, last int64 = 0, -1
	stall := time.Now()
	for time.Since(stall) < 30*time.Second {
		if n = r.stored(); n >= rep.Readings {
			break
		}
		if n != last {
			last, stall = n, time.Now()
		}
		time.Sleep(500 * time.Millisecond)
	}
	if n != rep.Readings {
		r.explainLoss(rep)
		r.t.Fatalf("InfluxDB holds %d load readings, the generator sent %d (%d messages acked)",
			n, rep.Readings, rep.Acked)
	}
	r.t.Logf("sent %d readings in %d messages over %v; all stored", rep.Readings, rep.Messages, rep.Elapsed)
}

// Stop InfluxDB for 30 s under load, then start it: every reading sent is
// stored afterwards, because the center acknowledges a message only after
// its readings are written.
func TestLoadInfluxOutageLosesNothing(t *testing.T) {
	r := newLoadRig(t)
	r.plant.runCenter()
	go func() {
		time.Sleep(5 * time.Second)
		r.influx.Stop()
		time.Sleep(30 * time.Second)
		r.influx.Start()
	}()
	rep, err := loadgen.Run(context.Background(), r.fleet(45*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	r.expectAll(rep)
}

// Malformed and hostile messages at ten times the good rate cost no good
// reading.
func TestLoadHostileMessagesCostNothing(t *testing.T) {
	r := newLoadRig(t)
	r.plant.runCenter()
	cfg := r.fleet(15 * time.Second)
	cfg.HostilePerGood = 10
	rep, err := loadgen.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.expectAll(rep)
	if rep.Hostile < 10*rep.Messages {
		t.Fatalf("sent %d hostile messages for %d good ones", rep.Hostile, rep.Messages)
	}
}

// kill -9 the center under load and start it again: every reading sent is
// stored afterwards. The center runs as its own process here, so that it
// can be killed for real.
func TestLoadCenterKilledLosesNothing(t *testing.T) {
	r := newLoadRig(t)
	bin := buildCommand(t, "hw-center")
	cfgPath := filepath.Join(t.TempDir(), "center.yaml")
	httpAddr := fmt.Sprintf("127.0.0.1:%d", testsvc.FreePort(t))
	conf := fmt.Sprintf(`http: {listen: %q}
mqtt: {broker: %q, client_id: hw-center-kill}
influx: {url: %q, bucket: hw/autogen, create_database: true, retry_max: 1s}
store: {dsn: %q}
registry: {path: %q}
hazard: {policy: %q}
log: {level: warn}
`, httpAddr, r.broker.URL(), r.influx.URL(), filepath.Join(t.TempDir(), "center.db"),
		r.plant.center.Registry.Path, repoFile("configs/hazard-policy.yaml"))
	if err := os.WriteFile(cfgPath, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "-config", cfgPath)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Error(err)
			return cmd
		}
		// Whatever happens to the test, no center outlives it.
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd
	}
	cmd := start()
	waitFor(t, 60*time.Second, "the center to subscribe", func() bool {
		resp, err := http.Get("http://" + httpAddr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	restarted := make(chan *exec.Cmd, 1)
	go func() {
		time.Sleep(6 * time.Second)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		time.Sleep(3 * time.Second)
		restarted <- start()
	}()
	rep, err := loadgen.Run(context.Background(), r.fleet(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	second := <-restarted
	r.expectAll(rep)
	_ = second.Process.Signal(syscall.SIGTERM)
	_ = second.Wait()
}

// buildCommand builds one of the repository's commands into a temporary
// folder and returns its path.
func buildCommand(t testing.TB, name string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", "build", "-o", out, "./cmd/"+name)
	cmd.Dir = repoFile("")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, b)
	}
	return out
}

func loadCenterConfig(t testing.TB) (centerConfig, error) {
	c, err := loadDemoCenterConfig(t)
	if err != nil {
		return c, err
	}
	c.HTTP.Listen = "127.0.0.1:0"
	c.MQTT.ClientID = "hw-center-load"
	c.Influx.Bucket = "hw/autogen"
	return c, nil
}

// explainLoss logs, per gateway, the sample times sent but not stored.
func (r *loadRig) explainLoss(rep loadgen.Report) {
	for topic, times := range rep.Sent {
		var gw string
		if _, err := fmt.Sscanf(topic[len("hw/v1/LOAD-0000/"):], "%8s", &gw); err != nil {
			continue
		}
		q := url.Values{"db": {"hw"}, "q": {fmt.Sprintf(
			`SELECT seq FROM reading WHERE point='%s' AND gateway='%s'`, loadgen.PointID(gw, 0), gw)}}
		resp, err := http.Get(r.influx.URL() + "/query?" + q.Encode())
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		stored := map[int64]bool{}
		for _, m := range regexp.MustCompile(`\["([^"]+)",`).FindAllSubmatch(b, -1) {
			if at, err := time.Parse(time.RFC3339Nano, string(m[1])); err == nil {
				stored[at.UnixMilli()] = true
			}
		}
		for i, at := range times {
			if !stored[at] {
				r.t.Logf("%s: message %d (sample time %d) not stored; dup time: %v",
					topic, i+1, at, i > 0 && times[i-1] == at)
			}
		}
	}
}

// A center stopped while InfluxDB is down stops within its shutdown
// timeout, acknowledging nothing it could not store; started again with
// InfluxDB back, it stores every reading the broker kept for it.
func TestLoadStopDuringInfluxOutageLosesNothing(t *testing.T) {
	r := newLoadRig(t)
	r.plant.center.Ingest.ShutdownTimeout = 2 * time.Second
	r.plant.runCenter()
	r.influx.Stop()
	rep, err := loadgen.Run(context.Background(), r.fleet(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() { r.plant.stopCenter(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(60 * time.Second):
		t.Fatal("the center did not stop while InfluxDB was down")
	}
	r.influx.Start()
	r.plant.runCenter()
	r.expectAll(rep)
}
