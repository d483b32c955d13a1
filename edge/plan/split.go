package plan

import "slices"

// Split narrows a request the device refused, typically with exception 02
// (illegal data address) because one point is mapped to an address the
// device lacks, or because the request reads across a gap the device does
// not implement. It cuts r's items into two halves by address and plans
// each half again with Build, so each half reads only its own items' span;
// the agent splits whatever still fails until only the bad points remain,
// and one misconfigured address costs only its own point.
//
// Halves are cut where the address changes, nearest the middle, so items
// that share a register (bits of one status word) stay together: they
// fail or succeed as one. A request that cannot be narrowed, because it has
// one item or all its items start at one address with one length, is
// returned alone, and so is a request whose Items do not index items.
//
// Usually the result is two requests; it is more when a half no longer
// joins across a gap that an item of the other half used to bridge.
func Split(r Request, items []Item, lim Limits) []Request {
	run, ok := sortedRun(r.Items, items)
	if !ok {
		return []Request{r}
	}
	cut := cutPoint(run, items)
	if cut == 0 {
		return []Request{r}
	}
	lo, errLo := replan(run[:cut], items, lim)
	hi, errHi := replan(run[cut:], items, lim)
	if errLo != nil || errHi != nil {
		return []Request{r}
	}
	return append(lo, hi...)
}

// sortedRun returns the request's item indices in plan order, or false
// when one of them is not an index into items.
func sortedRun(idx []int, items []Item) ([]int, bool) {
	for _, i := range idx {
		if i < 0 || i >= len(items) {
			return nil, false
		}
	}
	run := slices.Clone(idx)
	slices.SortFunc(run, func(a, b int) int {
		return compareItems(items, a, b)
	})
	return run, true
}

// cutPoint returns the index in run nearest its middle where the address
// changes, else where the length changes, else 0 when no cut narrows.
func cutPoint(run []int, items []Item) int {
	differs := []func(a, b Item) bool{
		func(a, b Item) bool { return a.Address != b.Address },
		func(a, b Item) bool { return a != b },
	}
	for _, d := range differs {
		best := 0
		for k := 1; k < len(run); k++ {
			if !d(items[run[k-1]], items[run[k]]) {
				continue
			}
			if best == 0 || abs(2*k-len(run)) < abs(2*best-len(run)) {
				best = k
			}
		}
		if best != 0 {
			return best
		}
	}
	return 0
}

// replan builds requests for a subset of items and maps their indices
// back to the full slice.
func replan(sub []int, items []Item, lim Limits) ([]Request, error) {
	part := make([]Item, len(sub))
	for j, i := range sub {
		part[j] = items[i]
	}
	reqs, err := Build(part, lim)
	if err != nil {
		return nil, err
	}
	for _, r := range reqs {
		for j, i := range r.Items {
			r.Items[j] = sub[i]
		}
	}
	return reqs, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
