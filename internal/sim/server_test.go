package sim

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mbclient "github.com/goburrow/modbus"
)

// allTables serves every table, type and byte order, bits in registers,
// and a few illegal ranges.
const allTables = `
illegal:
  - {table: holding, address: 100, count: 10}
  - {table: coil, address: 50}
  - {table: input, address: 200, count: 5}
signals:
  - {name: h-i16, table: holding, address: 0, type: int16, scale: 0.1, kind: sine, mean: 20, amplitude: 5, period: 60s, stddev: 0.3, seed: 1}
  - {name: h-u16-dcba, table: holding, address: 1, type: uint16, byte_order: DCBA, scale: 0.01, kind: ramp, from: 0, to: 100, period: 100s}
  - {name: h-i32-badc, table: holding, address: 2, type: int32, byte_order: BADC, offset: -1000, kind: ramp, from: -50000, to: 50000, period: 200s}
  - {name: h-u32-cdab, table: holding, address: 4, type: uint32, byte_order: CDAB, scale: 0.001, kind: noise, mean: 1234.5, stddev: 3, seed: 2}
  - {name: h-i64-dcba, table: holding, address: 6, type: int64, byte_order: DCBA, kind: constant, value: -123456789012}
  - {name: h-u64, table: holding, address: 10, type: uint64, kind: ramp, from: 0, to: 1e12, period: 1000s}
  - name: h-f32-cdab
    table: holding
    address: 20
    type: float32
    byte_order: CDAB
    kind: constant
    value: 5
    stddev: 0.2
    seed: 3
    events:
      - {at: 20s, to: 62, ramp: 40s}
      - {at: 120s, to: base, ramp: 30s}
  - {name: h-f64-badc, table: holding, address: 22, type: float64, byte_order: BADC, kind: sine, mean: 0.5, amplitude: 0.25, period: 7s}
  - {name: h-bit0, table: holding, address: 30, type: bool, bit: 0, kind: constant, value: 1}
  - {name: h-bit5, table: holding, address: 30, type: bool, bit: 5, kind: steps, values: [0, 1], period: 10s}
  - {name: h-bool, table: holding, address: 31, type: bool, kind: constant, value: 1}
  - {name: i-i16-dcba, table: input, address: 0, type: int16, byte_order: DCBA, scale: 0.5, offset: 100, kind: noise, mean: 80, stddev: 10, seed: 4}
  - {name: i-f32, table: input, address: 2, type: float32, kind: sine, mean: 8.2, amplitude: 0.3, period: 600s}
  - name: i-u16
    table: input
    address: 5
    type: uint16
    scale: 0.1
    kind: constant
    value: 5
    events:
      - {at: 20s, to: 62, ramp: 40s}
      - {at: 120s, to: base, ramp: 30s}
  - {name: i-bit15, table: input, address: 6, type: bool, bit: 15, kind: constant, value: 1}
  - {name: c-0, table: coil, address: 0, type: bool, kind: steps, values: [1, 0], period: 20s}
  - {name: c-3, table: coil, address: 3, type: bool, kind: constant, value: 1}
  - {name: d-0, table: discrete_input, address: 0, type: bool, kind: constant, value: 1}
  - {name: d-1, table: discrete_input, address: 1, type: bool, kind: constant, value: 0}
`

// testClock is a clock that moves only when the test says so.
type testClock struct {
	zero    time.Time
	elapsed atomic.Int64
}

