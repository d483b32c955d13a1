package register

import "fmt"

// Type is the data type a point's raw value is stored as on the device. The
// zero value is not a type and fails validation, so a Spec cannot silently
// default to one.
type Type uint8

// The supported data types.
const (
	Bool Type = iota + 1
	Int16
	Uint16
	Int32
	Uint32
	Int64
	Uint64
	Float32
	Float64
)

var typeNames = [...]string{
	Bool:    "bool",
	Int16:   "int16",
	Uint16:  "uint16",
	Int32:   "int32",
	Uint32:  "uint32",
	Int64:   "int64",
	Uint64:  "uint64",
	Float32: "float32",
	Float64: "float64",
}

// String returns the name ParseType accepts, or "Type(n)" when t is not a
// known type.
func (t Type) String() string {
	if !t.valid() {
		return fmt.Sprintf("Type(%d)", uint8(t))
	}
	return typeNames[t]
}

// ParseType returns the type named s: "bool", "int16", "uint16", "int32",
// "uint32", "int64", "uint64", "float32" or "float64".
func ParseType(s string) (Type, error) {
	for t := Bool; t <= Float64; t++ {
		if typeNames[t] == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("parse type %q: want bool, int16, uint16, int32, "+
		"uint32, int64, uint64, float32 or float64", s)
}

// Words returns how many 16-bit registers a value of type t spans. Bool is
// 1: on a register table it is one bit of one register, and on a bit table
// the span is counted in bits, one bit being one unit. An unknown type
// spans 0.
func (t Type) Words() uint16 {
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

func (t Type) valid() bool { return t >= Bool && t <= Float64 }
