package sim

import (
	"fmt"
	"math"
)

// Encode lays raw, a register-level number (after scale and offset), into
// 16-bit registers in address order.
//
// Integer types round raw to the nearest integer, halves away from zero,
// and saturate at the type's limits (NaN becomes 0). A bool is 1 from one
// half up and 0 below, in a single register whatever the byte order.
//
// Byte orders name where the value's big-endian bytes A B C D go, A being
// the most significant:
//
//	ABCD  big endian                    reg0 = AB, reg1 = CD
//	DCBA  little endian                 reg0 = DC, reg1 = BA
//	BADC  bytes swapped in each reg     reg0 = BA, reg1 = DC
//	CDAB  registers swapped             reg0 = CD, reg1 = AB
//
// A 64-bit value follows the same rules over four registers: DCBA reverses
// all eight bytes, BADC keeps register order and swaps the bytes in each,
// CDAB reverses register order and keeps the bytes in each. A 16-bit value
// is AB for ABCD and CDAB, and BA for DCBA and BADC.
func Encode(typ DataType, order ByteOrder, raw float64) ([]uint16, error) {
	bits, err := rawBits(typ, raw)
	if err != nil {
		return nil, err
	}
	if typ == Bool {
		return []uint16{uint16(bits)}, nil
	}

	n := 2 * typ.Words()
	b := make([]byte, n)
	for i := range n {
		b[i] = byte(bits >> (8 * (n - 1 - i)))
	}
	return arrange(b, order)
}

// arrange packs big-endian bytes into registers in the given byte order.
func arrange(b []byte, order ByteOrder) ([]uint16, error) {
	n := len(b) / 2
	regs := make([]uint16, n)
	for i := range n {
		var hi, lo byte
		switch order {
		case ABCD:
			hi, lo = b[2*i], b[2*i+1]
		case DCBA:
			hi, lo = b[len(b)-1-2*i], b[len(b)-2-2*i]
		case BADC:
			hi, lo = b[2*i+1], b[2*i]
		case CDAB:
			j := n - 1 - i
			hi, lo = b[2*j], b[2*j+1]
		default:
			return nil, fmt.Errorf("encode: unknown byte order %q", order)
		}
		regs[i] = uint16(hi)<<8 | uint16(lo)
	}
	return regs, nil
}

// rawBits is the value's bit pattern in the low bits of a uint64.
func rawBits(typ DataType, raw float64) (uint64, error) {
	switch typ {
	case Bool:
		if raw >= 0.5 {
			return 1, nil
		}
		return 0, nil
	case Int16:
		return uint64(uint16(int16(saturate(raw, math.MinInt16, math.MaxInt16)))), nil
	case Uint16:
		return uint64(saturate(raw, 0, math.MaxUint16)), nil
	case Int32:
		return uint64(uint32(int32(saturate(raw, math.MinInt32, math.MaxInt32)))), nil
	case Uint32:
		return uint64(saturate(raw, 0, math.MaxUint32)), nil
	case Int64:
		return uint64(toInt64(raw)), nil
	case Uint64:
		return toUint64(raw), nil
	case Float32:
		return uint64(math.Float32bits(float32(raw))), nil
	case Float64:
		return math.Float64bits(raw), nil
	}
	return 0, fmt.Errorf("encode: unknown type %q", typ)
}

// saturate rounds raw to the nearest integer and clamps it to [lo, hi],
// which must both be exact in a float64.
func saturate(raw, lo, hi float64) float64 {
	if math.IsNaN(raw) {
		return 0
	}
	return math.Min(math.Max(math.Round(raw), lo), hi)
}

// toInt64 rounds and clamps; 2^63 itself does not fit in an int64.
func toInt64(raw float64) int64 {
	r := saturate(raw, math.MinInt64, 0x1p63)
	if r >= 0x1p63 {
		return math.MaxInt64
	}
	return int64(r)
}

// toUint64 rounds and clamps; 2^64 itself does not fit in a uint64.
func toUint64(raw float64) uint64 {
	r := saturate(raw, 0, 0x1p64)
	if r >= 0x1p64 {
		return math.MaxUint64
	}
	return uint64(r)
}
