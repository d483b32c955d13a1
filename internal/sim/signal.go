package sim

import (
	"fmt"
	"math"
	"time"
)

// DataType is how a signal's value is stored in its registers.
type DataType string

// The data types a signal can have.
const (
	Bool    DataType = "bool"
	Int16   DataType = "int16"
	Uint16  DataType = "uint16"
	Int32   DataType = "int32"
	Uint32  DataType = "uint32"
	Int64   DataType = "int64"
	Uint64  DataType = "uint64"
	Float32 DataType = "float32"
	Float64 DataType = "float64"
)

// Words returns how many 16-bit registers the type takes, or 0 for a type
// this package does not know.
func (t DataType) Words() int {
	switch t {
	case Bool, Int16, Uint16:
		return 1
	case Int32, Uint32, Float32:
		return 2
	case Int64, Uint64, Float64:
		return 4
	}
	return 0
}

// float reports whether the type is a floating point type.
func (t DataType) float() bool { return t == Float32 || t == Float64 }

// ByteOrder names how the big-endian bytes A B C D ... of a value are laid
// into registers. See Encode for the exact rules.
type ByteOrder string

// The byte orders a multi-byte value can be served in.
const (
	ABCD ByteOrder = "ABCD"
	DCBA ByteOrder = "DCBA"
	BADC ByteOrder = "BADC"
	CDAB ByteOrder = "CDAB"
)

// Signal is one value the simulated device serves: where it lives, how it
// is encoded and how it moves in time.
type Signal struct {
	// Name identifies the signal; it is safe as an MQTT topic level.
	Name string `yaml:"name"`
	// Unit and Description are for people and logs only.
	Unit        string `yaml:"unit"`
	Description string `yaml:"description"`

	// Table and Address place the signal's first register or bit.
	Table   Table `yaml:"table"`
	Address int   `yaml:"address"`
	// Type and ByteOrder say how the value is laid into registers.
	Type      DataType  `yaml:"type"`
	ByteOrder ByteOrder `yaml:"byte_order"`
	// Bit, when set, stores a bool as that bit (0 least significant) of
	// a holding or input register, which other bit signals may share.
	Bit *int `yaml:"bit"`
	// Scale and Offset: the register holds (value - Offset) / Scale.
	Scale  float64 `yaml:"scale"`
	Offset float64 `yaml:"offset"`

	// Waveform is the base shape of the value in time.
	Waveform `yaml:",inline"`
	// Events are steps laid over the waveform, in time order.
	Events []Event `yaml:"events"`

	// keys holds the YAML keys written for this signal, so that Validate
	// can tell a missing parameter from a zero one and reject parameters
	// that the kind does not use.
	keys map[string]bool
	// starts[i] is the value from which Events[i] moves.
	starts []float64
}

// UnmarshalYAML applies the signal defaults (byte order ABCD, scale 1,
// noise interval 1 s) before decoding and records which keys were given.
func (s *Signal) UnmarshalYAML(unmarshal func(any) error) error {
	*s = Signal{ByteOrder: ABCD, Scale: 1}
	s.Interval = time.Second

	type plain Signal
	if err := unmarshal((*plain)(s)); err != nil {
		return err
	}
	var raw map[string]any
	if err := unmarshal(&raw); err != nil {
		return err
	}
	s.keys = make(map[string]bool, len(raw))
	for k := range raw {
		s.keys[k] = true
	}
	return nil
}

// Kind names a waveform shape.
type Kind string

// The waveform shapes.
const (
	// Constant holds Value.
	Constant Kind = "constant"
	// Ramp climbs linearly From To over Period, then starts again, or
	// holds To when Once is set.
	Ramp Kind = "ramp"
	// Sine swings Amplitude either side of Mean with the given Period.
	Sine Kind = "sine"
	// Noise is Mean plus Gaussian noise of Stddev.
	Noise Kind = "noise"
	// Steps holds each of Values for Period in turn, then starts again.
	Steps Kind = "steps"
)

// Waveform is the base shape of a signal in time. Which fields count
// depends on Kind; Stddev adds Gaussian noise to any kind.
type Waveform struct {
	Kind      Kind          `yaml:"kind"`
	Value     float64       `yaml:"value"`
	From      float64       `yaml:"from"`
	To        float64       `yaml:"to"`
	Period    time.Duration `yaml:"period"`
	Once      bool          `yaml:"once"`
	Mean      float64       `yaml:"mean"`
	Amplitude float64       `yaml:"amplitude"`
	Values    []float64     `yaml:"values"`

	// Stddev is the standard deviation of noise added to the value.
	// The noise is a pure function of Seed and the number of whole
	// Intervals elapsed, so it holds still within an interval, as a
	// real transmitter's output does, and a test can recompute it.
	Stddev   float64       `yaml:"stddev"`
	Seed     int64         `yaml:"seed"`
	Interval time.Duration `yaml:"interval"`
}

