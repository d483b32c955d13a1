package plan

import (
	"math/rand"
	"testing"

	"github.com/hazardwatch/hazardwatch/edge/register"
)

// BenchmarkBuild plans a 1,000-point map shaped like a large site: mostly
// holding and input registers of one to four words in clusters, status
// bits sharing registers, and a few hundred coils.
func BenchmarkBuild(b *testing.B) {
	items := siteMap(rand.New(rand.NewSource(1)), 1000)
	lim := DefaultLimits()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Build(items, lim); err != nil {
			b.Fatal(err)
		}
	}
}

func siteMap(rng *rand.Rand, n int) []Item {
	tables := []register.Table{holding, holding, input, coil}
	items := make([]Item, n)
	for i := range items {
		tb := tables[rng.Intn(len(tables))]
		cluster := uint16(rng.Intn(40)) * 500
		it := Item{Table: tb, Address: cluster + uint16(rng.Intn(200)), Count: 1}
		if !tb.IsBit() {
			it.Count = []uint16{1, 2, 4}[rng.Intn(3)]
		}
		items[i] = it
	}
	return items
}