func newTestClock() *testClock {
	return &testClock{zero: time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	return c.zero.Add(time.Duration(c.elapsed.Load()))
}

func (c *testClock) set(d time.Duration) { c.elapsed.Store(int64(d)) }

// startServer runs sc on a free port with the test clock.
func startServer(t *testing.T, sc *Scenario, clock *testClock) *Server {
	t.Helper()
	srv, err := Start(context.Background(), sc, "127.0.0.1:0",
		WithClock(clock.now))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return srv
}

// dial connects a goburrow client to the server as the given unit id.
func dial(t *testing.T, addr string, unit byte) mbclient.Client {
	t.Helper()
	h := mbclient.NewTCPClientHandler(addr)
	h.SlaveId = unit
	h.Timeout = 5 * time.Second
	if err := h.Connect(); err != nil {
		t.Fatalf("connect %s: %v", addr, err)
	}
	t.Cleanup(func() { h.Close() })
	return mbclient.NewClient(h)
}

// readSignal reads a signal's registers or bit with the client and
// decodes them by hand into its engineering value.
func readSignal(t *testing.T, c mbclient.Client, s *Signal) float64 {
	t.Helper()
	var (
		b   []byte
		err error
	)
	switch s.Table {
	case Coil:
		b, err = c.ReadCoils(uint16(s.Address), 1)
	case DiscreteInput:
		b, err = c.ReadDiscreteInputs(uint16(s.Address), 1)
	case Holding:
		b, err = c.ReadHoldingRegisters(uint16(s.Address), uint16(s.span()))
	case Input:
		b, err = c.ReadInputRegisters(uint16(s.Address), uint16(s.span()))
	}
	if err != nil {
		t.Fatalf("read %s: %v", s.Name, err)
	}

	switch {
	case s.Table.bitTable():
		return float64(b[0] & 1)
	case s.Bit != nil:
		return float64(binary.BigEndian.Uint16(b) >> *s.Bit & 1)
	}
	return decodeRaw(t, s.Type, s.ByteOrder, b)*s.Scale + s.Offset
}

// decodeRaw undoes a byte order on the bytes as they came off the wire,
// then reads them as big endian. It is written apart from Encode on
// purpose: each order is an involution on the byte string.
func decodeRaw(t *testing.T, typ DataType, order ByteOrder, wire []byte) float64 {
	t.Helper()
	b := slices.Clone(wire)
	switch order {
	case DCBA:
		slices.Reverse(b)
	case BADC:
		for i := 0; i < len(b); i += 2 {
			b[i], b[i+1] = b[i+1], b[i]
		}
	case CDAB:
		for i, j := 0, len(b)-2; i < j; i, j = i+2, j-2 {
			b[i], b[i+1], b[j], b[j+1] = b[j], b[j+1], b[i], b[i+1]
		}
	}
	switch typ {
	case Bool, Uint16:
		return float64(binary.BigEndian.Uint16(b))
	case Int16:
		return float64(int16(binary.BigEndian.Uint16(b)))
	case Uint32:
		return float64(binary.BigEndian.Uint32(b))
	case Int32:
		return float64(int32(binary.BigEndian.Uint32(b)))
	case Uint64:
		return float64(binary.BigEndian.Uint64(b))
	case Int64:
		return float64(int64(binary.BigEndian.Uint64(b)))
	case Float32:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
	case Float64:
		return math.Float64frombits(binary.BigEndian.Uint64(b))
	}
	t.Fatalf("decode: type %q", typ)
	return 0
}

// checkReading compares what the client read with what the scenario says
// the signal is worth, allowing for quantisation.
func checkReading(t *testing.T, sc *Scenario, s *Signal, got float64, at time.Time) {
	t.Helper()
	want, err := sc.ValueAt(s.Name, at)
	if err != nil {
		t.Fatalf("ValueAt(%s): %v", s.Name, err)
	}
	res := sc.Resolution(s.Name)
	var ok bool
	switch {
	case s.Type == Bool:
		ok = got == 1 == (want >= 0.5)
	case s.Type == Float32:
		ok = float32(got) == float32((want-s.Offset)/s.Scale)*float32(s.Scale)+
			float32(s.Offset) || math.Abs(got-want) <= 1e-6*math.Abs(want)
	case s.Type == Float64:
		ok = math.Abs(got-want) <= 1e-12*math.Max(1, math.Abs(want))
	default:
		// Rounding to the nearest step is off by half a step at most.
		ok = math.Abs(got-want) <= res/2+1e-9*math.Abs(want)
	}
	if !ok {
		t.Errorf("%s: read %v, scenario says %v (resolution %v)",
			s.Name, got, want, res)
	}
}

func TestServerServesEveryTable(t *testing.T) {
	sc, err := ParseScenario([]byte(allTables))
	if err != nil {
		t.Fatal(err)
	}
	clock := newTestClock()
	srv := startServer(t, sc, clock)
	if !srv.Start().Equal(clock.zero) {
		t.Errorf("Start() = %v, want %v", srv.Start(), clock.zero)
	}
	if _, port, _ := net.SplitHostPort(srv.Addr()); port == "0" || port == "" {
		t.Fatalf("Addr() = %q, want a real port", srv.Addr())
	}
	c := dial(t, srv.Addr(), 1)

	times := []time.Duration{
		0, 7 * time.Second, 45 * time.Second, 90 * time.Second,
		135 * time.Second, 10 * time.Minute,
	}
	for _, d := range times {
		clock.set(d)
		for i := range sc.Signals {
			s := &sc.Signals[i]
			checkReading(t, sc, s, readSignal(t, c, s), clock.now())
		}
	}
}

func TestServerLeakOverModbus(t *testing.T) {
	sc, err := ParseScenario([]byte(allTables))
	if err != nil {
		t.Fatal(err)
	}
	clock := newTestClock()
	srv := startServer(t, sc, clock)
	c := dial(t, srv.Addr(), 1)
	s, _ := sc.Signal("i-u16")

	tests := []struct {
		at   time.Duration
		want float64
	}{
		{0, 5}, {40 * time.Second, 33.5}, {90 * time.Second, 62},
		{135 * time.Second, 33.5}, {150 * time.Second, 5},
	}
	for _, tt := range tests {
		clock.set(tt.at)
		if got := readSignal(t, c, s); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("i-u16 at %v read %v, want %v", tt.at, got, tt.want)
		}
	}
}

