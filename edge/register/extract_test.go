package register

import (
	"errors"
	"math"
	"testing"
)

func TestExtractPackedBits(t *testing.T) {
	// A read of 12 coils from address 100 that came back as two bytes:
	// coils 100, 103, 107 in the first byte (0b1000_1001), 108 and 111 in
	// the second (0b0000_1001); the high four bits of the last byte are
	// padding.
	data := []byte{0x89, 0x09}
	want := map[uint16]float64{100: 1, 103: 1, 107: 1, 108: 1, 111: 1}
	for addr := uint16(100); addr < 112; addr++ {
		s := Spec{Table: Coil, Address: addr, Type: Bool, Bit: NoBit}
		got, err := Extract(s, 100, data)
		if err != nil {
			t.Fatalf("coil %d: %v", addr, err)
		}
		if got != want[addr] {
			t.Errorf("coil %d: got %v, want %v", addr, got, want[addr])
		}
	}
	s := Spec{Table: DiscreteInput, Address: 116, Type: Bool, Bit: NoBit}
	if _, err := Extract(s, 100, data); !errors.Is(err, ErrShortData) {
		t.Errorf("bit past data: got %v, want ErrShortData", err)
	}
}

func TestExtractRegisters(t *testing.T) {
	// Registers 40..44 as goburrow/modbus returns them: 0x0001, then a
	// float32 123.456 in CDAB, then 0xFFFE, then 0x00A5 (bits 0, 2, 5, 7).
	data := []byte{0x00, 0x01, 0xE9, 0x79, 0x42, 0xF6, 0xFF, 0xFE, 0x00, 0xA5}
	tests := []struct {
		spec Spec
		want float64
	}{
		{Spec{Address: 40, Type: Uint16}, 1},
		{Spec{Address: 41, Type: Float32, Order: CDAB}, float64(float32(123.456))},
		{Spec{Address: 43, Type: Int16, Scale: 0.1}, -0.2},
		{Spec{Address: 43, Type: Uint16, Order: DCBA}, 0xFEFF},
		{Spec{Address: 44, Type: Bool, Bit: 5}, 1},
		{Spec{Address: 44, Type: Bool, Bit: 6}, 0},
	}
	for _, tt := range tests {
		s := tt.spec
		s.Table = Input
		if s.Type != Bool {
			s.Bit = NoBit
		}
		got, err := Extract(s, 40, data)
		if err != nil || got != tt.want {
			t.Errorf("%s: got %v, %v; want %v", s, got, err, tt.want)
		}
	}
}

func TestExtractOutside(t *testing.T) {
	data := make([]byte, 8) // registers 40..43
	tests := []struct {
		name string
		addr uint16
		typ  Type
	}{
		{"before the request", 39, Uint16},
		{"straddles the end", 43, Int32},
		{"after the end", 44, Uint16},
	}
	for _, tt := range tests {
		s := Spec{Table: Holding, Address: tt.addr, Type: tt.typ, Bit: NoBit}
		if _, err := Extract(s, 40, data); err == nil {
			t.Errorf("%s: want an error", tt.name)
		}
	}
}

func FuzzExtract(f *testing.F) {
	f.Add(uint8(3), uint16(41), uint8(8), uint8(3), int8(-1), 1.0, 0.0,
		uint16(40), []byte{0x00, 0x01, 0xE9, 0x79, 0x42, 0xF6})
	f.Add(uint8(1), uint16(107), uint8(1), uint8(0), int8(-1), 0.0, 0.0,
		uint16(100), []byte{0x89, 0x09})
	f.Add(uint8(4), uint16(65535), uint8(9), uint8(1), int8(-1), 2.0, 1.0,
		uint16(65532), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(uint8(4), uint16(5), uint8(1), uint8(0), int8(15), -1.0, 0.5,
		uint16(0), []byte{})
	f.Fuzz(func(t *testing.T, table uint8, addr uint16, typ, order uint8,
		bit int8, scale, offset float64, start uint16, data []byte) {
		s := Spec{
			Table: Table(table), Address: addr, Type: Type(typ),
			Order: ByteOrder(order), Bit: int(bit), Scale: scale, Offset: offset,
		}
		v, err := Extract(s, start, data)
		if err != nil {
			return
		}
		if s.Validate() != nil {
			t.Fatalf("%v: decoded %v from an invalid spec", s, v)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("%v: decoded non-finite %v without an error", s, v)
		}
	})
}

// BenchmarkExtract decodes a float32 from the middle of a full 125-register
// response, the agent's per-reading work.
func BenchmarkExtract(b *testing.B) {
	data := make([]byte, 250)
	copy(data[100:], []byte{0xE9, 0x79, 0x42, 0xF6})
	s := Spec{Table: Holding, Address: 1050, Type: Float32, Order: CDAB,
		Bit: NoBit, Scale: 0.1}
	for b.Loop() {
		if _, err := Extract(s, 1000, data); err != nil {
			b.Fatal(err)
		}
	}
}
