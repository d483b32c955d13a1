package queue

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Environment of the helper process.
const (
	helperDirEnv   = "HWQUEUE_HELPER_DIR"
	helperRoundEnv = "HWQUEUE_HELPER_ROUND"
	killRecordSize = 300
)

// killPayload is the content of the i-th record of a helper round.
func killPayload(round, i int) []byte {
	b := fmt.Appendf(nil, "round %d record %d ", round, i)
	return append(b, bytes.Repeat([]byte{'x'}, killRecordSize-len(b))...)
}

// TestHelperProcess is not a test: TestKill9 runs the test binary again
// with it as the child to kill. It appends until killed, printing the
// index of every record once Append has returned.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process for TestKill9")
	}
	round, _ := strconv.Atoi(os.Getenv(helperRoundEnv))
	o := DefaultOptions(dir)
	o.SegmentBytes = 256 << 10
	o.SyncInterval = 20 * time.Millisecond
	q, err := Open(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper: open:", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		idx, err := q.Append(killPayload(round, i))
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper: append:", err)
			os.Exit(3)
		}
		fmt.Printf("%d %d\n", i, idx)
	}
}

// TestKill9 kills a process appending to a queue with SIGKILL and checks
// that every record it saw appended survives: the page cache outlives the
// process. Three rounds, each reopening what the last one left.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	dir := filepath.Join(t.TempDir(), "q")
	type rec struct{ round, i int }
	reported := map[uint64]rec{}

	for round, target := range []int{3000, 7000, 5000} {
		// Run the child until it has reported target records, then kill it.
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperDirEnv+"="+dir,
			helperRoundEnv+"="+strconv.Itoa(round))
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n := 0
		for n < target && sc.Scan() {
			var i int
			var idx uint64
			if _, err := fmt.Sscanf(sc.Text(), "%d %d", &i, &idx); err != nil {
				continue // not ours: test framework output
			}
			reported[idx] = rec{round, i}
			n++
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if n < target {
			t.Fatalf("round %d: child reported %d records, then stopped", round, n)
		}

		// Everything reported is there, intact and in order.
		q := open(t, testOptionsIn(t, dir))
		got := map[uint64][]byte{}
		prev := uint64(0)
		for _, e := range readAll(t, q, 0) {
			if e.Index <= prev {
				t.Fatalf("round %d: index %d after %d", round, e.Index, prev)
			}
			prev = e.Index
			got[e.Index] = e.Data
		}
		for idx, r := range reported {
			if !bytes.Equal(got[idx], killPayload(r.round, r.i)) {
				t.Fatalf("round %d: record %d (round %d, #%d) lost or wrong: %q",
					round, idx, r.round, r.i, got[idx])
			}
		}
		if st, _ := q.Stats(); st.Corrupt != 0 {
			t.Fatalf("round %d: %d corrupt", round, st.Corrupt)
		}
		t.Logf("round %d: %d reported, %d on disk", round, len(reported), len(got))
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func testOptionsIn(t testing.TB, dir string) Options {
	o := DefaultOptions(dir)
	o.SegmentBytes = 256 << 10
	o.Logger = testLogger(t)
	return o
}
