package tsdb

import (
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/wire"
)

func TestAddReading(t *testing.T) {
	v := 12.5
	var b Batch
	b.AddReading("E1", "gw-1", 7, false, &wire.Reading{Point: "GT-101", Time: 1700000000123, Value: &v, Quality: wire.Good})
	b.AddReading("E1", "gw-1", 8, true, &wire.Reading{Point: "GT-102", Time: 1700000000124, Quality: wire.Bad, Reason: `say "x"\`})
	b.AddLine("alarm,point=p x=1i 5")
	want := []string{
		`reading,enterprise=E1,gateway=gw-1,point=GT-101 value=12.5,quality="good",seq=7i,replayed=false 1700000000123`,
		`reading,enterprise=E1,gateway=gw-1,point=GT-102 quality="bad",reason="say \"x\"\\",seq=8i,replayed=true 1700000000124`,
		`alarm,point=p x=1i 5`,
	}
	if b.Len() != len(want) {
		t.Fatalf("Len = %d", b.Len())
	}
	for i, w := range want {
		if got := b.Line(i); got != w {
			t.Errorf("line %d:\n got %s\nwant %s", i, got, w)
		}
	}
	if got := b.body(1, 3); got != want[1]+"\n"+want[2] {
		t.Errorf("body(1,3) = %q", got)
	}
	b.Reset()
	if b.Len() != 0 || b.Bytes() != 0 {
		t.Errorf("Reset left %d lines", b.Len())
	}
}

func BenchmarkAddReading(b *testing.B) {
	v := 12.5
	r := wire.Reading{Point: "GT-101", Time: 1700000000123, Value: &v, Quality: wire.Good}
	var batch Batch
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%5000 == 0 {
			batch.Reset()
		}
		batch.AddReading("91320500MA1TANK01X", "gw-01", uint64(i), false, &r)
	}
}
