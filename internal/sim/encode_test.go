package sim

import (
	"slices"
	"testing"
)

// The expected words below were worked out by hand from the big-endian
// bytes of each value (float32 123.456 is 42 F6 E9 79, float64 123.456 is
// 40 5E DD 2F 1A 9F BE 77), not produced by the encoder.
func TestEncodeKnownVectors(t *testing.T) {
	tests := []struct {
		typ   DataType
		order ByteOrder
		raw   float64
		want  []uint16
	}{
		{Bool, ABCD, 1, []uint16{0x0001}},
		{Bool, DCBA, 1, []uint16{0x0001}},
		{Bool, ABCD, 0.4, []uint16{0x0000}},

		{Int16, ABCD, -2, []uint16{0xFFFE}},
		{Int16, CDAB, -2, []uint16{0xFFFE}},
		{Int16, DCBA, -2, []uint16{0xFEFF}},
		{Int16, BADC, -2, []uint16{0xFEFF}},
		{Int16, ABCD, 40000, []uint16{0x7FFF}},
		{Int16, ABCD, -40000, []uint16{0x8000}},
		{Int16, ABCD, -2.5, []uint16{0xFFFD}},

		{Uint16, ABCD, 0x1234, []uint16{0x1234}},
		{Uint16, CDAB, 0x1234, []uint16{0x1234}},
		{Uint16, DCBA, 0x1234, []uint16{0x3412}},
		{Uint16, BADC, 0x1234, []uint16{0x3412}},
		{Uint16, ABCD, 2.5, []uint16{0x0003}},
		{Uint16, ABCD, 2.49, []uint16{0x0002}},
		{Uint16, ABCD, -5, []uint16{0x0000}},
		{Uint16, ABCD, 70000, []uint16{0xFFFF}},

		{Int32, ABCD, -123456789, []uint16{0xF8A4, 0x32EB}},
		{Int32, DCBA, -123456789, []uint16{0xEB32, 0xA4F8}},
		{Int32, BADC, -123456789, []uint16{0xA4F8, 0xEB32}},
		{Int32, CDAB, -123456789, []uint16{0x32EB, 0xF8A4}},

		{Uint32, ABCD, 0x01020304, []uint16{0x0102, 0x0304}},
		{Uint32, DCBA, 0x01020304, []uint16{0x0403, 0x0201}},
		{Uint32, BADC, 0x01020304, []uint16{0x0201, 0x0403}},
		{Uint32, CDAB, 0x01020304, []uint16{0x0304, 0x0102}},
		{Uint32, ABCD, -1, []uint16{0x0000, 0x0000}},

		{Int64, ABCD, 0x0102030405060000,
			[]uint16{0x0102, 0x0304, 0x0506, 0x0000}},
		{Int64, DCBA, 0x0102030405060000,
			[]uint16{0x0000, 0x0605, 0x0403, 0x0201}},
		{Int64, BADC, 0x0102030405060000,
			[]uint16{0x0201, 0x0403, 0x0605, 0x0000}},
		{Int64, CDAB, 0x0102030405060000,
			[]uint16{0x0000, 0x0506, 0x0304, 0x0102}},
		{Int64, ABCD, -2, []uint16{0xFFFF, 0xFFFF, 0xFFFF, 0xFFFE}},
		{Int64, DCBA, -2, []uint16{0xFEFF, 0xFFFF, 0xFFFF, 0xFFFF}},
		{Int64, ABCD, 1e30, []uint16{0x7FFF, 0xFFFF, 0xFFFF, 0xFFFF}},

		{Uint64, ABCD, 0xF1F2F3F4F5F60000,
			[]uint16{0xF1F2, 0xF3F4, 0xF5F6, 0x0000}},
		{Uint64, DCBA, 0xF1F2F3F4F5F60000,
			[]uint16{0x0000, 0xF6F5, 0xF4F3, 0xF2F1}},
		{Uint64, BADC, 0xF1F2F3F4F5F60000,
			[]uint16{0xF2F1, 0xF4F3, 0xF6F5, 0x0000}},
		{Uint64, CDAB, 0xF1F2F3F4F5F60000,
			[]uint16{0x0000, 0xF5F6, 0xF3F4, 0xF1F2}},
		{Uint64, ABCD, 1e30, []uint16{0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF}},

		{Float32, ABCD, 123.456, []uint16{0x42F6, 0xE979}},
		{Float32, DCBA, 123.456, []uint16{0x79E9, 0xF642}},
		{Float32, BADC, 123.456, []uint16{0xF642, 0x79E9}},
		{Float32, CDAB, 123.456, []uint16{0xE979, 0x42F6}},
		{Float32, ABCD, -1, []uint16{0xBF80, 0x0000}},

		{Float64, ABCD, 123.456, []uint16{0x405E, 0xDD2F, 0x1A9F, 0xBE77}},
		{Float64, DCBA, 123.456, []uint16{0x77BE, 0x9F1A, 0x2FDD, 0x5E40}},
		{Float64, BADC, 123.456, []uint16{0x5E40, 0x2FDD, 0x9F1A, 0x77BE}},
		{Float64, CDAB, 123.456, []uint16{0xBE77, 0x1A9F, 0xDD2F, 0x405E}},
	}
	for _, tt := range tests {
		got, err := Encode(tt.typ, tt.order, tt.raw)
		if err != nil {
			t.Errorf("Encode(%s, %s, %v): %v", tt.typ, tt.order, tt.raw, err)
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Encode(%s, %s, %v) = %04X, want %04X",
				tt.typ, tt.order, tt.raw, got, tt.want)
		}
	}
}

func TestEncodeRejectsUnknown(t *testing.T) {
	if _, err := Encode("int8", ABCD, 1); err == nil {
		t.Error("Encode accepted type int8")
	}
	if _, err := Encode(Int32, "ACBD", 1); err == nil {
		t.Error("Encode accepted byte order ACBD")
	}
}