func TestServerBlockReadAndBits(t *testing.T) {
	sc, err := ParseScenario([]byte(allTables))
	if err != nil {
		t.Fatal(err)
	}
	clock := newTestClock()
	srv := startServer(t, sc, clock)
	c := dial(t, srv.Addr(), 1)
	clock.set(35 * time.Second) // h-bit5 on, c-0 off

	// One request across every holding signal and the gaps between.
	b, err := c.ReadHoldingRegisters(0, 32)
	if err != nil {
		t.Fatalf("block read: %v", err)
	}
	word := func(i int) uint16 { return binary.BigEndian.Uint16(b[2*i:]) }
	for _, gap := range []int{14, 15, 19, 26, 29} {
		if word(gap) != 0 {
			t.Errorf("unserved holding %d = %#04x, want 0", gap, word(gap))
		}
	}
	if word(30) != 1<<0|1<<5 {
		t.Errorf("status word = %#016b, want bits 0 and 5", word(30))
	}
	if word(31) != 1 {
		t.Errorf("whole-register bool = %d, want 1", word(31))
	}
	single, err := c.ReadHoldingRegisters(20, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(single, b[40:44]) {
		t.Errorf("float32 alone %x, in the block %x", single, b[40:44])
	}

	// Bits 0..7 of the coils: c-0 off at 35 s, c-3 on.
	coils, err := c.ReadCoils(0, 8)
	if err != nil {
		t.Fatal(err)
	}
	if coils[0] != 1<<3 {
		t.Errorf("coils 0..7 = %08b, want 00001000", coils[0])
	}
	inputs, err := c.ReadDiscreteInputs(0, 4)
	if err != nil {
		t.Fatal(err)
	}
	if inputs[0] != 1 {
		t.Errorf("discrete inputs 0..3 = %04b, want 0001", inputs[0])
	}
}

// wantException checks that err is a Modbus exception with the given code.
func wantException(t *testing.T, what string, err error, code byte) {
	t.Helper()
	var me *mbclient.ModbusError
	if !errors.As(err, &me) {
		t.Errorf("%s: error %v, want exception %02X", what, err, code)
		return
	}
	if me.ExceptionCode != code {
		t.Errorf("%s: exception %02X, want %02X", what, me.ExceptionCode, code)
	}
}

func TestServerRefusals(t *testing.T) {
	sc, err := ParseScenario([]byte(allTables))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, sc, newTestClock())
	c := dial(t, srv.Addr(), 1)
	other := dial(t, srv.Addr(), 7)

	tests := []struct {
		name string
		read func() ([]byte, error)
		code byte
	}{
		{"illegal holding start", func() ([]byte, error) {
			return c.ReadHoldingRegisters(100, 1)
		}, mbclient.ExceptionCodeIllegalDataAddress},
		{"read running into illegal holding", func() ([]byte, error) {
			return c.ReadHoldingRegisters(90, 11)
		}, mbclient.ExceptionCodeIllegalDataAddress},
		{"illegal holding end", func() ([]byte, error) {
			return c.ReadHoldingRegisters(109, 3)
		}, mbclient.ExceptionCodeIllegalDataAddress},
		{"illegal coil", func() ([]byte, error) {
			return c.ReadCoils(40, 20)
		}, mbclient.ExceptionCodeIllegalDataAddress},
		{"illegal input", func() ([]byte, error) {
			return c.ReadInputRegisters(198, 5)
		}, mbclient.ExceptionCodeIllegalDataAddress},
		{"write holding", func() ([]byte, error) {
			return c.WriteSingleRegister(0, 1)
		}, mbclient.ExceptionCodeIllegalFunction},
		{"write coil", func() ([]byte, error) {
			return c.WriteSingleCoil(0, 0xFF00)
		}, mbclient.ExceptionCodeIllegalFunction},
		{"other unit id", func() ([]byte, error) {
			return other.ReadHoldingRegisters(0, 1)
		}, mbclient.ExceptionCodeGatewayTargetDeviceFailedToRespond},
	}
	for _, tt := range tests {
		_, err := tt.read()
		wantException(t, tt.name, err, tt.code)
	}

	// Next to an illegal range, and past the last signal, reads work.
	if _, err := c.ReadHoldingRegisters(90, 10); err != nil {
		t.Errorf("read ending just before an illegal range: %v", err)
	}
	if _, err := c.ReadHoldingRegisters(110, 10); err != nil {
		t.Errorf("read starting just after an illegal range: %v", err)
	}
}

