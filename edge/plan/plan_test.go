package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/hazardwatch/hazardwatch/edge/register"
)

const (
	coil    = register.Coil
	input   = register.Input
	holding = register.Holding
)

// req is a request without its items, for compact expectations.
type req struct {
	table   register.Table
	address uint16
	count   uint16
	items   []int
}

func TestBuildExamples(t *testing.T) {
	small := DefaultLimits()
	small.MaxRegisters = 10
	noGap := DefaultLimits()
	noGap.MaxGap = 0
	tests := []struct {
		name  string
		items []Item
		lim   Limits
		want  []req
	}{
		{"empty", nil, DefaultLimits(), nil},
		{"doc example", docExample, DefaultLimits(), []req{
			{coil, 0, 5, []int{6, 7}},
			{holding, 100, 12, []int{0, 1, 2, 3}},
			{holding, 130, 1, []int{4}},
			{holding, 200, 4, []int{5}},
		}},
		{"doc example, max 10 registers", docExample, small, []req{
			{coil, 0, 5, []int{6, 7}},
			{holding, 100, 3, []int{0, 1, 2}},
			{holding, 110, 2, []int{3}},
			{holding, 130, 1, []int{4}},
			{holding, 200, 4, []int{5}},
		}},
		{"gap exactly max joins", []Item{{input, 0, 1}, {input, 11, 1}},
			DefaultLimits(), []req{{input, 0, 12, []int{0, 1}}}},
		{"gap one past max splits", []Item{{input, 0, 1}, {input, 12, 1}},
			DefaultLimits(), []req{{input, 0, 1, []int{0}}, {input, 12, 1, []int{1}}}},
		{"no gap joins touching only", []Item{{input, 0, 2}, {input, 2, 1},
			{input, 4, 1}}, noGap, []req{{input, 0, 3, []int{0, 1}},
			{input, 4, 1, []int{2}}}},
		{"bits of one register stay one read", []Item{{holding, 5, 1},
			{holding, 5, 1}, {holding, 5, 1}}, DefaultLimits(),
			[]req{{holding, 5, 1, []int{0, 1, 2}}}},
		{"long item bridges a later gap", []Item{{holding, 0, 20},
			{holding, 1, 1}, {holding, 25, 1}}, DefaultLimits(),
			[]req{{holding, 0, 26, []int{0, 1, 2}}}},
		{"125 registers exactly", []Item{{input, 0, 4}, {input, 121, 4}},
			wideGap(), []req{{input, 0, 125, []int{0, 1}}}},
		{"126 registers split", []Item{{input, 0, 4}, {input, 122, 4}},
			wideGap(), []req{{input, 0, 4, []int{0}}, {input, 122, 4, []int{1}}}},
		{"2000 bits then one more", bitRow(2001), DefaultLimits(), []req{
			{coil, 0, 2000, seq(0, 2000)}, {coil, 2000, 1, []int{2000}}}},
		{"last address", []Item{{input, 65532, 4}, {input, 65530, 1}},
			DefaultLimits(), []req{{input, 65530, 6, []int{1, 0}}}},
		{"tables never mix", []Item{{input, 0, 1}, {holding, 1, 1}},
			DefaultLimits(), []req{{holding, 1, 1, []int{1}}, {input, 0, 1, []int{0}}}},
	}
	for _, tt := range tests {
		got, err := Build(tt.items, tt.lim)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !sameRequests(got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, tt.want)
		}
	}
}

// docExample is the register map in Build's doc comment.
var docExample = []Item{
	{holding, 100, 2}, {holding, 102, 1}, {holding, 102, 1},
	{holding, 110, 2}, {holding, 130, 1}, {holding, 200, 4},
	{coil, 0, 1}, {coil, 4, 1},
}

func wideGap() Limits { return Limits{MaxRegisters: 125, MaxBits: 2000, MaxGap: 200} }

func bitRow(n int) []Item {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{coil, uint16(i), 1}
	}
	return items
}

func seq(from, to int) []int {
	s := make([]int, 0, to-from)
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func sameRequests(got []Request, want []req) bool {
	if len(got) != len(want) {
		return false
	}
	for i, g := range got {
		w := want[i]
		if g.Table != w.table || g.Address != w.address || g.Count != w.count ||
			!slices.Equal(g.Items, w.items) {
			return false
		}
	}
	return true
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name  string
		items []Item
		lim   Limits
		want  string
	}{
		{"registers above protocol", nil, Limits{126, 2000, 10}, "MaxRegisters is 126"},
		{"zero registers", nil, Limits{0, 2000, 10}, "MaxRegisters is 0"},
		{"bits above protocol", nil, Limits{125, 2001, 10}, "MaxBits is 2001"},
		{"no table", []Item{{0, 1, 1}}, DefaultLimits(), "item 0: Table(0) 1+1"},
		{"empty item", []Item{{input, 1, 1}, {input, 1, 0}}, DefaultLimits(),
			"item 1: input 1+0: count is 0"},
		{"past 65535", []Item{{holding, 65535, 2}}, DefaultLimits(),
			"ends at 65536"},
		{"longer than max", []Item{{holding, 0, 126}}, DefaultLimits(),
			"longer than the 125"},
		{"longer than lowered max", []Item{{holding, 0, 4}},
			Limits{2, 2000, 10}, "longer than the 2"},
	}
	for _, tt := range tests {
		_, err := Build(tt.items, tt.lim)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
