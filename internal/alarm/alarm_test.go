package alarm

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/rules"
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

var key = Key{Point: "tk-101.lel", Condition: rules.High}

// op is one operation on an alarm at t0 plus at.
type op struct {
	at   time.Duration
	do   string // activate, activate2, late, clear, ack, shelve, unshelve, oos, ios, tick
	want string // "kind:from>to ..." of the events, or "err:" and the error
}

func apply(a *Alarm, o op) ([]Event, error) {
	at := t0.Add(o.at)
	switch o.do {
	case "activate":
		return a.Activate(rules.Level1, 30, at, false)
	case "activate2":
		return a.Activate(rules.Level2, 60, at, false)
	case "late":
		return a.Activate(rules.Level1, 30, at, true)
	case "clear":
		return a.Clear(10, at, false)
	case "ack":
		return a.Acknowledge("li.wei", "seen", at)
	case "ack-nobody":
		return a.Acknowledge("", "", at)
	case "shelve":
		return a.Shelve("li.wei", "sensor calibration", at.Add(time.Hour), at)
	case "shelve-past":
		return a.Shelve("li.wei", "x", at, at)
	case "shelve-long":
		return a.Shelve("li.wei", "x", at.Add(48*time.Hour), at)
	case "shelve-noreason":
		return a.Shelve("li.wei", "", at.Add(time.Hour), at)
	case "unshelve":
		return a.Unshelve("li.wei", "done", at)
	case "oos":
		return a.RemoveFromService("zhang.min", "detector replaced", at)
	case "ios":
		return a.ReturnToService("zhang.min", "back", at)
	case "tick":
		return a.Tick(at), nil
	}
	panic("unknown op " + o.do)
}

func describe(evs []Event, err error) string {
	if err != nil {
		return "err:" + err.Error()
	}
	var b []string
	for _, e := range evs {
		s := e.Kind.String() + ":" + e.From.String() + ">" + e.To.String()
		if e.Late {
			s += ":late"
		}
		b = append(b, s)
	}
	return strings.Join(b, " ")
}

func TestLifecycle(t *testing.T) {
	const minute = time.Minute
	tests := []struct {
		name string
		ops  []op
		// state and episode after the last op
		state   State
		episode uint64
	}{
		{"activate ack clear", []op{
			{0, "activate", "activated:normal>unacked"},
			{minute, "ack", "acked:unacked>acked"},
			{2 * minute, "clear", "cleared:acked>normal"},
		}, Normal, 1},
		{"activate clear ack", []op{
			{0, "activate", "activated:normal>unacked"},
			{minute, "clear", "cleared:unacked>rtn_unacked"},
			{2 * minute, "ack", "acked:rtn_unacked>normal"},
		}, Normal, 1},
		{"reactivation before ack continues the episode", []op{
			{0, "activate", "activated:normal>unacked"},
			{minute, "clear", "cleared:unacked>rtn_unacked"},
			{2 * minute, "activate", "activated:rtn_unacked>unacked"},
		}, Unacked, 1},
		{"activation after normal starts a new episode", []op{
			{0, "activate", "activated:normal>unacked"},
			{minute, "clear", "cleared:unacked>rtn_unacked"},
			{2 * minute, "ack", "acked:rtn_unacked>normal"},
			{3 * minute, "activate", "activated:normal>unacked"},
		}, Unacked, 2},
		{"level change while active", []op{
			{0, "activate", "activated:normal>unacked"},
			{0, "activate", ""},
			{minute, "activate2", "level_changed:unacked>unacked"},
		}, Unacked, 1},
		{"late excursion must be acknowledged", []op{
			{0, "late", "activated:normal>unacked:late"},
		}, Unacked, 1},
		{"shelve active, unshelve comes back unacked", []op{
			{0, "activate", "activated:normal>unacked"},
			{minute, "ack", "acked:unacked>acked"},
			{2 * minute, "shelve", "shelved:acked>shelved"},
			{3 * minute, "clear", "cleared:shelved>shelved"},
			{4 * minute, "activate", "activated:shelved>shelved"},
			{5 * minute, "unshelve", "unshelved:shelved>unacked"},
		}, Unacked, 2},
		{"shelve expires by tick", []op{
			{0, "shelve", "shelved:normal>shelved"},
			{59 * minute, "tick", ""},
			{60 * minute, "tick", "unshelved:shelved>normal"},
		}, Normal, 0},
		{"shelving an unacked return ends the episode", []op{
			{0, "activate", "activated:normal>unacked"},
			{minute, "clear", "cleared:unacked>rtn_unacked"},
			{2 * minute, "shelve", "shelved:rtn_unacked>shelved"},
			{3 * minute, "unshelve", "unshelved:shelved>normal"},
			{4 * minute, "activate", "activated:normal>unacked"},
		}, Unacked, 2},
		{"out of service over a shelve", []op{
			{0, "activate", "activated:normal>unacked"},
			{minute, "shelve", "shelved:unacked>shelved"},
			{2 * minute, "oos", "out_of_service:shelved>out_of_service"},
			{3 * minute, "clear", "cleared:out_of_service>out_of_service"},
			{4 * minute, "ios", "in_service:out_of_service>normal"},
		}, Normal, 1},
		{"escalates once per episode", []op{
			{0, "activate", "activated:normal>unacked"},
			{14 * minute, "tick", ""},
			{15 * minute, "tick", "escalated:unacked>unacked"},
			{16 * minute, "tick", ""},
			{17 * minute, "clear", "cleared:unacked>rtn_unacked"},
			{18 * minute, "activate", "activated:rtn_unacked>unacked"},
			{60 * minute, "tick", ""},
			{61 * minute, "ack", "acked:unacked>acked"},
			{62 * minute, "clear", "cleared:acked>normal"},
			{63 * minute, "activate", "activated:normal>unacked"},
			{78 * minute, "tick", "escalated:unacked>unacked"},
		}, Unacked, 2},
		{"acknowledged alarms do not escalate", []op{
			{0, "activate", "activated:normal>unacked"},
			{minute, "ack", "acked:unacked>acked"},
			{60 * minute, "tick", ""},
		}, Acked, 1},
		{"suppressed alarms do not escalate", []op{
			{0, "activate", "activated:normal>unacked"},
			{minute, "oos", "out_of_service:unacked>out_of_service"},
			{60 * minute, "tick", ""},
		}, OutOfService, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(key, Policy{EscalateAfter: 15 * minute,
				MaxShelve: 8 * time.Hour})
			for i, o := range tt.ops {
				if got := describe(apply(a, o)); got != o.want {
					t.Fatalf("op %d %s: got %q, want %q",
						i, o.do, got, o.want)
				}
				if err := a.s.check(); err != nil {
					t.Fatalf("op %d %s: %v", i, o.do, err)
				}
			}
			if a.State() != tt.state || a.s.Episode != tt.episode {
				t.Fatalf("ended %s episode %d, want %s episode %d",
					a.State(), a.s.Episode, tt.state, tt.episode)
			}
		})
	}
}

