package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"

	"github.com/hazardwatch/hazardwatch/internal/testsvc"
)

// TestBrokerOutageLosesNothing stops the broker for 30 s while the edge
// polls every 250 ms. The edge buffers on disk and replays when the
// broker is back; the center's persistent session survives because the
// broker was stopped cleanly. Afterwards every poll cycle of the run is
// stored, and what was sampled during the outage is marked replayed.
func TestBrokerOutageLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	const poll = 250 * time.Millisecond
	p := startPlant(t, poll)
	// Both clients retry every second, so that the test need not wait
	// out the demo's 30 s backoff after the outage.
	p.center.MQTT.MaxReconnectInterval = time.Second
	p.runCenter()
	edgeStart := time.Now()
	a := p.runEdge()
	ctx := context.Background()

	// Step 1: run until the center stores live readings.
	waitFor(t, 20*time.Second, "first readings in InfluxDB", func() bool {
		return len(p.readings(ctx)) > 0
	})

	// Step 2: the outage.
	p.broker.Stop()
	down := time.Now()
	time.Sleep(30 * time.Second)
	p.broker.Start()
	up := time.Now()

	// Step 3: wait until the edge's buffer is empty again, run a little
	// longer live, and stop the edge.
	waitFor(t, 60*time.Second, "the edge buffer to drain", func() bool {
		return bufferedRecords(t, a.Addr()) == 0
	})
	time.Sleep(2 * time.Second)
	edgeStop := time.Now() // stopping takes a moment: drain and goodbye
	p.stopEdge()

	// Step 4: every reading stored, with the right values.
	got := p.waitStable(ctx)
	p.checkReadings(got, edgeStart, edgeStop, poll)

	if t.Failed() {
		p.logSeqGaps(ctx)
	}

	// Step 5: what was sampled while the broker was down came as a replay.
	flags := p.replayed(ctx)
	for point, rs := range got {
		n := 0
		for _, r := range rs {
			if r.at.Before(down.Add(poll)) || !r.at.Before(up) {
				continue
			}
			n++
			if f, ok := flags[point][r.at.UnixMilli()]; !ok || !f {
				t.Errorf("%s at %v (during the outage): replayed=%v (stored %v), want true",
					point, r.at.Format(time.StampMilli), f, ok)
			}
		}
		if n < int(25*time.Second/poll) {
			t.Errorf("%s: %d readings from the outage, want about %d", point, n, 30*time.Second/poll)
		}
	}
}

// TestEdgeKilledWhileBuffering runs the real hw-edge binary with a broker
// it cannot reach, kills it with SIGKILL, and starts it again with the
// real broker. What the first run buffered reaches InfluxDB, replayed.
func TestEdgeKilledWhileBuffering(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	const poll = 250 * time.Millisecond
	p := startPlant(t, poll)
	bin := buildEdge(t)
	dir := t.TempDir()
	buffer := filepath.Join(dir, "buffer")
	nowhere := fmt.Sprintf("tcp://127.0.0.1:%d", testsvc.FreePort(t))

	// Step 1: buffer for a few seconds with no broker, then SIGKILL.
	first := p.startEdgeProcess(bin, edgeConfigFile(t, dir, "first.yaml", p.sim.Addr(), nowhere, buffer, poll))
	start := time.Now()
	time.Sleep(4 * time.Second)
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	killed := time.Now()

	// Step 2: start again with the broker and a center; the buffer is
	// recovered and replayed.
	p.runCenter()
	second := p.startEdgeProcess(bin, edgeConfigFile(t, dir, "second.yaml", p.sim.Addr(), p.broker.URL(), buffer, poll))
	ctx := context.Background()
	before := func(got map[string][]stored) int {
		n := 0
		for _, rs := range got {
			for _, r := range rs {
				if r.at.Before(killed) {
					n++
				}
			}
		}
		return n
	}
	last := -1
	waitFor(t, 60*time.Second, "the first run's readings to be stored", func() bool {
		n := before(p.readings(ctx))
		stable := n > 0 && n == last
		last = n
		return stable
	})
	if err := second.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Errorf("second run: %v", err)
	}

	// Step 3: the first run's cycles are all there, marked replayed.
	got, flags := p.readings(ctx), p.replayed(ctx)
	for _, dev := range p.edgeCfg.Devices {
		for _, pt := range dev.Points {
			var rs []stored
			for _, r := range got[pt.ID] {
				if r.at.Before(killed) {
					rs = append(rs, r)
				}
			}
			if len(rs) == 0 {
				t.Errorf("%s: nothing stored from the killed run", pt.ID)
				continue
			}
			if d := rs[0].at.Sub(start); d > 2*time.Second {
				t.Errorf("%s: first reading %v after the first start", pt.ID, d)
			}
			// The cycle being written at the kill may be lost; no other.
			if d := killed.Sub(rs[len(rs)-1].at); d > 3*poll {
				t.Errorf("%s: last reading of the first run %v before the kill", pt.ID, d)
			}
			for i, r := range rs {
				if i > 0 && r.at.Sub(rs[i-1].at) >= 2*poll {
					t.Errorf("%s: gap of %v after %v", pt.ID, r.at.Sub(rs[i-1].at), rs[i-1].at)
				}
				if !flags[pt.ID][r.at.UnixMilli()] {
					t.Errorf("%s at %v: not marked replayed", pt.ID, r.at.Format(time.StampMilli))
				}
			}
			t.Logf("%s: %d readings from the killed run", pt.ID, len(rs))
		}
	}
}

