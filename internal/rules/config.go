package rules

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is what a point measures.
type Kind uint8

// Kinds of monitoring point.
const (
	CombustibleGas Kind = iota + 1 // %LEL
	ToxicGas                       // ppm or %OEL
	Oxygen                         // %VOL
	Methane                        // % (coal mine)
	LiquidLevel                    // m, mm or %
	Temperature
	Pressure
	Flow
	Other

	numKinds = iota + 1
)

var kindNames = [numKinds]string{
	CombustibleGas: "combustible_gas",
	ToxicGas:       "toxic_gas",
	Oxygen:         "oxygen",
	Methane:        "methane",
	LiquidLevel:    "level",
	Temperature:    "temperature",
	Pressure:       "pressure",
	Flow:           "flow",
	Other:          "other",
}

// String returns the configuration name of k.
func (k Kind) String() string {
	if k >= CombustibleGas && k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// ParseKind maps a configuration name to its Kind.
func ParseKind(s string) (Kind, error) {
	for k := CombustibleGas; k < numKinds; k++ {
		if kindNames[k] == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown kind %q (want one of %s)",
		s, strings.Join(kindNames[1:], ", "))
}

// Limit is one threshold of a point and the level of the alarm it raises.
type Limit struct {
	Value float64
	Level Level
}

// RateLimit raises RateOfChange when the value moves by PerMinute or more
// within one minute, up or down.
type RateLimit struct {
	PerMinute float64
	Level     Level
}

// MethaneTriple holds the three methane values of a coal-mine place, in %
// CH4. At a working face they are 1.0, 1.5 and 1.0.
type MethaneTriple struct {
	Alarm    float64 // MethaneAlarm is active at or above this
	PowerOff float64 // MethanePowerOff is active at or above this
	Restore  float64 // both clear once the value is below this
}

// DefaultStaleAfter is the number of expected intervals without a sample
// after which a point is stale.
const DefaultStaleAfter = 3

// Config is the rule configuration of one monitoring point.
type Config struct {
	Kind Kind
	// Unit of the values, such as "%LEL", "ppm", "%OEL", "%VOL".
	Unit string

	// RangeLow and RangeHigh bound what the sensor can measure; a value
	// outside them is a sensor fault. Both zero means no range is known.
	RangeLow, RangeHigh float64

	// Limits; nil means none. WithDefaults fills the standard ones in.
	HighHigh, High, Low, LowLow *Limit

	// Deadband is how far past a limit the value must come back before
	// the condition clears.
	Deadband float64
	// OnDelay is how long a limit must be crossed before it is active;
	// OffDelay how long it must be back before it clears.
	OnDelay, OffDelay time.Duration

	RateOfChange *RateLimit

	// ExpectedInterval is how often the point reports at the latest (its
	// heartbeat); zero turns the stale check off. StaleAfter intervals
	// without a sample make the point stale (zero means DefaultStaleAfter).
	ExpectedInterval time.Duration
	StaleAfter       int

	Methane *MethaneTriple
}

// Defaults returns the configuration GB/T 50493-2019 (and the coal-mine
// rules for methane) give a point of kind k measured in unit when the point
// has no limits of its own:
//
//   - combustible gas in %LEL: High 25 (level 1), HighHigh 50 (level 2);
//   - toxic gas in %OEL: High 100 (level 1), HighHigh 200 (level 2); in ppm
//     there is no default, since the OEL differs per gas;
//   - oxygen in %VOL: High 23.5 and Low 19.5, both level 1. The standard
//     gives one setting each way and no second step; level 1 leaves room
//     for a site to add its own LowLow or HighHigh as level 2;
//   - methane in %: the working-face triple 1.0, 1.5, restore below 1.0.
//
// Units are compared without regard to case or spaces. Any other kind or
// unit gets no limits: a default in the wrong unit is worse than none.
func Defaults(k Kind, unit string) Config {
	c := Config{Kind: k, Unit: unit}
	switch u := normUnit(unit); {
	case k == CombustibleGas && u == "%lel":
		c.High = &Limit{25, Level1}
		c.HighHigh = &Limit{50, Level2}
	case k == ToxicGas && u == "%oel":
		c.High = &Limit{100, Level1}
		c.HighHigh = &Limit{200, Level2}
	case k == Oxygen && u == "%vol":
		c.High = &Limit{23.5, Level1}
		c.Low = &Limit{19.5, Level1}
	case k == Methane && (u == "%" || u == "%ch4" || u == "%vol"):
		c.Methane = &MethaneTriple{Alarm: 1.0, PowerOff: 1.5, Restore: 1.0}
	}
	return c
}

func normUnit(u string) string {
	return strings.ToLower(strings.ReplaceAll(u, " ", ""))
}

// WithDefaults returns c with every missing limit taken from Defaults, a
// missing level set (2 for HighHigh and LowLow, 1 otherwise) and StaleAfter
// set to DefaultStaleAfter when zero. A limit of c's own is never changed,
// so an own High above the default HighHigh fails Validate: the integrator
// must then set HighHigh too, on purpose.
func (c Config) WithDefaults() Config {
	d := Defaults(c.Kind, c.Unit)
	c.HighHigh = orLimit(c.HighHigh, d.HighHigh, Level2)
	c.High = orLimit(c.High, d.High, Level1)
	c.Low = orLimit(c.Low, d.Low, Level1)
	c.LowLow = orLimit(c.LowLow, d.LowLow, Level2)
	if c.Methane == nil {
		c.Methane = d.Methane
	}
	if c.RateOfChange != nil && c.RateOfChange.Level == 0 {
		r := *c.RateOfChange
		r.Level = Level1
		c.RateOfChange = &r
	}
	if c.StaleAfter == 0 {
		c.StaleAfter = DefaultStaleAfter
	}
	return c
}

// orLimit returns own (copied, with level filled in) or else def.
func orLimit(own, def *Limit, level Level) *Limit {
	if own == nil {
		return def
	}
	l := *own
	if l.Level == 0 {
		l.Level = level
	}
	return &l
}

// Validate reports every field of c that is wrong, each error naming the
// configuration key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf(key+": "+format, args...))
	}

	if c.Kind < CombustibleGas || c.Kind >= numKinds {
		bad("kind", "unknown kind %d", c.Kind)
	}
	hasRange := c.RangeLow != 0 || c.RangeHigh != 0
	if hasRange && c.RangeLow >= c.RangeHigh {
		bad("range_high", "%g must be above range_low %g",
			c.RangeHigh, c.RangeLow)
	}
	c.validateLimits(bad, hasRange)

	if c.Deadband < 0 {
		bad("deadband", "%g must not be negative", c.Deadband)
	}
	if c.OnDelay < 0 {
		bad("on_delay", "%v must not be negative", c.OnDelay)
	}
	if c.OffDelay < 0 {
		bad("off_delay", "%v must not be negative", c.OffDelay)
	}
	if c.ExpectedInterval < 0 {
		bad("expected_interval", "%v must not be negative",
			c.ExpectedInterval)
	}
	if c.StaleAfter < 0 {
		bad("stale_after", "%d must not be negative", c.StaleAfter)
	}
	if r := c.RateOfChange; r != nil {
		if r.PerMinute <= 0 {
			bad("rate_of_change.per_minute", "%g must be positive",
				r.PerMinute)
		}
		checkLevel(bad, "rate_of_change.level", r.Level)
	}
	c.validateMethane(bad)
	return errors.Join(errs...)
}