func TestInvalidOperations(t *testing.T) {
	tests := []struct {
		name     string
		setup    []string
		do       string
		want     error
		conflict bool
	}{
		{"clear normal", nil, "clear", ErrNotActive, true},
		{"clear rtn", []string{"activate", "clear"}, "clear",
			ErrNotActive, true},
		{"ack normal", nil, "ack", ErrNothingToAck, true},
		{"ack twice", []string{"activate", "ack"}, "ack",
			ErrAlreadyAcked, true},
		{"ack shelved", []string{"activate", "shelve"}, "ack",
			ErrSuppressed, true},
		{"ack out of service", []string{"activate", "oos"}, "ack",
			ErrSuppressed, true},
		{"ack by nobody", []string{"activate"}, "ack-nobody",
			ErrNoActor, false},
		{"shelve twice", []string{"shelve"}, "shelve",
			ErrAlreadyShelved, true},
		{"shelve out of service", []string{"oos"}, "shelve",
			ErrOutOfService, true},
		{"shelve into the past", nil, "shelve-past", ErrShelveExpiry, false},
		{"shelve too long", nil, "shelve-long", ErrShelveTooLong, false},
		{"shelve without reason", nil, "shelve-noreason", ErrNoReason,
			false},
		{"unshelve unshelved", nil, "unshelve", ErrNotShelved, true},
		{"unshelve out of service", []string{"oos"}, "unshelve",
			ErrNotShelved, true},
		{"remove twice", []string{"oos"}, "oos",
			ErrAlreadyOutOfService, true},
		{"return in service", nil, "ios", ErrInService, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(key, Policy{MaxShelve: 8 * time.Hour})
			for _, s := range tt.setup {
				if _, err := apply(a, op{do: s}); err != nil {
					t.Fatalf("setup %s: %v", s, err)
				}
			}
			before := a.Snapshot()
			evs, err := apply(a, op{at: time.Second, do: tt.do})
			if !errors.Is(err, tt.want) || evs != nil {
				t.Fatalf("got %v, %v, want %v", evs, err, tt.want)
			}
			var ae *Error
			if !errors.As(err, &ae) || ae.Conflict() != tt.conflict {
				t.Fatalf("conflict of %v: want %t", err, tt.conflict)
			}
			if a.Snapshot() != before {
				t.Fatal("a failed operation changed the alarm")
			}
		})
	}
}

