package plan

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/hazardwatch/hazardwatch/edge/register"
)

// TestBuildMinimal compares Build with exhaustive search on many small
// random maps: for every table, every way to cut the address-sorted items
// into consecutive groups is tried, and the fewest groups that each fit
// the limits must equal the number of requests Build made for that table.
func TestBuildMinimal(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	for trial := range 3000 {
		lim := randomLimits(rng)
		items := randomItems(rng, lim, 1+rng.Intn(10))
		reqs, err := Build(items, lim)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		checkPlan(t, items, lim, reqs)
		for _, tb := range []register.Table{coil, holding} {
			got := countTable(reqs, tb)
			if want := bruteForce(items, tb, lim); got != want {
				t.Fatalf("trial %d %s: %d requests, exhaustive search %d\n"+
					"limits %+v items %v\nplan %v", trial, tb, got, want,
					lim, items, reqs)
			}
		}
	}
}

// randomLimits returns small limits, so that both the size and the gap
// bind often on maps of a few dozen addresses.
func randomLimits(rng *rand.Rand) Limits {
	return Limits{
		MaxRegisters: uint16(4 + rng.Intn(20)),
		MaxBits:      uint16(1 + rng.Intn(20)),
		MaxGap:       uint16(rng.Intn(6)),
	}
}

// randomItems returns n items spread over the coil and holding tables at
// low addresses, with lengths 1, 2 and 4 and now and then a long one that
// overlaps its neighbours.
func randomItems(rng *rand.Rand, lim Limits, n int) []Item {
	items := make([]Item, n)
	for i := range items {
		it := Item{Table: holding, Address: uint16(rng.Intn(40))}
		it.Count = []uint16{1, 1, 2, 4, 1 + uint16(rng.Intn(12))}[rng.Intn(5)]
		it.Count = min(it.Count, lim.MaxRegisters)
		if rng.Intn(3) == 0 {
			it.Table, it.Count = coil, 1
		}
		items[i] = it
	}
	return items
}

func countTable(reqs []Request, tb register.Table) int {
	n := 0
	for _, r := range reqs {
		if r.Table == tb {
			n++
		}
	}
	return n
}

// bruteForce returns the fewest feasible groups over all 2^(n-1) ways to
// cut the table's sorted items into consecutive groups.
func bruteForce(items []Item, tb register.Table, lim Limits) int {
	var run []Item
	for _, it := range items {
		if it.Table == tb {
			run = append(run, it)
		}
	}
	if len(run) == 0 {
		return 0
	}
	slices.SortFunc(run, func(a, b Item) int { return int(a.Address) - int(b.Address) })
	best := len(run) + 1
	for cuts := 0; cuts < 1<<(len(run)-1); cuts++ {
		if groups, ok := cutFeasible(run, cuts, lim); ok {
			best = min(best, groups)
		}
	}
	return best
}

// cutFeasible splits run after item i for every bit i set in cuts and
// reports the group count and whether every group fits.
func cutFeasible(run []Item, cuts int, lim Limits) (int, bool) {
	groups, start := 0, 0
	for i := range run {
		if i == len(run)-1 || cuts&(1<<i) != 0 {
			if !fits(run[start:i+1], lim) {
				return 0, false
			}
			groups++
			start = i + 1
		}
	}
	return groups, true
}

// fits says whether one request can read all of group, judged on an
// address map rather than the way Build walks: the span from the lowest
// to the highest used address within the maximum, and no run of unused
// addresses inside it longer than MaxGap.
func fits(group []Item, lim Limits) bool {
	lo, hi := 1<<16, 0
	for _, it := range group {
		lo, hi = min(lo, int(it.Address)), max(hi, it.end())
	}
	if hi-lo > lim.max(group[0].Table.IsBit()) {
		return false
	}
	used := make([]bool, hi-lo)
	for _, it := range group {
		for a := int(it.Address); a < it.end(); a++ {
			used[a-lo] = true
		}
	}
	hole := 0
	for _, u := range used {
		if hole = hole + 1; u {
			hole = 0
		}
		if hole > int(lim.MaxGap) {
			return false
		}
	}
	return true
}

// checkPlan asserts what every plan must satisfy: each item is covered by
// exactly one request, of its own table, that contains its whole span; no
// request exceeds the limits, starts before its first item or ends after
// its last; and no request reads a hole longer than MaxGap.
func checkPlan(t *testing.T, items []Item, lim Limits, reqs []Request) {
	t.Helper()
	seen := make([]int, len(items))
	for _, r := range reqs {
		checkRequest(t, items, lim, r)
		for _, i := range r.Items {
			seen[i]++
		}
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("item %d %v covered %d times in %v", i, items[i], n, reqs)
		}
	}
}

func checkRequest(t *testing.T, items []Item, lim Limits, r Request) {
	t.Helper()
	if r.Count == 0 || int(r.Count) > lim.max(r.Table.IsBit()) {
		t.Fatalf("request %+v: count outside 1..%d", r, lim.max(r.Table.IsBit()))
	}
	lo, hi := 1<<16, 0
	group := make([]Item, 0, len(r.Items))
	for _, i := range r.Items {
		it := items[i]
		if it.Table != r.Table || it.Address < r.Address ||
			it.end() > int(r.Address)+int(r.Count) {
			t.Fatalf("request %+v does not contain item %d %v", r, i, it)
		}
		lo, hi = min(lo, int(it.Address)), max(hi, it.end())
		group = append(group, it)
	}
	if lo != int(r.Address) || hi != int(r.Address)+int(r.Count) {
		t.Fatalf("request %+v is not tight around its items %v", r, group)
	}
	if !fits(group, lim) {
		t.Fatalf("request %+v reads a hole longer than %d", r, lim.MaxGap)
	}
}

// TestBuildMinimalAnyGrouping widens the search to every grouping of the
// items, consecutive or not (a set partition), on maps of up to seven
// holding items: reading items out of address order never saves a request.
func TestBuildMinimalAnyGrouping(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for trial := range 2000 {
		lim := randomLimits(rng)
		items := randomItems(rng, lim, 1+rng.Intn(7))
		for i := range items {
			items[i].Table = holding
			items[i].Count = min(items[i].Count, lim.MaxRegisters)
		}
		reqs, err := Build(items, lim)
		if err != nil {
			t.Fatal(err)
		}
		if want := fewestGroups(items, lim); len(reqs) != want {
			t.Fatalf("trial %d: %d requests, best grouping %d\nlimits %+v items %v",
				trial, len(reqs), want, lim, items)
		}
	}
}

// fewestGroups tries every set partition of items, assigning each item to
// an existing group or a new one, and returns the fewest feasible groups.
func fewestGroups(items []Item, lim Limits) int {
	best := len(items) // one item a request always fits
	assign := make([]int, len(items))
	var try func(i, groups int)
	try = func(i, groups int) {
		if groups >= best {
			return
		}
		if i == len(items) {
			if groupsFit(items, assign, groups, lim) {
				best = groups
			}
			return
		}
		for g := 0; g <= groups; g++ {
			assign[i] = g
			try(i+1, max(groups, g+1))
		}
	}
	try(0, 0)
	return best
}

func groupsFit(items []Item, assign []int, groups int, lim Limits) bool {
	byGroup := make([][]Item, groups)
	for i, g := range assign {
		byGroup[g] = append(byGroup[g], items[i])
	}
	for _, g := range byGroup {
		if !fits(g, lim) {
			return false
		}
	}
	return true
}
