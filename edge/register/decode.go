package register

import (
	"errors"
	"fmt"
	"math"
)

// ErrNotFinite is wrapped by decode errors for a value that is NaN or
// infinite, either as stored (a float register holding NaN, which some
// detectors send while warming up or in fault) or after scaling. A reading
// must be a finite number to be compared with alarm limits, so such a
// value is reported as an error, and the agent marks the reading bad.
var ErrNotFinite = errors.New("value is not finite")

// ErrShortData is wrapped by Extract errors when a response does not hold
// the point, which means the request did not cover it or the device
// answered with fewer bytes than asked.
var ErrShortData = errors.New("response too short")

// DecodeRegisters returns the engineering value of s from regs, the
// registers of its span in address order (len(regs) must be the count that
// Span returns).
func DecodeRegisters(s Spec, regs []uint16) (float64, error) {
	if err := s.Validate(); err != nil {
		return 0, fmt.Errorf("decode registers: %w", err)
	}
	if s.Table.IsBit() {
		return 0, fmt.Errorf("decode %s: a bit table is decoded with DecodeBits", s)
	}
	if _, n := s.Span(); len(regs) != int(n) {
		return 0, fmt.Errorf("decode %s: got %d registers, want %d", s, len(regs), n)
	}
	return s.engineering(s.raw(regs))
}

// DecodeBits returns the engineering value of s, a coil or discrete input,
// from bits: exactly one bit, the point's own.
func DecodeBits(s Spec, bits []bool) (float64, error) {
	if err := s.Validate(); err != nil {
		return 0, fmt.Errorf("decode bits: %w", err)
	}
	if !s.Table.IsBit() {
		return 0, fmt.Errorf("decode %s: a register table is decoded with "+
			"DecodeRegisters", s)
	}
	if len(bits) != 1 {
		return 0, fmt.Errorf("decode %s: got %d bits, want 1", s, len(bits))
	}
	return s.engineering(boolFloat(bits[0]))
}

// raw interprets valid registers as s's type, before scale and offset.
func (s Spec) raw(regs []uint16) float64 {
	if s.Type == Bool {
		return float64(regs[0] >> s.Bit & 1)
	}
	bits := s.Order.toBigEndian(regs)
	switch s.Type {
	case Int16:
		return float64(int16(bits))
	case Uint16:
		return float64(uint16(bits))
	case Int32:
		return float64(int32(bits))
	case Uint32:
		return float64(uint32(bits))
	case Int64:
		return float64(int64(bits))
	case Uint64:
		return float64(bits)
	case Float32:
		return float64(math.Float32frombits(uint32(bits)))
	}
	return math.Float64frombits(bits)
}

// engineering applies scale and offset and refuses a non-finite result.
func (s Spec) engineering(raw float64) (float64, error) {
	if math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 0, fmt.Errorf("decode %s: raw %g: %w", s, raw, ErrNotFinite)
	}
	v := raw*s.scale() + s.Offset
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("decode %s: raw %g scaled to %g: %w",
			s, raw, v, ErrNotFinite)
	}
	return v, nil
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
