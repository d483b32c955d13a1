package sim

import (
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"strings"
)

const maxAddress = 65535

// Validate checks the scenario, naming the offending key in its error, and
// builds the address tables the server reads. Call it again after changing
// any field of a scenario.
func (sc *Scenario) Validate() error {
	if err := sc.validateDevice(); err != nil {
		return err
	}

	byName := make(map[string]*Signal, len(sc.Signals))
	index := make(map[string]int, len(sc.Signals))
	tables := map[Table]tableIndex{
		Coil: {}, DiscreteInput: {}, Holding: {}, Input: {},
	}
	for i := range sc.Signals {
		s, key := &sc.Signals[i], fmt.Sprintf("signals[%d]", i)
		if err := s.validate(key); err != nil {
			return err
		}
		if j, dup := index[s.Name]; dup {
			return fmt.Errorf("%s.name: %q already used by signals[%d]",
				key, s.Name, j)
		}
		if err := tables[s.Table].place(s, key); err != nil {
			return err
		}
		s.prepareEvents()
		byName[s.Name], index[s.Name] = s, i
	}

	for i, r := range sc.Illegal {
		for _, s := range sc.Signals {
			if r.overlaps(s.Table, s.Address, s.span()) {
				return fmt.Errorf("illegal[%d]: %s %d..%d overlaps signal %s",
					i, r.Table, r.Address, r.Address+r.Count-1, s.Name)
			}
		}
	}

	sc.byName, sc.tables = byName, tables
	return nil
}

// validateDevice checks the keys that are not about one signal.
func (sc *Scenario) validateDevice() error {
	if _, _, err := net.SplitHostPort(sc.Listen); err != nil {
		return fmt.Errorf("listen: %q is not host:port: %w", sc.Listen, err)
	}
	if sc.UnitID < 0 || sc.UnitID > 255 {
		return fmt.Errorf("unit_id: %d outside 0..255 (0 answers every unit id)",
			sc.UnitID)
	}
	for i, r := range sc.Illegal {
		key := fmt.Sprintf("illegal[%d]", i)
		if err := checkTable(key, r.Table); err != nil {
			return err
		}
		if err := checkAddress(key, r.Address); err != nil {
			return err
		}
		if r.Count < 1 || r.Address+r.Count-1 > maxAddress {
			return fmt.Errorf("%s.count: %d must be at least 1 and end by %d",
				key, r.Count, maxAddress)
		}
	}
	if len(sc.Signals) == 0 {
		return errors.New("signals: none defined")
	}
	return nil
}

// validate checks one signal; key is its path in the file, signals[i].
func (s *Signal) validate(key string) error {
	checks := []func(string) error{
		s.validateName, s.validateType, s.validatePlace,
		s.validateWaveform, s.validateEvents,
	}
	for _, check := range checks {
		if err := check(key); err != nil {
			return err
		}
	}
	return nil
}

func (s *Signal) validateName(key string) error {
	if s.Name == "" {
		return fmt.Errorf("%s.name: required", key)
	}
	bad := strings.IndexFunc(s.Name, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' ||
			r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-')
	})
	if bad >= 0 {
		return fmt.Errorf("%s.name: %q may hold only letters, digits, "+
			"'.', '_' and '-'", key, s.Name)
	}
	return nil
}

// validatePlace checks the table, the address and the bit.
func (s *Signal) validatePlace(key string) error {
	if err := checkTable(key, s.Table); err != nil {
		return err
	}
	if err := checkAddress(key, s.Address); err != nil {
		return err
	}
	if end := s.Address + s.span() - 1; end > maxAddress {
		return fmt.Errorf("%s.address: %d holds %d registers of %s, "+
			"running past %d", key, s.Address, s.span(), s.Type, maxAddress)
	}
	if s.Bit == nil {
		return nil
	}
	switch {
	case s.Type != Bool:
		return fmt.Errorf("%s.bit: only for type bool, not %s", key, s.Type)
	case s.Table.bitTable():
		return fmt.Errorf("%s.bit: only for tables holding and input, not %s",
			key, s.Table)
	case *s.Bit < 0 || *s.Bit > 15:
		return fmt.Errorf("%s.bit: %d outside 0..15", key, *s.Bit)
	}
	return nil
}

// validateType checks the type, byte order, scale and offset.
func (s *Signal) validateType(key string) error {
	if s.Type.Words() == 0 {
		return fmt.Errorf("%s.type: %q is not one of bool, int16, uint16, "+
			"int32, uint32, int64, uint64, float32, float64", key, s.Type)
	}
	if s.Table.bitTable() && s.Type != Bool {
		return fmt.Errorf("%s.type: %s cannot live in table %s, which "+
			"holds only bool", key, s.Type, s.Table)
	}
	switch s.ByteOrder {
	case ABCD, DCBA, BADC, CDAB:
	default:
		return fmt.Errorf("%s.byte_order: %q is not one of ABCD, DCBA, "+
			"BADC, CDAB", key, s.ByteOrder)
	}
	if s.Type == Bool {
		for _, k := range []string{"byte_order", "scale", "offset"} {
			if s.keys[k] {
				return fmt.Errorf("%s.%s: not used by type bool", key, k)
			}
		}
	}
	if s.Scale == 0 || !finite(s.Scale) {
		return fmt.Errorf("%s.scale: %v must be a finite number other than 0",
			key, s.Scale)
	}
	if !finite(s.Offset) {
		return fmt.Errorf("%s.offset: %v must be finite", key, s.Offset)
	}
	return nil
}