// buildEdge builds cmd/hw-edge into a temporary folder.
func buildEdge(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hw-edge")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/hw-edge")
	cmd.Dir = repoFile("")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build hw-edge: %v\n%s", err, out)
	}
	return bin
}

// edgeConfigFile writes the demo's edge config pointed at this test's
// simulator, broker and buffer, without the HTTP server.
func edgeConfigFile(t *testing.T, dir, name, simAddr, broker, buffer string, poll time.Duration) string {
	t.Helper()
	b, err := os.ReadFile(repoFile("configs/edge.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, r := range [][2]string{
		{"broker: tcp://127.0.0.1:11883", "broker: " + broker},
		{"max_reconnect_interval: 30s", "max_reconnect_interval: 1s"},
		{"dir: run/edge/buffer", "dir: " + buffer},
		{"listen: 127.0.0.1:9101", `listen: ""`},
		{"address: 127.0.0.1:5020", "address: " + simAddr},
		{"poll_interval: 1s", "poll_interval: " + poll.String()},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("configs/edge.yaml no longer contains %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startEdgeProcess runs hw-edge with a config; its log goes to a file
// printed when the test fails. The process is killed at the end if it
// still runs.
func (p *plant) startEdgeProcess(bin, config string) *exec.Cmd {
	t := p.t
	t.Helper()
	logPath := config + ".log"
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-config", config)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logf.Close()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("%s:\n%s", filepath.Base(logPath), b)
		}
	})
	return cmd
}

// waitStable waits until the number of stored readings stops growing.
func (p *plant) waitStable(ctx context.Context) map[string][]stored {
	var got map[string][]stored
	last := -1
	waitFor(p.t, 60*time.Second, "InfluxDB to hold every reading", func() bool {
		got = p.readings(ctx)
		n := 0
		for _, rs := range got {
			n += len(rs)
		}
		stable := n == last && n > 0
		last = n
		time.Sleep(400 * time.Millisecond)
		return stable
	})
	return got
}

// replayed returns the stored replayed flag by point and sample time in
// milliseconds.
func (p *plant) replayed(ctx context.Context) map[string]map[int64]bool {
	p.t.Helper()
	client := influxdb2.NewClient(p.influx.URL(), "")
	defer client.Close()
	flux := fmt.Sprintf(`from(bucket: %q)
  |> range(start: -1h, stop: 1h)
  |> filter(fn: (r) => r._measurement == "reading" and r._field == "replayed")`, p.bucket)
	res, err := client.QueryAPI("hazardwatch").Query(ctx, flux)
	if err != nil {
		p.t.Fatalf("flux query: %v", err)
	}
	out := map[string]map[int64]bool{}
	for res.Next() {
		r := res.Record()
		point, _ := r.ValueByKey("point").(string)
		if out[point] == nil {
			out[point] = map[int64]bool{}
		}
		out[point][r.Time().UnixMilli()], _ = r.Value().(bool)
	}
	if res.Err() != nil {
		p.t.Fatalf("flux result: %v", res.Err())
	}
	return out
}

// bufferedRecords reads the edge's buffered record count from /healthz.
func bufferedRecords(t *testing.T, addr string) int {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Buffered *int `json:"buffered_records"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Buffered == nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	return *body.Buffered
}

// logSeqGaps logs the telemetry sequence numbers missing from the stored
// readings of one point, to tell lost messages from missed polls.
func (p *plant) logSeqGaps(ctx context.Context) {
	client := influxdb2.NewClient(p.influx.URL(), "")
	defer client.Close()
	flux := fmt.Sprintf(`from(bucket: %q)
  |> range(start: -1h, stop: 1h)
  |> filter(fn: (r) => r._measurement == "reading" and r._field == "seq" and r.point == "T1-LT-01")`, p.bucket)
	res, err := client.QueryAPI("hazardwatch").Query(ctx, flux)
	if err != nil {
		p.t.Logf("seq query: %v", err)
		return
	}
	var prev int64
	for res.Next() {
		seq, _ := res.Record().Value().(int64)
		if prev != 0 && seq != prev+1 {
			p.t.Logf("seq %d follows %d at %v", seq, prev, res.Record().Time().Format(time.StampMilli))
		}
		prev = seq
	}
}
