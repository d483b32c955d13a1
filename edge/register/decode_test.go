package register

import (
	"errors"
	"math"
	"testing"
)

// The vectors below are written by hand from the ByteOrder definitions: the
// value's big-endian bytes, then laid out per order. None of them comes
// from Encode, so a mistake in the layout code cannot agree with itself.
var vectors = []struct {
	name string
	typ  Type
	want float64
	regs map[ByteOrder][]uint16
}{
	{"int16 -2", Int16, -2, map[ByteOrder][]uint16{
		ABCD: {0xFFFE}, CDAB: {0xFFFE}, DCBA: {0xFEFF}, BADC: {0xFEFF},
	}},
	{"int16 -12345", Int16, -12345, map[ByteOrder][]uint16{
		ABCD: {0xCFC7}, CDAB: {0xCFC7}, DCBA: {0xC7CF}, BADC: {0xC7CF},
	}},
	{"uint16 0x1234", Uint16, 0x1234, map[ByteOrder][]uint16{
		ABCD: {0x1234}, CDAB: {0x1234}, DCBA: {0x3412}, BADC: {0x3412},
	}},
	{"uint16 65535", Uint16, 65535, map[ByteOrder][]uint16{
		ABCD: {0xFFFF}, CDAB: {0xFFFF}, DCBA: {0xFFFF}, BADC: {0xFFFF},
	}},
	{"int32 -2", Int32, -2, map[ByteOrder][]uint16{
		ABCD: {0xFFFF, 0xFFFE}, DCBA: {0xFEFF, 0xFFFF},
		BADC: {0xFFFF, 0xFEFF}, CDAB: {0xFFFE, 0xFFFF},
	}},
	{"int32 0x01020304", Int32, 0x01020304, map[ByteOrder][]uint16{
		ABCD: {0x0102, 0x0304}, DCBA: {0x0403, 0x0201},
		BADC: {0x0201, 0x0403}, CDAB: {0x0304, 0x0102},
	}},
	{"uint32 0xF1020304", Uint32, 0xF1020304, map[ByteOrder][]uint16{
		ABCD: {0xF102, 0x0304}, DCBA: {0x0403, 0x02F1},
		BADC: {0x02F1, 0x0403}, CDAB: {0x0304, 0xF102},
	}},
	{"float32 123.456", Float32, float64(float32(123.456)), map[ByteOrder][]uint16{
		ABCD: {0x42F6, 0xE979}, DCBA: {0x79E9, 0xF642},
		BADC: {0xF642, 0x79E9}, CDAB: {0xE979, 0x42F6},
	}},
	{"float32 -1.5", Float32, -1.5, map[ByteOrder][]uint16{ // 0xBFC00000
		ABCD: {0xBFC0, 0x0000}, DCBA: {0x0000, 0xC0BF},
		BADC: {0xC0BF, 0x0000}, CDAB: {0x0000, 0xBFC0},
	}},
	{"int64 -2", Int64, -2, map[ByteOrder][]uint16{
		ABCD: {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE},
		DCBA: {0xFEFF, 0xFFFF, 0xFFFF, 0xFFFF},
		BADC: {0xFFFF, 0xFFFF, 0xFFFF, 0xFEFF},
		CDAB: {0xFFFE, 0xFFFF, 0xFFFF, 0xFFFF},
	}},
	{"int64 0x0102030405060700", Int64, 0x0102030405060700, map[ByteOrder][]uint16{
		ABCD: {0x0102, 0x0304, 0x0506, 0x0700},
		DCBA: {0x0007, 0x0605, 0x0403, 0x0201},
		BADC: {0x0201, 0x0403, 0x0605, 0x0007},
		CDAB: {0x0700, 0x0506, 0x0304, 0x0102},
	}},
	// 64-bit integers are chosen to have at most 53 significant bits, so
	// that float64 holds them exactly and the vectors also run backwards.
	{"uint64 0xF102030405060000", Uint64, 0xF102030405060000, map[ByteOrder][]uint16{
		ABCD: {0xF102, 0x0304, 0x0506, 0x0000},
		DCBA: {0x0000, 0x0605, 0x0403, 0x02F1},
		BADC: {0x02F1, 0x0403, 0x0605, 0x0000},
		CDAB: {0x0000, 0x0506, 0x0304, 0xF102},
	}},
	// 123.456 as a float64 is 0x405EDD2F1A9FBE77.
	{"float64 123.456", Float64, 123.456, map[ByteOrder][]uint16{
		ABCD: {0x405E, 0xDD2F, 0x1A9F, 0xBE77},
		DCBA: {0x77BE, 0x9F1A, 0x2FDD, 0x5E40},
		BADC: {0x5E40, 0x2FDD, 0x9F1A, 0x77BE},
		CDAB: {0xBE77, 0x1A9F, 0xDD2F, 0x405E},
	}},
	{"float64 -2", Float64, -2, map[ByteOrder][]uint16{ // 0xC000000000000000
		ABCD: {0xC000, 0, 0, 0}, DCBA: {0, 0, 0, 0x00C0},
		BADC: {0x00C0, 0, 0, 0}, CDAB: {0, 0, 0, 0xC000},
	}},
}