func TestServerStrict(t *testing.T) {
	sc, err := ParseScenario([]byte("strict: true\nunit_id: 0\n" + allTables))
	if err != nil {
		t.Fatal(err)
	}
	srv := startServer(t, sc, newTestClock())
	c := dial(t, srv.Addr(), 42) // unit_id 0 answers every unit

	tests := []struct {
		name string
		read func() ([]byte, error)
		ok   bool
	}{
		{"served holding block", func() ([]byte, error) {
			return c.ReadHoldingRegisters(0, 14)
		}, true},
		{"holding across a gap", func() ([]byte, error) {
			return c.ReadHoldingRegisters(10, 6)
		}, false},
		{"first word of a float32 alone", func() ([]byte, error) {
			return c.ReadHoldingRegisters(20, 1)
		}, true},
		{"register of bits", func() ([]byte, error) {
			return c.ReadHoldingRegisters(30, 2)
		}, true},
		{"input gap", func() ([]byte, error) {
			return c.ReadInputRegisters(4, 1)
		}, false},
		{"served coil", func() ([]byte, error) {
			return c.ReadCoils(3, 1)
		}, true},
		{"unserved coil", func() ([]byte, error) {
			return c.ReadCoils(0, 4)
		}, false},
		{"discrete inputs", func() ([]byte, error) {
			return c.ReadDiscreteInputs(0, 2)
		}, true},
	}
	for _, tt := range tests {
		_, err := tt.read()
		if tt.ok {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		wantException(t, tt.name, err, mbclient.ExceptionCodeIllegalDataAddress)
	}
}

func TestServerConcurrentClients(t *testing.T) {
	sc, err := ParseScenario([]byte(allTables))
	if err != nil {
		t.Fatal(err)
	}
	clock := newTestClock()
	clock.set(42 * time.Second)
	srv := startServer(t, sc, clock)

	var wg sync.WaitGroup
	for range 8 {
		c := dial(t, srv.Addr(), 1)
		wg.Go(func() {
			for range 25 {
				for i := range sc.Signals {
					s := &sc.Signals[i]
					checkReading(t, sc, s, readSignal(t, c, s), clock.now())
				}
			}
		})
	}
	wg.Wait()
}

func TestServerCloses(t *testing.T) {
	sc, err := ParseScenario([]byte(allTables))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := Start(ctx, sc, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr()
	dial(t, addr, 1)

	// Cancelling the context closes the server; Close after that is a
	// harmless repeat.
	cancel()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("server still accepting after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close after cancel: %v", err)
	}
}

func TestStartNeedsValidScenario(t *testing.T) {
	sc := &Scenario{Listen: DefaultListen, UnitID: 1}
	if _, err := Start(context.Background(), sc, "127.0.0.1:0"); err == nil {
		t.Error("Start accepted a scenario that was never validated")
	}
}
