package plan

import (
	"math/rand"
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		items []Item
		want  []req
	}{
		{"one item stays", []Item{{holding, 7, 2}},
			[]req{{holding, 7, 2, []int{0}}}},
		{"bits of one register stay", []Item{{holding, 7, 1}, {holding, 7, 1}},
			[]req{{holding, 7, 1, []int{0, 1}}}},
		{"halves are tight", []Item{{holding, 100, 2}, {holding, 104, 1},
			{holding, 110, 2}, {holding, 113, 1}},
			[]req{{holding, 100, 5, []int{0, 1}}, {holding, 110, 4, []int{2, 3}}}},
		{"cut between addresses, not bits", []Item{{input, 5, 1}, {input, 5, 1},
			{input, 5, 1}, {input, 6, 1}},
			[]req{{input, 5, 1, []int{0, 1, 2}}, {input, 6, 1, []int{3}}}},
		{"same address, different lengths", []Item{{input, 5, 4}, {input, 5, 1}},
			[]req{{input, 5, 4, []int{0}}, {input, 5, 1, []int{1}}}},
		{"half loses its bridge", []Item{{holding, 0, 20}, {holding, 1, 1},
			{holding, 12, 1}, {holding, 25, 1}},
			[]req{{holding, 0, 20, []int{0, 1}}, {holding, 12, 1, []int{2}},
				{holding, 25, 1, []int{3}}}},
	}
	for _, tt := range tests {
		reqs, err := Build(tt.items, DefaultLimits())
		if err != nil || len(reqs) != 1 {
			t.Fatalf("%s: want one request to split, got %v, %v", tt.name, reqs, err)
		}
		got := Split(reqs[0], tt.items, DefaultLimits())
		if !sameRequests(got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, tt.want)
		}
	}
}

func TestSplitBadIndex(t *testing.T) {
	r := Request{Table: holding, Address: 1, Count: 1, Items: []int{0, 3}}
	got := Split(r, []Item{{holding, 1, 1}}, DefaultLimits())
	if len(got) != 1 || got[0].Address != 1 {
		t.Errorf("got %v, want the request back", got)
	}
}

// TestSplitNarrows splits random requests down to single spans, the way
// the agent narrows a refused read: every round keeps each item covered
// exactly once, within the limits, and every split makes progress, so the
// bisection ends.
func TestSplitNarrows(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for trial := range 500 {
		lim := randomLimits(rng)
		items := randomItems(rng, lim, 1+rng.Intn(30))
		reqs, err := Build(items, lim)
		if err != nil {
			t.Fatal(err)
		}
		for range 64 {
			next := splitAll(reqs, items, lim)
			checkPlan(t, items, lim, next)
			if len(next) == len(reqs) {
				break
			}
			reqs = next
		}
		for _, r := range reqs {
			if !oneSpan(items, r.Items) {
				t.Fatalf("trial %d: %+v left with several spans", trial, r)
			}
		}
	}
}

func splitAll(reqs []Request, items []Item, lim Limits) []Request {
	var out []Request
	for _, r := range reqs {
		out = append(out, Split(r, items, lim)...)
	}
	return out
}

func oneSpan(items []Item, idx []int) bool {
	return !slices.ContainsFunc(idx, func(i int) bool { return items[i] != items[idx[0]] })
}
