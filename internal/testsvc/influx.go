package testsvc

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Influx is a private InfluxDB 1.8 for one test, with Flux and the v2 API
// enabled, no authentication and its data in the test's temporary folder.
type Influx struct {
	// Port is the HTTP API's port on 127.0.0.1.
	Port int
	Dir  string
	proc *process
}

// StartInflux starts an InfluxDB 1.8; it is stopped when the test ends.
func StartInflux(t testing.TB) *Influx {
	t.Helper()
	home, _ := os.UserHomeDir()
	bin := findBinary(t, "HW_INFLUXD", "influxd",
		filepath.Join(home, ".cache/hazardwatch/bin/influxd"))
	in := &Influx{Port: FreePort(t), Dir: t.TempDir()}
	conf := filepath.Join(in.Dir, "influxdb.conf")
	body := fmt.Sprintf(`reporting-disabled = true
bind-address = "127.0.0.1:%d"
[meta]
  dir = "%[2]s/meta"
[data]
  dir = "%[2]s/data"
  wal-dir = "%[2]s/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:%[3]d"
  flux-enabled = true
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "warn"
`, FreePort(t), in.Dir, in.Port)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatalf("write influxdb config: %v", err)
	}
	in.proc = &process{t: t, name: "influxd", port: in.Port,
		args: []string{bin, "run", "-config", conf}, log: filepath.Join(in.Dir, "influxd.log")}
	in.proc.start()
	t.Cleanup(func() { in.proc.stop(syscall.SIGTERM) })
	return in
}

// URL is the HTTP API's base URL.
func (in *Influx) URL() string { return fmt.Sprintf("http://127.0.0.1:%d", in.Port) }

// CreateDatabase creates a database over the 1.x query endpoint; the v2
// API cannot create one on InfluxDB 1.8.
func (in *Influx) CreateDatabase(t testing.TB, name string) {
	t.Helper()
	q := url.Values{"q": {fmt.Sprintf("CREATE DATABASE %q", name)}}
	resp, err := http.PostForm(in.URL()+"/query", q)
	if err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create database %s: %s: %s", name, resp.Status, b)
	}
}

// Stop shuts InfluxDB down cleanly.
func (in *Influx) Stop() { in.proc.stop(syscall.SIGTERM) }

// Kill ends InfluxDB with SIGKILL.
func (in *Influx) Kill() { in.proc.stop(syscall.SIGKILL) }

// Start starts a stopped InfluxDB again on the same port with the same data.
func (in *Influx) Start() { in.proc.t.Helper(); in.proc.start() }