func TestDecodeRegistersVectors(t *testing.T) {
	for _, v := range vectors {
		for _, o := range []ByteOrder{ABCD, DCBA, BADC, CDAB} {
			regs, ok := v.regs[o]
			if !ok {
				t.Fatalf("%s: no vector for %s", v.name, o)
			}
			s := Spec{Table: Holding, Address: 10, Type: v.typ, Order: o, Bit: NoBit}
			got, err := DecodeRegisters(s, regs)
			if err != nil {
				t.Errorf("%s %s: %v", v.name, o, err)
				continue
			}
			if got != v.want {
				t.Errorf("%s %s: got %v, want %v", v.name, o, got, v.want)
			}
		}
	}
}

func TestEncodeVectors(t *testing.T) {
	for _, v := range vectors {
		for o, want := range v.regs {
			s := Spec{Table: Input, Type: v.typ, Order: o, Bit: NoBit}
			got, err := Encode(s, v.want)
			if err != nil {
				t.Errorf("%s %s: %v", v.name, o, err)
				continue
			}
			if !equalRegs(got, want) {
				t.Errorf("%s %s: got %04X, want %04X", v.name, o, got, want)
			}
		}
	}
}

func equalRegs(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDecodeScaleOffset(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		regs []uint16
		want float64
	}{
		{"zero scale means 1", Spec{Type: Int16, Offset: 1}, []uint16{10}, 11},
		{"tenths", Spec{Type: Uint16, Scale: 0.5}, []uint16{101}, 50.5},
		{"4-20 mA to %LEL", Spec{Type: Uint16, Scale: 100.0 / 16000, Offset: -25},
			[]uint16{8000}, 25},
		{"negative scale", Spec{Type: Int16, Scale: -2}, []uint16{3}, -6},
	}
	for _, tt := range tests {
		s := tt.spec
		s.Table, s.Bit = Holding, NoBit
		got, err := DecodeRegisters(s, tt.regs)
		if err != nil || math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: got %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestDecodeNotFinite(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		regs []uint16
	}{
		{"float32 NaN", Spec{Type: Float32}, []uint16{0x7FC0, 0}},
		{"float32 +Inf", Spec{Type: Float32}, []uint16{0x7F80, 0}},
		{"float64 -Inf", Spec{Type: Float64}, []uint16{0xFFF0, 0, 0, 0}},
		{"scaled past float64", Spec{Type: Float64, Scale: 10},
			[]uint16{0x7FEF, 0xFFFF, 0xFFFF, 0xFFFF}},
	}
	for _, tt := range tests {
		s := tt.spec
		s.Table, s.Bit = Input, NoBit
		_, err := DecodeRegisters(s, tt.regs)
		if !errors.Is(err, ErrNotFinite) {
			t.Errorf("%s: got %v, want ErrNotFinite", tt.name, err)
		}
	}
}

func TestDecodeRegisterBit(t *testing.T) {
	const reg = 0x8005 // bits 0, 2 and 15 set
	for bit := range 16 {
		s := Spec{Table: Holding, Type: Bool, Bit: bit}
		got, err := DecodeRegisters(s, []uint16{reg})
		if err != nil {
			t.Fatal(err)
		}
		want := 0.0
		if bit == 0 || bit == 2 || bit == 15 {
			want = 1
		}
		if got != want {
			t.Errorf("bit %d: got %v, want %v", bit, got, want)
		}
	}
}

func TestDecodeWrongShape(t *testing.T) {
	i32 := Spec{Table: Holding, Type: Int32, Bit: NoBit}
	if _, err := DecodeRegisters(i32, []uint16{1}); err == nil {
		t.Error("int32 from one register: want an error")
	}
	coil := Spec{Table: Coil, Type: Bool, Bit: NoBit}
	if _, err := DecodeRegisters(coil, []uint16{1}); err == nil {
		t.Error("coil through DecodeRegisters: want an error")
	}
	if _, err := DecodeBits(coil, nil); err == nil {
		t.Error("coil from no bits: want an error")
	}
	if _, err := DecodeBits(i32, []bool{true}); err == nil {
		t.Error("register through DecodeBits: want an error")
	}
	_, err := DecodeRegisters(Spec{Table: Holding}, []uint16{1})
	if !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("invalid spec: got %v, want ErrInvalidSpec", err)
	}
}
