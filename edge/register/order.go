package register

import "fmt"

// ByteOrder is how the big-endian bytes of a value are laid out across its
// registers. For a 32-bit value whose big-endian bytes are A B C D:
//
//	ABCD  big endian             reg0 = AB, reg1 = CD
//	DCBA  fully little endian    reg0 = DC, reg1 = BA
//	BADC  bytes swapped per reg  reg0 = BA, reg1 = DC
//	CDAB  registers swapped      reg0 = CD, reg1 = AB
//
// 64-bit values follow the same two rules, word order and byte order within
// a word: ABCD is big endian, DCBA reverses all eight bytes, BADC keeps the
// registers in big-endian order and swaps the bytes in each, CDAB reverses
// the registers and keeps each one big endian. A 16-bit value has a single
// register, so only the byte swap is left: ABCD and CDAB read AB, DCBA and
// BADC read BA.
//
// The zero value is ABCD, the order the Modbus specification itself uses.
type ByteOrder uint8

// The four byte orders.
const (
	ABCD ByteOrder = iota
	DCBA
	BADC
	CDAB
)

var orderNames = [...]string{ABCD: "ABCD", DCBA: "DCBA", BADC: "BADC", CDAB: "CDAB"}

// String returns the name ParseByteOrder accepts, or "ByteOrder(n)".
func (o ByteOrder) String() string {
	if !o.valid() {
		return fmt.Sprintf("ByteOrder(%d)", uint8(o))
	}
	return orderNames[o]
}

// ParseByteOrder returns the byte order named s: "ABCD", "DCBA", "BADC" or
// "CDAB". The empty string is ABCD, so a config may leave it out.
func ParseByteOrder(s string) (ByteOrder, error) {
	if s == "" {
		return ABCD, nil
	}
	for o := ABCD; o <= CDAB; o++ {
		if orderNames[o] == s {
			return o, nil
		}
	}
	return 0, fmt.Errorf("parse byte order %q: want ABCD, DCBA, BADC or CDAB", s)
}

func (o ByteOrder) valid() bool { return o <= CDAB }

// swapsWords reports whether o stores the registers of a value in reverse.
func (o ByteOrder) swapsWords() bool { return o == DCBA || o == CDAB }

// swapsBytes reports whether o stores the two bytes of a register swapped.
func (o ByteOrder) swapsBytes() bool { return o == DCBA || o == BADC }

// toBigEndian joins regs, laid out in order o, into the value's big-endian
// bits. Both swaps are their own inverse, so fromBigEndian is the mirror.
func (o ByteOrder) toBigEndian(regs []uint16) uint64 {
	var raw uint64
	n := len(regs)
	for i := range n {
		r := regs[i]
		if o.swapsWords() {
			r = regs[n-1-i]
		}
		if o.swapsBytes() {
			r = r<<8 | r>>8
		}
		raw = raw<<16 | uint64(r)
	}
	return raw
}

// fromBigEndian splits the low 16*n bits of raw into n registers laid out
// in order o.
func (o ByteOrder) fromBigEndian(raw uint64, n int) []uint16 {
	regs := make([]uint16, n)
	for i := range n {
		r := uint16(raw >> (16 * (n - 1 - i)))
		if o.swapsBytes() {
			r = r<<8 | r>>8
		}
		j := i
		if o.swapsWords() {
			j = n - 1 - i
		}
		regs[j] = r
	}
	return regs
}
