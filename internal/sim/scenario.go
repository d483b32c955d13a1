package sim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"go.yaml.in/yaml/v3"
)

// DefaultListen is the address a scenario listens on when it names none.
const DefaultListen = "127.0.0.1:5020"

// Table is one of the four Modbus data tables.
type Table string

// The Modbus data tables a signal or an illegal range can live in.
const (
	Coil          Table = "coil"
	DiscreteInput Table = "discrete_input"
	Holding       Table = "holding"
	Input         Table = "input"
)

// bitTable reports whether t holds single bits rather than 16-bit registers.
func (t Table) bitTable() bool { return t == Coil || t == DiscreteInput }

// Scenario is a simulated device: where it listens, which addresses it
// refuses and the signals it serves. Build it with ParseScenario or
// LoadScenario; a Scenario built by hand must pass Validate before Start.
type Scenario struct {
	// Listen is the TCP address served when Start is given none.
	Listen string `yaml:"listen"`
	// UnitID is the Modbus unit id answered; 0 answers every unit id.
	UnitID int `yaml:"unit_id"`
	// Start, when set, is the instant waveforms count from; when zero
	// they count from the moment the server starts.
	Start time.Time `yaml:"start"`
	// Strict makes a request that touches an address no signal serves
	// fail with exception 02, as most PLCs do; otherwise such
	// addresses read as zero.
	Strict bool `yaml:"strict"`
	// Illegal lists ranges that always fail with exception 02.
	Illegal []Range `yaml:"illegal"`
	// Signals are the values served.
	Signals []Signal `yaml:"signals"`

	// Filled in by Validate.
	byName map[string]*Signal
	tables map[Table]tableIndex

	// origin is the instant elapsed time counts from, set by Start
	// unless the scenario names its own start.
	origin atomic.Pointer[time.Time]
}

// Range is a block of addresses in one table that a request may not touch.
type Range struct {
	Table   Table `yaml:"table"`
	Address int   `yaml:"address"`
	Count   int   `yaml:"count"`
}

// UnmarshalYAML applies the defaults of a range (count 1) before decoding.
func (r *Range) UnmarshalYAML(unmarshal func(any) error) error {
	*r = Range{Count: 1}
	type plain Range
	return unmarshal((*plain)(r))
}

// overlaps reports whether the range overlaps [addr, addr+n) of table t.
func (r Range) overlaps(t Table, addr, n int) bool {
	return r.Table == t && addr < r.Address+r.Count && r.Address < addr+n
}

// ParseScenario decodes a scenario from YAML, rejecting unknown keys, and
// validates it.
func ParseScenario(data []byte) (*Scenario, error) {
	sc := &Scenario{Listen: DefaultListen, UnitID: 1}

	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(sc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("decode scenario: empty document")
		}
		return nil, fmt.Errorf("decode scenario: %w", err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("decode scenario: more than one document")
	}

	if err := sc.Validate(); err != nil {
		return nil, fmt.Errorf("invalid scenario: %w", err)
	}
	return sc, nil
}

// LoadScenario reads and parses the scenario file at path.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	sc, err := ParseScenario(data)
	if err != nil {
		return nil, fmt.Errorf("load scenario %q: %w", path, err)
	}
	return sc, nil
}

// Signal looks a signal up by name; the result must not be modified.
func (sc *Scenario) Signal(name string) (*Signal, bool) {
	s, ok := sc.byName[name]
	return s, ok
}

// ValueAt returns the engineering value of the named signal at t, before it
// is quantised into registers. Time counts from the scenario's start key or,
// without one, from the most recent Start of a server on this scenario;
// without either it fails with ErrNotStarted.
func (sc *Scenario) ValueAt(name string, t time.Time) (float64, error) {
	s, elapsed, err := sc.at(name, t)
	if err != nil {
		return 0, err
	}
	return s.valueAfter(elapsed), nil
}

// ValueAfter returns the engineering value of the named signal once elapsed
// has passed since the start; it needs no running server.
func (sc *Scenario) ValueAfter(name string, elapsed time.Duration) (float64, error) {
	s, ok := sc.byName[name]
	if !ok {
		return 0, fmt.Errorf("value of %q: %w", name, ErrUnknownSignal)
	}
	return s.valueAfter(elapsed), nil
}

// RegistersAt returns the raw words (or, for a bit, 0 or 1) the named signal
// is served as at t, in address order. A bool stored as one bit of a
// register is returned as 0 or 1, not shifted into place.
func (sc *Scenario) RegistersAt(name string, t time.Time) ([]uint16, error) {
	s, elapsed, err := sc.at(name, t)
	if err != nil {
		return nil, err
	}
	return s.registers(elapsed), nil
}

// Resolution returns the quantisation step of the named signal: the
// absolute scale for integer types, 1 for bool and 0 for float32 and
// float64. A float32 still rounds to about 7 significant digits, so compare
// it with a relative tolerance. An unknown name gives NaN, so that any
// comparison made with it fails.
func (sc *Scenario) Resolution(name string) float64 {
	s, ok := sc.byName[name]
	if !ok {
		return nan
	}
	return s.resolution()
}

// ErrNotStarted is returned by ValueAt and RegistersAt for a scenario with
// no start key that no server has started yet: there is no time zero.
var ErrNotStarted = errors.New("scenario not started")

// ErrUnknownSignal is returned when a name matches no signal.
var ErrUnknownSignal = errors.New("unknown signal")

// at finds a signal and the time elapsed at t since the scenario's origin.
func (sc *Scenario) at(name string, t time.Time) (*Signal, time.Duration, error) {
	s, ok := sc.byName[name]
	if !ok {
		return nil, 0, fmt.Errorf("value of %q: %w", name, ErrUnknownSignal)
	}
	if origin := sc.origin.Load(); origin != nil {
		return s, t.Sub(*origin), nil
	}
	if !sc.Start.IsZero() {
		return s, t.Sub(sc.Start), nil
	}
	return nil, 0, fmt.Errorf("value of %q: %w", name, ErrNotStarted)
}

// begin fixes time zero for a server started at now and returns it.
func (sc *Scenario) begin(now time.Time) time.Time {
	if !sc.Start.IsZero() {
		now = sc.Start
	}
	sc.origin.Store(&now)
	return now
}