type badFunc func(key, format string, args ...any)

// validateLimits checks each limit's level, its place in the range and
// the order low_low <= low < high <= high_high.
func (c Config) validateLimits(bad badFunc, hasRange bool) {
	named := []struct {
		key string
		l   *Limit
	}{
		{"low_low", c.LowLow}, {"low", c.Low},
		{"high", c.High}, {"high_high", c.HighHigh},
	}
	var prev *Limit
	var prevKey string
	for _, n := range named {
		if n.l == nil {
			continue
		}
		checkLevel(bad, n.key+".level", n.l.Level)
		if hasRange && (n.l.Value < c.RangeLow || n.l.Value > c.RangeHigh) {
			bad(n.key, "%g is outside the sensor range %g..%g",
				n.l.Value, c.RangeLow, c.RangeHigh)
		}
		if prev != nil && !limitOrdered(prevKey, n.key, prev, n.l) {
			bad(n.key, "%g is out of order with %s %g (want low_low <= "+
				"low < high <= high_high)", n.l.Value, prevKey, prev.Value)
		}
		prev, prevKey = n.l, n.key
	}
}

// limitOrdered tells whether lower (named lk) may sit below upper (uk): a
// low limit must be strictly below a high one, else they may be equal.
func limitOrdered(lk, uk string, lower, upper *Limit) bool {
	lowSide := lk == "low_low" || lk == "low"
	highSide := uk == "high" || uk == "high_high"
	if lowSide && highSide {
		return lower.Value < upper.Value
	}
	return lower.Value <= upper.Value
}

func checkLevel(bad badFunc, key string, l Level) {
	if !l.valid() {
		bad(key, "%d is not an alarm level (want 1 or 2)", l)
	}
}

func (c Config) validateMethane(bad badFunc) {
	m := c.Methane
	if m == nil {
		return
	}
	if m.Alarm <= 0 {
		bad("methane.alarm", "%g must be positive", m.Alarm)
	}
	if m.PowerOff < m.Alarm {
		bad("methane.power_off", "%g must not be below alarm %g",
			m.PowerOff, m.Alarm)
	}
	if m.Restore <= 0 || m.Restore > m.Alarm {
		bad("methane.restore", "%g must be positive and not above alarm %g",
			m.Restore, m.Alarm)
	}
}
