package register

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string // "" for valid, else a fragment of the error
	}{
		{"int16 holding", Spec{Table: Holding, Type: Int16, Bit: NoBit}, ""},
		{"coil", Spec{Table: Coil, Type: Bool, Bit: NoBit}, ""},
		{"register bit 15", Spec{Table: Input, Type: Bool, Bit: 15}, ""},
		{"float64 at last fit", Spec{Table: Holding, Address: 65532,
			Type: Float64, Bit: NoBit}, ""},
		{"negative scale", Spec{Table: Holding, Type: Int16, Bit: NoBit,
			Scale: -0.1}, ""},
		{"no table", Spec{Type: Int16, Bit: NoBit}, "table Table(0)"},
		{"no type", Spec{Table: Holding, Bit: NoBit}, "type Type(0)"},
		{"bad order", Spec{Table: Holding, Type: Int32, Order: 9, Bit: NoBit},
			"byte order ByteOrder(9)"},
		{"bool on register needs bit", Spec{Table: Holding, Type: Bool, Bit: NoBit},
			"bit -1 with type bool on a holding table: want 0..15"},
		{"register bit 16", Spec{Table: Input, Type: Bool, Bit: 16},
			"bit 16 with type bool"},
		{"bit on coil", Spec{Table: Coil, Type: Bool, Bit: 3},
			"bit 3 on a coil table"},
		{"int16 on discrete input", Spec{Table: DiscreteInput, Type: Int16,
			Bit: NoBit}, "type int16 on a discrete_input table"},
		{"bit on int16", Spec{Table: Holding, Type: Int16, Bit: 0},
			"bit 0 with type int16: only bool takes a bit"},
		{"order on bool", Spec{Table: Holding, Type: Bool, Bit: 1, Order: DCBA},
			"byte order DCBA with type bool"},
		{"int32 past 65535", Spec{Table: Holding, Address: 65535, Type: Int32,
			Bit: NoBit}, "ends at 65536"},
		{"float64 past 65535", Spec{Table: Input, Address: 65533, Type: Float64,
			Bit: NoBit}, "ends at 65536"},
		{"NaN scale", Spec{Table: Holding, Type: Int16, Bit: NoBit,
			Scale: math.NaN()}, "scale NaN"},
		{"Inf offset", Spec{Table: Holding, Type: Int16, Bit: NoBit,
			Offset: math.Inf(-1)}, "offset -Inf"},
	}
	for _, tt := range tests {
		err := tt.spec.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tt.name, err)
		case tt.want == "":
		case err == nil:
			t.Errorf("%s: no error, want %q", tt.name, tt.want)
		case !errors.Is(err, ErrInvalidSpec):
			t.Errorf("%s: %v does not wrap ErrInvalidSpec", tt.name, err)
		case !strings.Contains(err.Error(), tt.want):
			t.Errorf("%s: got %q, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestSpan(t *testing.T) {
	tests := []struct {
		spec         Spec
		first, count uint16
	}{
		{Spec{Table: Coil, Address: 7, Type: Bool, Bit: NoBit}, 7, 1},
		{Spec{Table: Holding, Address: 7, Type: Bool, Bit: 3}, 7, 1},
		{Spec{Table: Holding, Address: 7, Type: Uint16, Bit: NoBit}, 7, 1},
		{Spec{Table: Input, Address: 7, Type: Float32, Bit: NoBit}, 7, 2},
		{Spec{Table: Input, Address: 7, Type: Int64, Bit: NoBit}, 7, 4},
	}
	for _, tt := range tests {
		first, count := tt.spec.Span()
		if first != tt.first || count != tt.count {
			t.Errorf("%s: got %d+%d, want %d+%d", tt.spec, first, count,
				tt.first, tt.count)
		}
	}
}

func TestParseRoundTrip(t *testing.T) {
	for tb := Coil; tb <= Input; tb++ {
		if got, err := ParseTable(tb.String()); err != nil || got != tb {
			t.Errorf("table %s: got %v, %v", tb, got, err)
		}
	}
	for ty := Bool; ty <= Float64; ty++ {
		if got, err := ParseType(ty.String()); err != nil || got != ty {
			t.Errorf("type %s: got %v, %v", ty, got, err)
		}
	}
	for o := ABCD; o <= CDAB; o++ {
		if got, err := ParseByteOrder(o.String()); err != nil || got != o {
			t.Errorf("order %s: got %v, %v", o, got, err)
		}
	}
	for _, bad := range []string{"Holding", "register", ""} {
		if _, err := ParseTable(bad); err == nil {
			t.Errorf("ParseTable(%q): want an error", bad)
		}
	}
	if _, err := ParseType("float"); err == nil {
		t.Error("ParseType(float): want an error")
	}
	if _, err := ParseByteOrder("abcd"); err == nil {
		t.Error("ParseByteOrder(abcd): want an error")
	}
	if Holding.FunctionCode() != 3 || !Coil.IsBit() || Input.IsBit() {
		t.Error("function codes or IsBit wrong")
	}
}
