package register

import (
	"errors"
	"math"
	"math/rand"
	"testing"
)

// TestRoundTrip encodes random values of every type, order and a few
// scales, then decodes them: the result must be the value after the
// rounding the type forces, and no more than that.
func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	scales := []float64{0, 1, 0.1, -2.5, 1e-3}
	for ty := Int16; ty <= Float64; ty++ {
		for o := ABCD; o <= CDAB; o++ {
			for range 500 {
				s := Spec{Table: Holding, Type: ty, Order: o, Bit: NoBit,
					Scale: scales[rng.Intn(len(scales))], Offset: rng.NormFloat64()}
				roundTrip(t, s, randomRaw(rng, ty))
			}
		}
	}
}

// randomRaw returns a raw value that ty can hold.
func randomRaw(rng *rand.Rand, ty Type) float64 {
	lo, hi := intRange(ty)
	switch ty {
	case Float32:
		return float64(float32(rng.NormFloat64() * 1e6))
	case Float64:
		return rng.NormFloat64() * 1e12
	case Int64, Uint64:
		// Stay within 2^53 so the integer is exact in float64.
		return math.Round(rng.Float64() * (1 << 53))
	}
	return math.Floor(lo + rng.Float64()*(hi-lo))
}

func roundTrip(t *testing.T, s Spec, raw float64) {
	t.Helper()
	value := raw*s.scale() + s.Offset
	regs, err := Encode(s, value)
	if err != nil {
		t.Fatalf("%s: encode %v (raw %v): %v", s, value, raw, err)
	}
	got, err := DecodeRegisters(s, regs)
	if err != nil {
		t.Fatalf("%s: decode %04X: %v", s, regs, err)
	}
	// One raw step is the largest honest error for integers; floats may
	// lose a few ulps through the scale and offset arithmetic.
	tol := math.Abs(s.scale())*0.5 + 1e-9*math.Max(1, math.Abs(value))
	if math.Abs(got-value) > tol {
		t.Fatalf("%s: %v encoded %04X decoded %v", s, value, regs, got)
	}
}

func TestEncodeBool(t *testing.T) {
	reg := Spec{Table: Holding, Type: Bool, Bit: 9}
	if got, err := Encode(reg, 1); err != nil || !equalRegs(got, []uint16{1 << 9}) {
		t.Errorf("register bit 9: got %04X, %v", got, err)
	}
	coil := Spec{Table: Coil, Type: Bool, Bit: NoBit}
	if got, err := Encode(coil, 1); err != nil || !equalRegs(got, []uint16{1}) {
		t.Errorf("coil: got %v, %v", got, err)
	}
	if _, err := Encode(coil, 0.5); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("coil 0.5: got %v, want ErrOutOfRange", err)
	}
}

func TestEncodeRange(t *testing.T) {
	tests := []struct {
		typ   Type
		value float64
		ok    bool
	}{
		{Int16, 32767, true},
		{Int16, 32767.4, true}, // rounds down into range
		{Int16, 32767.5, false},
		{Int16, -32768.5, false},
		{Uint16, -0.4, true},
		{Uint16, -0.6, false},
		{Uint16, 65535, true},
		{Uint16, 65536, false},
		{Int32, math.MinInt32, true},
		{Uint32, 1 << 32, false},
		{Int64, 1 << 63, false},
		{Int64, -(1 << 63), true},
		{Uint64, 1 << 64, false},
		{Uint64, -1, false},
		{Float32, math.MaxFloat32, true},
		{Float32, math.MaxFloat64, false},
		{Float64, math.MaxFloat64, true},
	}
	for _, tt := range tests {
		s := Spec{Table: Holding, Type: tt.typ, Bit: NoBit}
		_, err := Encode(s, tt.value)
		if tt.ok && err != nil {
			t.Errorf("%s %v: unexpected %v", tt.typ, tt.value, err)
		}
		if !tt.ok && !errors.Is(err, ErrOutOfRange) {
			t.Errorf("%s %v: got %v, want ErrOutOfRange", tt.typ, tt.value, err)
		}
	}
	s := Spec{Table: Holding, Type: Float32, Bit: NoBit}
	if _, err := Encode(s, math.NaN()); !errors.Is(err, ErrNotFinite) {
		t.Errorf("NaN: got %v, want ErrNotFinite", err)
	}
}

func TestEncodeRounding(t *testing.T) {
	s := Spec{Table: Holding, Type: Int16, Bit: NoBit, Scale: 0.1}
	for _, tt := range []struct {
		value float64
		raw   uint16
	}{{1.26, 13}, {1.24, 12}, {-1.26, 0xFFF3}} {
		got, err := Encode(s, tt.value)
		if err != nil || got[0] != tt.raw {
			t.Errorf("%v: got %04X, %v; want %04X", tt.value, got, err, tt.raw)
		}
	}
}
