// Package plan turns the points an edge agent polls into as few Modbus read
// requests as the protocol and the device allow. Each request costs a round
// trip, often over a slow serial line or a cellular link, so merging
// neighbouring registers is what keeps a poll cycle within its period.
package plan

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/hazardwatch/hazardwatch/edge/register"
)

// Item is the span one point occupies in one table, as register.Spec.Span
// gives it. Items may overlap: sixteen alarm bits of one status register
// are sixteen items with the same span.
type Item struct {
	Table   register.Table
	Address uint16
	Count   uint16
}

// end returns one past the item's last address; it can be 65536.
func (it Item) end() int { return int(it.Address) + int(it.Count) }

// Request is one read: Count units of Table from Address. Items holds the
// indices, into the slice given to Build, of the items it covers, in
// address order; each lies wholly inside the request.
type Request struct {
	Table   register.Table
	Address uint16
	Count   uint16
	Items   []int
}

// Build plans the requests that read every item, the fewest the limits
// allow, ordered by function code and address.
//
// Per table, items are sorted by address, and a request grows from its
// first item while two things hold: the whole request still fits
// MaxRegisters (or MaxBits), and the next item starts at most MaxGap
// addresses after everything taken so far ends. The first item that breaks
// either starts the next request. Requests are tight: they begin at their
// first item and end with their last used address.
//
// A worked example with DefaultLimits (max 125 registers, gap 10):
//
//	holding 100 float32  (100..101)
//	holding 102 uint16   (102)
//	holding 102 bit 0    (102, shares the register)
//	holding 110 int32    (110..111, gap of 7 after 102: joined)
//	holding 130 uint16   (130, gap of 18 after 111: new request)
//	holding 200 float64  (200..203, gap of 69: new request)
//	coil 0, coil 4       (gap of 3 bits: joined)
//
// becomes four requests: coil 0+5, then holding 100+12 (the first four
// holding items), holding 130+1 and holding 200+4. With MaxRegisters 10,
// the first holding request would end at 102 (100+3) and the int32 at 110
// would start its own.
//
// Why the greedy is minimal: compare it with any plan whose requests each
// take a run of consecutive items in this order. Suppose the greedy's
// first k requests end at or after that plan's first k (true for k = 0).
// The greedy's next request starts with some item c inside the other
// plan's next run. Every item the greedy placed before c ends before c
// starts or inside c's span: the request before c stopped either on a gap
// (all it read ends before c) or on the size (c reaches past all of it),
// and by the same argument each earlier request ends within the reach of
// the item that followed it. So the part of the other run from c on loses
// nothing that bridged a gap, fits the limits by itself, and the greedy,
// taking items while they fit, gets at least as far. By induction the
// greedy needs no more requests. The tests check this against exhaustive
// search, and also find that no grouping of items out of address order
// does better.
//
// Build fails on an invalid limit, an item whose table is not a Modbus
// table, an empty item, one that runs past address 65535, and one longer
// than a single request may be.
func Build(items []Item, lim Limits) ([]Request, error) {
	if err := lim.Validate(); err != nil {
		return nil, fmt.Errorf("build read plan: %w", err)
	}
	for i, it := range items {
		if err := checkItem(it, lim); err != nil {
			return nil, fmt.Errorf("build read plan: item %d: %w", i, err)
		}
	}
	order := sortedIndices(items)

	var reqs []Request
	for len(order) > 0 {
		n := greedyRun(items, order, lim)
		// The capacity bound keeps an append to one request's Items from
		// writing over the next request's.
		reqs = append(reqs, tight(items, order[:n:n]))
		order = order[n:]
	}
	return reqs, nil
}

// checkItem reports an item no request can read. It formats nothing for a
// good item, since Build checks every point of a large map.
func checkItem(it Item, lim Limits) error {
	if msg := itemProblem(it, lim); msg != "" {
		return fmt.Errorf("%s %d+%d: %s", it.Table, it.Address, it.Count, msg)
	}
	return nil
}

func itemProblem(it Item, lim Limits) string {
	limit := lim.max(it.Table.IsBit())
	switch {
	case it.Table < register.Coil || it.Table > register.Input:
		return "not a Modbus table"
	case it.Count == 0:
		return "count is 0"
	case it.end()-1 > math.MaxUint16:
		return fmt.Sprintf("ends at %d, past address %d", it.end()-1, math.MaxUint16)
	case int(it.Count) > limit:
		return fmt.Sprintf("longer than the %d a request may read", limit)
	}
	return ""
}

// sortedIndices returns the indices of items by table, then address, then
// longest first, then index, so that the plan is the same on every run.
func sortedIndices(items []Item) []int {
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return compareItems(items, a, b)
	})
	return order
}

// compareItems orders item indices for planning.
func compareItems(items []Item, a, b int) int {
	x, y := items[a], items[b]
	return cmp.Or(
		cmp.Compare(x.Table, y.Table),
		cmp.Compare(x.Address, y.Address),
		cmp.Compare(y.Count, x.Count),
		cmp.Compare(a, b),
	)
}

// greedyRun returns how many of the sorted items, from the first, one
// request can take.
func greedyRun(items []Item, order []int, lim Limits) int {
	first := items[order[0]]
	limit := lim.max(first.Table.IsBit())
	end := first.end()
	n := 1
	for ; n < len(order); n++ {
		next := items[order[n]]
		if next.Table != first.Table ||
			int(next.Address)-end > int(lim.MaxGap) ||
			next.end()-int(first.Address) > limit {
			break
		}
		end = max(end, next.end())
	}
	return n
}

// tight returns the request that covers exactly the given items, from the
// first used address to the last; run is sorted by address and non-empty,
// and becomes the request's Items.
func tight(items []Item, run []int) Request {
	first := items[run[0]]
	end := first.end()
	for _, i := range run[1:] {
		end = max(end, items[i].end())
	}
	return Request{
		Table:   first.Table,
		Address: first.Address,
		Count:   uint16(end - int(first.Address)),
		Items:   run,
	}
}