// Event moves a signal, At a time after the start, linearly To a value over
// Ramp, and holds it there until the next event.
type Event struct {
	At   time.Duration `yaml:"at"`
	To   Target        `yaml:"to"`
	Ramp time.Duration `yaml:"ramp"`
}

// Target is where an event moves a signal: a fixed value, or back onto the
// base waveform (written `to: base`).
type Target struct {
	Base  bool
	Value float64
}

// UnmarshalYAML accepts a number or the word base.
func (t *Target) UnmarshalYAML(unmarshal func(any) error) error {
	var v float64
	if err := unmarshal(&v); err == nil {
		*t = Target{Value: v}
		return nil
	}
	var word string
	if err := unmarshal(&word); err != nil || word != "base" {
		return fmt.Errorf("event target must be a number or base")
	}
	*t = Target{Base: true}
	return nil
}

// valueAfter is the engineering value once elapsed has passed since the
// start. Before the start a signal holds its value at the start.
func (s *Signal) valueAfter(elapsed time.Duration) float64 {
	elapsed = max(elapsed, 0)
	v := s.layered(elapsed, len(s.Events))
	if s.Stddev > 0 {
		v += s.Stddev * gauss(s.Seed, int64(elapsed/s.Interval))
	}
	return v
}

// layered is the noiseless value at d under the first n events: the last
// of those that has begun decides it, moving from the value it found at
// its own start towards its target.
func (s *Signal) layered(d time.Duration, n int) float64 {
	i := n - 1
	for i >= 0 && s.Events[i].At > d {
		i--
	}
	if i < 0 {
		return s.base(d)
	}

	ev := s.Events[i]
	from, to := s.starts[i], ev.To.Value
	if ev.To.Base {
		to = s.base(d)
	}
	if since := d - ev.At; since < ev.Ramp {
		return from + (to-from)*float64(since)/float64(ev.Ramp)
	}
	return to
}

// prepareEvents records where each event starts from; it needs the events
// sorted by time, which Validate checks.
func (s *Signal) prepareEvents() {
	s.starts = make([]float64, len(s.Events))
	for i, ev := range s.Events {
		s.starts[i] = s.layered(ev.At, i)
	}
}

// base is the noiseless waveform at d, without events.
func (s *Signal) base(d time.Duration) float64 {
	w := &s.Waveform
	switch w.Kind {
	case Constant:
		return w.Value
	case Ramp:
		if w.Once && d >= w.Period {
			return w.To
		}
		frac := float64(d%w.Period) / float64(w.Period)
		return w.From + (w.To-w.From)*frac
	case Sine:
		phase := float64(d%w.Period) / float64(w.Period)
		return w.Mean + w.Amplitude*math.Sin(2*math.Pi*phase)
	case Noise:
		return w.Mean
	case Steps:
		return w.Values[int((d/w.Period)%time.Duration(len(w.Values)))]
	}
	return 0
}

// resolution is the engineering size of one step of the stored value.
func (s *Signal) resolution() float64 {
	switch {
	case s.Type == Bool:
		return 1
	case s.Type.float():
		return 0
	}
	return math.Abs(s.Scale)
}

// registers is what the signal is served as after elapsed: its words in
// address order, or 0 or 1 for a bool.
func (s *Signal) registers(elapsed time.Duration) []uint16 {
	v := s.valueAfter(elapsed)
	words, _ := Encode(s.Type, s.ByteOrder, (v-s.Offset)/s.Scale)
	return words
}

// on is how a bool signal reads its value: true from one half up.
func (s *Signal) on(v float64) bool { return v >= 0.5 }

// gauss is a standard normal deviate that depends only on seed and n.
func gauss(seed, n int64) float64 {
	x := splitmix(uint64(seed) ^ splitmix(uint64(n)))
	y := splitmix(x)

	// Box-Muller; u1 is in (0, 1] so its logarithm is finite.
	u1 := float64(x>>11+1) / (1 << 53)
	u2 := float64(y>>11) / (1 << 53)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// splitmix is one round of the SplitMix64 mixing function.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

var nan = math.NaN()
