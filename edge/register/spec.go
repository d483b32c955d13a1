package register

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalidSpec is wrapped by every error Validate returns, so a config
// loader can tell a bad point definition from a failed read.
var ErrInvalidSpec = errors.New("invalid register spec")

// NoBit is the Bit of a Spec that is not one bit of a register.
const NoBit = -1

// maxAddress is the last address of every Modbus table.
const maxAddress = math.MaxUint16

// Spec says where a point's raw value lives and how to turn it into an
// engineering value: raw * Scale + Offset.
//
// A bool comes either from a coil or discrete input (Bit is NoBit) or from
// one bit of a holding or input register (Bit 0..15, bit 0 the least
// significant). Every other type lives in registers, and its Bit is NoBit.
// Bit's zero value is bit 0, so a Spec literal must set Bit: NoBit for
// anything but a register bit; Validate says so when it is forgotten.
//
// Scale 0 means 1, so that a Spec written without a scale reads the raw
// value. A negative scale is allowed (a sensor wired with inverted sign);
// NaN and infinite scales or offsets are rejected, since they would turn
// every reading into a non-finite one.
type Spec struct {
	Table   Table
	Address uint16
	Type    Type
	Order   ByteOrder
	Bit     int
	Scale   float64
	Offset  float64
}

// String names the point's place and layout for error messages, for
// example "holding 100 int32 CDAB" or "input 7 bool bit 3".
func (s Spec) String() string {
	str := fmt.Sprintf("%s %d %s", s.Table, s.Address, s.Type)
	switch {
	case s.Bit != NoBit:
		str += fmt.Sprintf(" bit %d", s.Bit)
	case s.Type.Words() > 1 || s.Order != ABCD:
		str += " " + s.Order.String()
	}
	return str
}

// Validate reports the first thing wrong with s, naming the field. The
// error wraps ErrInvalidSpec.
func (s Spec) Validate() error {
	if msg := s.problem(); msg != "" {
		return fmt.Errorf("%w %s %d: %s", ErrInvalidSpec, s.Table, s.Address, msg)
	}
	return nil
}

// problem returns what is wrong with s, or "" when it is valid.
func (s Spec) problem() string {
	switch {
	case !s.Table.valid():
		return fmt.Sprintf("table %s: want coil, discrete_input, holding or input", s.Table)
	case !s.Type.valid():
		return fmt.Sprintf("type %s: want bool, int16, uint16, int32, uint32, "+
			"int64, uint64, float32 or float64", s.Type)
	case !s.Order.valid():
		return fmt.Sprintf("byte order %s: want ABCD, DCBA, BADC or CDAB", s.Order)
	}
	if msg := s.layoutProblem(); msg != "" {
		return msg
	}
	switch {
	case math.IsNaN(s.Scale) || math.IsInf(s.Scale, 0):
		return fmt.Sprintf("scale %g: want a finite number (0 means 1)", s.Scale)
	case math.IsNaN(s.Offset) || math.IsInf(s.Offset, 0):
		return fmt.Sprintf("offset %g: want a finite number", s.Offset)
	}
	return ""
}

// layoutProblem checks that type, bit, order and address fit together.
func (s Spec) layoutProblem() string {
	switch {
	case s.Table.IsBit() && s.Type != Bool:
		return fmt.Sprintf("type %s on a %s table: a bit table holds only bool",
			s.Type, s.Table)
	case s.Table.IsBit() && s.Bit != NoBit:
		return fmt.Sprintf("bit %d on a %s table: each %s is one bit already, "+
			"bit must be %d", s.Bit, s.Table, s.Table, NoBit)
	case s.Type == Bool && s.Order != ABCD:
		return fmt.Sprintf("byte order %s with type bool: a bit has no byte "+
			"order, want ABCD", s.Order)
	case s.Type != Bool && s.Bit != NoBit:
		return fmt.Sprintf("bit %d with type %s: only bool takes a bit, "+
			"bit must be %d", s.Bit, s.Type, NoBit)
	case !s.Table.IsBit() && s.Type == Bool && (s.Bit < 0 || s.Bit > 15):
		return fmt.Sprintf("bit %d with type bool on a %s table: want 0..15, "+
			"the bit of the register to read", s.Bit, s.Table)
	}
	if last := int(s.Address) + int(s.Type.Words()) - 1; last > maxAddress {
		return fmt.Sprintf("type %s at address %d ends at %d, past the last "+
			"address %d", s.Type, s.Address, last, maxAddress)
	}
	return ""
}

// Span returns the first address and the number of units s occupies in its
// table: bits for coils and discrete inputs, registers otherwise. A bool
// taken from a register bit occupies that whole register.
func (s Spec) Span() (first, count uint16) {
	if s.Table.IsBit() {
		return s.Address, 1
	}
	return s.Address, s.Type.Words()
}

// scale returns the multiplier, reading the zero value as 1.
func (s Spec) scale() float64 {
	if s.Scale == 0 {
		return 1
	}
	return s.Scale
}
