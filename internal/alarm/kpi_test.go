package alarm

import (
	"slices"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/rules"
)

func keyOf(point string) Key { return Key{Point: point, Condition: rules.High} }

func activated(k Key, at time.Duration) Event {
	return Event{Key: k, Kind: EventActivated, From: Normal, To: Unacked,
		Time: t0.Add(at)}
}

func cleared(k Key, at time.Duration) Event {
	return Event{Key: k, Kind: EventCleared, From: Unacked, To: RTNUnack,
		Time: t0.Add(at)}
}

func TestKPIFlood(t *testing.T) {
	tests := []struct {
		name  string
		n     int // activations, one a second from t0, each its own point
		now   time.Duration
		rate  float64
		flood bool
	}{
		{"ten is no flood", 10, time.Minute, 10, false},
		{"eleven is a flood", 11, time.Minute, 11, true},
		{"they leave the window", 11, 10*time.Minute + 5*time.Second, 5,
			false},
	}
	for _, tt := range tests {
		k := NewKPI()
		for i := range tt.n {
			k.Add(activated(keyOf(string(rune('a'+i))),
				time.Duration(i)*time.Second))
		}
		got := k.Snapshot(t0.Add(tt.now))
		if got.PerTenMinutes != tt.rate || got.Flood != tt.flood {
			t.Errorf("%s: got %+v", tt.name, got)
		}
	}
}

func TestKPISuppressedAndLate(t *testing.T) {
	k := NewKPI()
	e := activated(keyOf("a"), 0)
	e.From, e.To = Shelved, Shelved
	k.Add(e)
	late := activated(keyOf("b"), 0)
	late.Late = true
	lateClear := cleared(keyOf("b"), 0)
	lateClear.Late = true
	k.Add(late)
	k.Add(lateClear)
	k.Add(late)
	got := k.Snapshot(t0.Add(time.Second))
	if got.PerTenMinutes != 2 || len(got.Chattering) != 0 {
		t.Fatalf("got %+v, want 2 late activations and no chatter", got)
	}
}

func TestKPIChattering(t *testing.T) {
	k := NewKPI()
	a, b := keyOf("a"), keyOf("b")
	k.Add(activated(a, 0))
	k.Add(cleared(a, 20*time.Second))
	k.Add(activated(a, 40*time.Second))
	k.Add(activated(b, 0))
	k.Add(cleared(b, 61*time.Second))

	tests := []struct {
		now  time.Duration
		want []Key
	}{
		{30 * time.Second, nil},
		{50 * time.Second, []Key{a}},
		{61 * time.Second, nil}, // a's first change left the window
		{10 * time.Minute, nil},
	}
	for _, tt := range tests {
		got := k.Snapshot(t0.Add(tt.now)).Chattering
		if !slices.Equal(got, tt.want) {
			t.Errorf("at %v: got %v, want %v", tt.now, got, tt.want)
		}
	}
	if len(k.changes) != 0 {
		t.Errorf("old changes kept: %v", k.changes)
	}
}

func TestKPIStale(t *testing.T) {
	k := NewKPI()
	a, b, c := keyOf("a"), keyOf("b"), keyOf("c")
	k.Add(activated(a, 0))
	k.Add(Event{Key: a, Kind: EventAcked, From: Unacked, To: Acked,
		Time: t0.Add(time.Hour)})
	k.Add(activated(b, time.Hour))
	k.Add(activated(c, 0))
	k.Add(Event{Key: c, Kind: EventShelved, From: Unacked, To: Shelved,
		Time: t0.Add(time.Minute)})

	tests := []struct {
		now  time.Duration
		want int
	}{
		{24 * time.Hour, 0},
		{24*time.Hour + time.Second, 1},
		{25*time.Hour + time.Second, 2},
	}
	for _, tt := range tests {
		if got := k.Snapshot(t0.Add(tt.now)).Stale; got != tt.want {
			t.Errorf("at %v: %d stale, want %d", tt.now, got, tt.want)
		}
	}
	k.Add(cleared(b, 26*time.Hour))
	if got := k.Snapshot(t0.Add(27 * time.Hour)).Stale; got != 1 {
		t.Errorf("after clear: %d stale, want 1", got)
	}
}

// TestKPIFromAlarms runs a chattering alarm through the lifecycle and the
// tracker together.
func TestKPIFromAlarms(t *testing.T) {
	a := New(key, Policy{})
	k := NewKPI()
	add := func(evs []Event, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			k.Add(e)
		}
	}
	for i := range 4 {
		at := t0.Add(time.Duration(i) * 10 * time.Second)
		add(a.Activate(rules.Level1, 30, at, false))
		add(a.Clear(20, at.Add(5*time.Second), false))
	}
	got := k.Snapshot(t0.Add(40 * time.Second))
	if !slices.Equal(got.Chattering, []Key{key}) || got.PerTenMinutes != 4 {
		t.Fatalf("got %+v", got)
	}
}

func TestKPIPrunes(t *testing.T) {
	k := NewKPI()
	for i := range 10000 {
		k.Add(activated(keyOf("a"), time.Duration(i)*time.Second))
	}
	if len(k.activations) > 2000 {
		t.Fatalf("%d activations kept", len(k.activations))
	}
	if got := k.Snapshot(t0.Add(9999 * time.Second)); got.PerTenMinutes != 600 {
		t.Fatalf("rate %v, want 600", got.PerTenMinutes)
	}
}
