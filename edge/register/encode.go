package register

import (
	"errors"
	"fmt"
	"math"
)

// ErrOutOfRange is wrapped by Encode errors for a value the point's type
// cannot hold.
var ErrOutOfRange = errors.New("value out of range")

// Encode is the inverse of the decoders, for tests, the simulator and
// commissioning tools: it returns the registers that make s decode to
// value. Integer types round (value-Offset)/Scale to the nearest integer,
// halves away from zero. A bool must encode to exactly 0 or 1. For a
// register bit the other 15 bits are returned as 0; for a coil or discrete
// input the one element is the bit, 0 or 1.
func Encode(s Spec, value float64) ([]uint16, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	raw := (value - s.Offset) / s.scale()
	if math.IsNaN(raw) || math.IsInf(raw, 0) {
		return nil, fmt.Errorf("encode %g as %s: raw %g: %w", value, s, raw, ErrNotFinite)
	}
	bits, err := s.rawBits(raw)
	if err != nil {
		return nil, fmt.Errorf("encode %g as %s: %w", value, s, err)
	}
	if s.Type == Bool {
		return []uint16{uint16(bits) << max(s.Bit, 0)}, nil
	}
	return s.Order.fromBigEndian(bits, int(s.Type.Words())), nil
}

// rawBits returns the big-endian bit pattern of raw in s's type.
func (s Spec) rawBits(raw float64) (uint64, error) {
	switch s.Type {
	case Bool:
		if raw != 0 && raw != 1 {
			return 0, fmt.Errorf("raw %g is not 0 or 1: %w", raw, ErrOutOfRange)
		}
		return uint64(raw), nil
	case Float32:
		if math.Abs(raw) > math.MaxFloat32 {
			return 0, fmt.Errorf("raw %g beyond float32: %w", raw, ErrOutOfRange)
		}
		return uint64(math.Float32bits(float32(raw))), nil
	case Float64:
		return math.Float64bits(raw), nil
	}
	return s.intBits(math.Round(raw))
}

// intBits returns the two's complement pattern of the integer r, refusing
// values outside s's type. The bounds are compared as float64: 2^63 and
// 2^64 are exact there, so "below the power of two" is an exact test.
func (s Spec) intBits(r float64) (uint64, error) {
	lo, hi := intRange(s.Type)
	if r < lo || r >= hi {
		return 0, fmt.Errorf("raw %g outside %s [%g, %g): %w",
			r, s.Type, lo, hi, ErrOutOfRange)
	}
	if r < 0 {
		return uint64(int64(r)), nil
	}
	return uint64(r), nil
}

// intRange returns the half-open range [lo, hi) of an integer type.
func intRange(t Type) (lo, hi float64) {
	switch t {
	case Int16:
		return math.MinInt16, math.MaxInt16 + 1
	case Uint16:
		return 0, math.MaxUint16 + 1
	case Int32:
		return math.MinInt32, math.MaxInt32 + 1
	case Uint32:
		return 0, math.MaxUint32 + 1
	case Int64:
		return math.MinInt64, 1 << 63
	}
	return 0, 1 << 64
}
