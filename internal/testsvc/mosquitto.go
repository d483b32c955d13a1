package testsvc

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Mosquitto is a private broker for one test. It keeps persistent sessions
// on disk, so a Stop and Start keeps what it queued for them.
type Mosquitto struct {
	// Port is the plain MQTT listener's port on 127.0.0.1.
	Port int
	// Dir holds the configuration, the persistence file and the log.
	Dir  string
	proc *process
}

// StartMosquitto starts a broker; extra lines are appended to its
// configuration (for example password_file or acl_file settings). The
// broker is stopped when the test ends.
func StartMosquitto(t testing.TB, extra ...string) *Mosquitto {
	t.Helper()
	bin := findBinary(t, "HW_MOSQUITTO", "mosquitto", "/usr/sbin/mosquitto")
	m := &Mosquitto{Port: FreePort(t), Dir: t.TempDir()}
	conf := filepath.Join(m.Dir, "mosquitto.conf")
	lines := []string{
		fmt.Sprintf("listener %d 127.0.0.1", m.Port),
		"persistence true",
		"persistence_location " + m.Dir + "/",
		"max_inflight_messages 1000",
		"max_queued_messages 1000000",
		"log_dest stderr",
		"log_type error",
		"log_type warning",
	}
	if !hasSetting(extra, "allow_anonymous") {
		lines = append(lines, "allow_anonymous true")
	}
	// Started as root, Mosquitto drops to the user mosquitto, which cannot
	// write its persistence file into the test's private folder: restarts
	// would then lose the persistent sessions that the tests are about.
	if os.Geteuid() == 0 && !hasSetting(extra, "user") {
		lines = append(lines, "user root")
	}
	lines = append(lines, extra...)
	body := strings.Join(lines, "\n") + "\n"
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatalf("write mosquitto config: %v", err)
	}
	m.proc = &process{t: t, name: "mosquitto", port: m.Port,
		args: []string{bin, "-c", conf}, log: filepath.Join(m.Dir, "mosquitto.log")}
	m.proc.start()
	t.Cleanup(func() { m.proc.stop(syscall.SIGTERM) })
	return m
}

func hasSetting(lines []string, key string) bool {
	for _, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), key+" ") {
			return true
		}
	}
	return false
}

// URL is the broker's address for an MQTT client.
func (m *Mosquitto) URL() string { return fmt.Sprintf("tcp://127.0.0.1:%d", m.Port) }

// Stop shuts the broker down cleanly; it saves its persistent sessions.
func (m *Mosquitto) Stop() { m.proc.stop(syscall.SIGTERM) }

// Kill ends the broker with SIGKILL, as a crash or power cut would.
func (m *Mosquitto) Kill() { m.proc.stop(syscall.SIGKILL) }

// Start starts a stopped broker again on the same port with the same data.
func (m *Mosquitto) Start() { m.proc.t.Helper(); m.proc.start() }

// Log returns the broker's log so far.
func (m *Mosquitto) Log() string { return m.proc.tail() }