// waveKeys are the waveform parameters, each used by some kinds only; the
// noise parameters stddev, seed and interval go with every kind.
var waveKeys = []string{
	"value", "from", "to", "period", "once", "mean", "amplitude", "values",
}

// kindKeys lists the parameters each kind requires, then those it allows.
var kindKeys = map[Kind][2][]string{
	Constant: {{"value"}},
	Ramp:     {{"from", "to", "period"}, {"once"}},
	Sine:     {{"mean", "amplitude", "period"}},
	Noise:    {{"mean", "stddev"}},
	Steps:    {{"values", "period"}},
}

func (s *Signal) validateWaveform(key string) error {
	keys, ok := kindKeys[s.Kind]
	if !ok {
		return fmt.Errorf("%s.kind: %q is not one of constant, ramp, sine, "+
			"noise, steps", key, s.Kind)
	}

	// Keys: a signal built in Go rather than decoded has no key set, and
	// then only the values themselves are checked.
	takes := slices.Concat(keys[0], keys[1])
	for _, k := range waveKeys {
		if s.keys[k] && !slices.Contains(takes, k) {
			return fmt.Errorf("%s.%s: not used by kind %s (it takes %s)",
				key, k, s.Kind, strings.Join(takes, ", "))
		}
	}
	for _, k := range keys[0] {
		if s.keys != nil && !s.keys[k] {
			return fmt.Errorf("%s.%s: required by kind %s", key, k, s.Kind)
		}
	}

	// Values.
	w := &s.Waveform
	nums := []struct {
		key string
		v   float64
	}{
		{"value", w.Value}, {"from", w.From}, {"to", w.To},
		{"mean", w.Mean}, {"amplitude", w.Amplitude}, {"stddev", w.Stddev},
	}
	for _, n := range nums {
		if !finite(n.v) {
			return fmt.Errorf("%s.%s: %v must be finite", key, n.key, n.v)
		}
	}
	for i, v := range w.Values {
		if !finite(v) {
			return fmt.Errorf("%s.values[%d]: %v must be finite", key, i, v)
		}
	}
	switch {
	case slices.Contains(takes, "period") && w.Period <= 0:
		return fmt.Errorf("%s.period: %v must be positive", key, w.Period)
	case s.Kind == Steps && len(w.Values) == 0:
		return fmt.Errorf("%s.values: at least one value required", key)
	case w.Stddev < 0:
		return fmt.Errorf("%s.stddev: %v must not be negative", key, w.Stddev)
	case w.Interval <= 0:
		return fmt.Errorf("%s.interval: %v must be positive", key, w.Interval)
	}
	return nil
}

func (s *Signal) validateEvents(key string) error {
	for i, ev := range s.Events {
		k := fmt.Sprintf("%s.events[%d]", key, i)
		switch {
		case ev.At < 0:
			return fmt.Errorf("%s.at: %v must not be negative", k, ev.At)
		case i > 0 && ev.At < s.Events[i-1].At:
			return fmt.Errorf("%s.at: %v comes before the previous event's %v",
				k, ev.At, s.Events[i-1].At)
		case ev.Ramp < 0:
			return fmt.Errorf("%s.ramp: %v must not be negative", k, ev.Ramp)
		case !ev.To.Base && !finite(ev.To.Value):
			return fmt.Errorf("%s.to: %v must be finite", k, ev.To.Value)
		}
	}
	return nil
}

// span is how many addresses of its table the signal takes.
func (s *Signal) span() int {
	if s.Table.bitTable() {
		return 1
	}
	return max(s.Type.Words(), 1)
}

func checkTable(key string, t Table) error {
	switch t {
	case Coil, DiscreteInput, Holding, Input:
		return nil
	}
	return fmt.Errorf("%s.table: %q is not one of coil, discrete_input, "+
		"holding, input", key, t)
}

func checkAddress(key string, addr int) error {
	if addr < 0 {
		return fmt.Errorf("%s.address: %d is negative", key, addr)
	}
	if addr > maxAddress {
		return fmt.Errorf("%s.address: %d past %d", key, addr, maxAddress)
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// cell is what one address of a table serves: all or part of one signal,
// or single bits of several bool signals.
type cell struct {
	sig  *Signal
	word int
	bits []*Signal
}

// tableIndex maps the addresses of one table to what they serve.
type tableIndex map[uint16]*cell

// place puts a validated signal into the table, refusing overlaps.
func (ti tableIndex) place(s *Signal, key string) error {
	for w := range s.span() {
		addr := uint16(s.Address + w)
		c := ti[addr]
		if c == nil {
			c = &cell{}
			ti[addr] = c
		}
		if err := c.take(s, w, addr, key); err != nil {
			return err
		}
	}
	return nil
}

func (c *cell) take(s *Signal, word int, addr uint16, key string) error {
	if c.sig != nil {
		return fmt.Errorf("%s.address: %s %d already served by %s",
			key, s.Table, addr, c.sig.Name)
	}
	if s.Bit == nil {
		if len(c.bits) > 0 {
			return fmt.Errorf("%s.address: %s %d already holds bit %d of %s",
				key, s.Table, addr, *c.bits[0].Bit, c.bits[0].Name)
		}
		c.sig, c.word = s, word
		return nil
	}
	for _, o := range c.bits {
		if *o.Bit == *s.Bit {
			return fmt.Errorf("%s.bit: bit %d of %s %d already used by %s",
				key, *s.Bit, s.Table, addr, o.Name)
		}
	}
	c.bits = append(c.bits, s)
	return nil
}
