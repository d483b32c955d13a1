package device

import (
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// openPTY opens a pseudo-terminal pair: the poller opens the slave side
// as its serial line, the test's device sits on the master side. It is
// the one stand-in in these tests: no real serial line exists here.
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	return m, fmt.Sprintf("/dev/pts/%d", n)
}

// crc16 is the Modbus RTU frame check.
func crc16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc ^= uint16(c)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0xA001
			} else {
				crc >>= 1
			}
		}
	}
	return crc
}

// fakeRTUSlave answers "read holding registers" (function 3) requests for
// unit on the master side of a pty from regs; every other address reads
// as 0. It stands in for a PLC on a serial line, which this machine lacks.
func fakeRTUSlave(line io.ReadWriter, unit byte, regs map[uint16]uint16) {
	req := make([]byte, 8)
	for {
		if _, err := io.ReadFull(line, req); err != nil {
			return // the test closed the line
		}
		if req[0] != unit || req[1] != 3 || crc16(req[:6]) != binary.LittleEndian.Uint16(req[6:]) {
			continue // not ours, or damaged: a real slave stays silent
		}
		start, count := binary.BigEndian.Uint16(req[2:]), binary.BigEndian.Uint16(req[4:])
		resp := []byte{unit, 3, byte(2 * count)}
		for a := start; a < start+count; a++ {
			resp = binary.BigEndian.AppendUint16(resp, regs[a])
		}
		resp = binary.LittleEndian.AppendUint16(resp, crc16(resp))
		if _, err := line.Write(resp); err != nil {
			return
		}
	}
}

// Modbus RTU: the poller reads a float32 and a scaled int16 from a device
// on a serial line (a pty here), with the same plan and decoding as TCP.
func TestRTUOverSerialLine(t *testing.T) {
	master, slave := openPTY(t)
	regs := map[uint16]uint16{
		0: 0x42F6, 1: 0xE979, // 123.456 as float32, ABCD
		5: 0xFF9C, // -100 as int16; with scale 0.1: -10
	}
	done := make(chan struct{})
	go func() { defer close(done); fakeRTUSlave(master, 7, regs) }()
	defer func() { master.Close(); <-done }()

	zero := 0
	cfg := Config{Name: "rtu-plc", Transport: "rtu", UnitID: 7, MaxGap: &zero,
		Serial:  SerialConfig{Device: slave, BaudRate: 19200},
		Timeout: 2 * time.Second,
		Points: []PointConfig{
			{ID: "LT-1", Table: "holding", Address: 0, Type: "float32"},
			{ID: "TT-1", Table: "holding", Address: 5, Type: "int16", Scale: 0.1},
		}}
	p, err := New(cfg, slog.New(slog.DiscardHandler), NewMetrics(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	got := p.Poll(time.Now())
	want := map[string]float64{"LT-1": 123.456, "TT-1": -10}
	if len(got) != len(want) {
		t.Fatalf("%d readings, want %d: %+v", len(got), len(want), got)
	}
	for _, r := range got {
		if r.Quality != wire.Good || r.Value == nil {
			t.Fatalf("%s: quality %s (%s)", r.Point, r.Quality, r.Reason)
		}
		if d := *r.Value - want[r.Point]; d > 1e-4 || d < -1e-4 {
			t.Errorf("%s = %v, want %v", r.Point, *r.Value, want[r.Point])
		}
	}
}