func TestBadActivations(t *testing.T) {
	a := New(key, Policy{})
	if _, err := a.Activate(3, 1, t0, false); !errors.Is(err, ErrBadLevel) {
		t.Errorf("level 3: %v", err)
	}
	tr := rules.Transition{Condition: rules.Low, Active: true,
		Level: rules.Level1, Time: t0}
	if _, err := a.Apply(tr); !errors.Is(err, ErrWrongAlarm) {
		t.Errorf("other condition: %v", err)
	}
}

func TestEventFields(t *testing.T) {
	a := New(key, Policy{})
	tr := rules.Transition{Condition: rules.High, Active: true,
		Level: rules.Level1, Value: 31, Limit: 25, Time: t0, Late: true}
	evs, err := a.Apply(tr)
	if err != nil {
		t.Fatal(err)
	}
	want := Event{Key: key, Episode: 1, Kind: EventActivated, From: Normal,
		To: Unacked, Level: rules.Level1, Value: 31, Time: t0, Late: true}
	if evs[0] != want {
		t.Fatalf("got %+v\nwant %+v", evs[0], want)
	}
	until := t0.Add(time.Hour)
	evs, _ = a.Shelve("li.wei", "calibration", until, t0.Add(time.Minute))
	if e := evs[0]; e.Actor != "li.wei" || e.Comment != "calibration" ||
		e.Until != until {
		t.Fatalf("shelved event %+v", e)
	}
}

func TestRestore(t *testing.T) {
	a := New(key, Policy{})
	a.Activate(rules.Level2, 60, t0, false)
	a.Acknowledge("li.wei", "", t0.Add(time.Minute))
	b, err := Restore(a.Snapshot(), Policy{})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := b.Clear(1, t0.Add(2*time.Minute), false)
	if err != nil || evs[0].To != Normal || evs[0].Episode != 1 {
		t.Fatalf("clear after restore: %v %v", evs, err)
	}

	bad := []Snapshot{
		{Key: key, State: Acked},
		{Key: key, State: Unacked, Active: true, Level: 1},
		{Key: key, State: Normal, Active: true, Episode: 1, Level: 1},
		{Key: key, State: Acked, Active: true, Episode: 1, Level: 1},
		{Key: key, State: Shelved, SuppressedBy: "x", Reason: "y"},
		{Key: key, State: 42},
		{Key: Key{}, State: Normal},
	}
	for _, s := range bad {
		if _, err := Restore(s, Policy{}); !errors.Is(err, ErrBadSnapshot) {
			t.Errorf("Restore(%+v) = %v", s, err)
		}
	}
}

func TestNames(t *testing.T) {
	for s := Normal; s < numStates; s++ {
		if got, err := ParseState(s.String()); err != nil || got != s {
			t.Errorf("ParseState(%q) = %v, %v", s, got, err)
		}
	}
	for k := EventActivated; k < numEventKinds; k++ {
		if got, err := ParseEventKind(k.String()); err != nil || got != k {
			t.Errorf("ParseEventKind(%q) = %v, %v", k, got, err)
		}
	}
	if key.String() != "tk-101.lel/high" {
		t.Error(key.String())
	}
}

// TestRandomOperations applies random operations and checks that the
// alarm never reaches a state Restore would refuse, that every event
// starts where the previous one ended, and that failed operations change
// nothing.
func TestRandomOperations(t *testing.T) {
	ops := []string{"activate", "activate2", "late", "clear", "ack",
		"ack-nobody", "shelve", "shelve-past", "unshelve", "oos", "ios",
		"tick"}
	seed := uint64(7)
	rnd := func(n int) int {
		seed = seed*6364136223846793005 + 1442695040888963407
		return int(seed>>33) % n
	}
	for run := 0; run < 500; run++ {
		a := New(key, Policy{EscalateAfter: 10 * time.Minute})
		state, episode := Normal, uint64(0)
		at := time.Duration(0)
		for i := 0; i < 200; i++ {
			at += time.Duration(rnd(30)) * time.Minute
			before := a.Snapshot()
			evs, err := apply(a, op{at: at, do: ops[rnd(len(ops))]})
			if err != nil && a.Snapshot() != before {
				t.Fatalf("failed op changed the alarm: %v", err)
			}
			for _, e := range evs {
				if e.From != state {
					t.Fatalf("event %+v starts from %s", e, state)
				}
				if e.Episode < episode {
					t.Fatalf("episode went back: %+v", e)
				}
				state, episode = e.To, e.Episode
			}
			if err := a.s.check(); err != nil {
				t.Fatalf("after %d ops: %v (%+v)", i, err, a.s)
			}
		}
	}
}
