package alarm

import (
	"cmp"
	"slices"
	"time"
)

// Alarm-load figures of EEMUA 191 and ISA-18.2.
const (
	// RateWindow is the window of KPIs.PerTenMinutes.
	RateWindow = 10 * time.Minute
	// FloodAbove is the number of activations within RateWindow above
	// which alarms are in flood.
	FloodAbove = 10
	// StaleAfter is how long an alarm may stand active before it is stale.
	StaleAfter = 24 * time.Hour
	// ChatterWindow and ChatterChanges: ChatterChanges or more activations
	// and clears of one alarm within ChatterWindow is chattering.
	ChatterWindow  = time.Minute
	ChatterChanges = 3
)

// KPIs is the alarm load at one moment.
type KPIs struct {
	// PerTenMinutes counts the activations within the last RateWindow;
	// under 1 is the EEMUA 191 target.
	PerTenMinutes float64
	// Flood is true above FloodAbove activations within RateWindow.
	Flood bool
	// Stale counts alarms that have stood active for over StaleAfter.
	Stale int
	// Chattering lists the alarms that changed ChatterChanges or more
	// times within ChatterWindow, ordered by point and condition.
	Chattering []Key
}

// KPI computes the alarm load from the journal. It counts what operators
// are shown: events of suppressed alarms count for nothing, and late
// events (replayed excursions) count as activations at their own time but
// never as chatter, since a late activation and its clear come together.
// It is not safe for concurrent use.
type KPI struct {
	activations []time.Time
	newest      time.Time // of the activations seen
	pruneAt     int       // prune activations when they reach this many
	changes     map[Key][]time.Time
	standing    map[Key]time.Time // active alarms and since when
}

// NewKPI returns an empty KPI tracker.
func NewKPI() *KPI {
	return &KPI{pruneAt: 64, changes: map[Key][]time.Time{},
		standing: map[Key]time.Time{}}
}

// Add takes one journal event into account.
func (k *KPI) Add(e Event) {
	k.stand(e)
	if e.To.Suppressed() {
		return
	}
	switch e.Kind {
	case EventActivated:
		k.addActivation(e.Time)
		k.addChange(e)
	case EventCleared:
		k.addChange(e)
	}
}

// stand follows which alarms stand active and since when.
func (k *KPI) stand(e Event) {
	if e.To != Unacked && e.To != Acked {
		delete(k.standing, e.Key)
		return
	}
	if _, ok := k.standing[e.Key]; !ok {
		k.standing[e.Key] = e.Time
	}
}

func (k *KPI) addActivation(t time.Time) {
	k.activations = append(k.activations, t)
	if t.After(k.newest) {
		k.newest = t
	}
	if len(k.activations) >= k.pruneAt {
		k.activations = slices.DeleteFunc(k.activations,
			func(a time.Time) bool { return a.Before(k.newest.Add(-RateWindow)) })
		k.pruneAt = max(64, 2*len(k.activations))
	}
}

func (k *KPI) addChange(e Event) {
	if e.Late {
		return
	}
	ts := k.changes[e.Key]
	cut := e.Time.Add(-ChatterWindow)
	ts = slices.DeleteFunc(ts, func(t time.Time) bool { return t.Before(cut) })
	k.changes[e.Key] = append(ts, e.Time)
}

// Snapshot returns the alarm load at now.
func (k *KPI) Snapshot(now time.Time) KPIs {
	var s KPIs
	for _, t := range k.activations {
		if within(t, now, RateWindow) {
			s.PerTenMinutes++
		}
	}
	s.Flood = s.PerTenMinutes > FloodAbove
	for _, since := range k.standing {
		if now.Sub(since) > StaleAfter {
			s.Stale++
		}
	}
	s.Chattering = k.chattering(now)
	return s
}

// chattering lists the chattering alarms at now and forgets those whose
// changes have all left the window.
func (k *KPI) chattering(now time.Time) []Key {
	var keys []Key
	for key, ts := range k.changes {
		n := 0
		for _, t := range ts {
			if within(t, now, ChatterWindow) {
				n++
			}
		}
		switch {
		case n >= ChatterChanges:
			keys = append(keys, key)
		case n == 0 && ts[len(ts)-1].Before(now):
			delete(k.changes, key)
		}
	}
	slices.SortFunc(keys, func(a, b Key) int {
		return cmp.Or(cmp.Compare(a.Point, b.Point),
			cmp.Compare(a.Condition, b.Condition))
	})
	return keys
}

// within tells whether t lies in the window of length w that ends at now.
func within(t, now time.Time, w time.Duration) bool {
	return t.After(now.Add(-w)) && !t.After(now)
}
