package cluster

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

func TestOfIsStableFNV1a(t *testing.T) {
	// Known FNV-1a values: the offset basis for "", 0xe40c292c for "a".
	// The partition of a code must never change, or sessions and leases
	// would disagree across versions.
	tests := []struct {
		code string
		n    int
		want int
	}{
		{"", 16, int(uint32(2166136261) % 16)},
		{"a", 16, int(uint32(0xe40c292c) % 16)},
		{"a", 7, int(uint32(0xe40c292c) % 7)},
		{"x", 0, 0},
	}
	for _, tt := range tests {
		if got := Of(tt.code, tt.n); got != tt.want {
			t.Errorf("Of(%q, %d) = %d, want %d", tt.code, tt.n, got, tt.want)
		}
	}
}

func TestShare(t *testing.T) {
	tests := []struct{ n, live, want int }{
		{8, 3, 3}, {8, 2, 4}, {8, 1, 8}, {8, 0, 8}, {16, 5, 4}, {1, 3, 1},
	}
	for _, tt := range tests {
		if got := Share(tt.n, tt.live); got != tt.want {
			t.Errorf("Share(%d, %d) = %d, want %d", tt.n, tt.live, got, tt.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := DefaultConfig()
	ok.Partitions, ok.InstanceID = 16, "center-a"
	tests := []struct {
		name   string
		change func(*Config)
		driver string
		bad    bool
	}{
		{"disabled on sqlite", func(c *Config) { c.Partitions = 0 }, "sqlite", false},
		{"enabled on postgres", func(*Config) {}, "postgres", false},
		{"enabled on sqlite", func(*Config) {}, "sqlite", true},
		{"no instance id", func(c *Config) { c.InstanceID = "" }, "postgres", true},
		{"ttl too short", func(c *Config) { c.LeaseTTL = c.RenewEvery }, "postgres", true},
		{"negative", func(c *Config) { c.Partitions = -1 }, "postgres", true},
		{"no prefix", func(c *Config) { c.ClientIDPrefix = "" }, "postgres", true},
	}
	for _, tt := range tests {
		c := ok
		tt.change(&c)
		if err := c.Validate(tt.driver); (err != nil) != tt.bad {
			t.Errorf("%s: Validate = %v, want error %v", tt.name, err, tt.bad)
		}
	}
}

// Ten instances race for the same partitions: each partition goes to
// exactly one of them.
func TestAcquireRaceHasOneWinner(t *testing.T) {
	db := storetest.Open(t, store.Postgres).Writer()
	ctx := context.Background()
	var mu sync.Mutex
	winners := map[int][]string{}
	var wg sync.WaitGroup
	for i := range 10 {
		id := string(rune('a' + i))
		wg.Go(func() {
			got, err := NewLeases(db, id, time.Minute).Acquire(ctx, []int{0, 1, 2, 3})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, ls := range got {
				winners[ls.Partition] = append(winners[ls.Partition], id)
			}
		})
	}
	wg.Wait()
	for p := range 4 {
		if len(winners[p]) != 1 {
			t.Errorf("partition %d won by %v, want one instance", p, winners[p])
		}
	}
}

// A lease expires by the database's clock; the next owner's epoch is
// higher, and the old owner can neither renew nor commit under it.
func TestExpiryMovesLeaseAndFencesOldOwner(t *testing.T) {
	db := storetest.Open(t, store.Postgres).Writer()
	ctx := context.Background()
	a := NewLeases(db, "a", 300*time.Millisecond)
	b := NewLeases(db, "b", time.Minute)

	la, err := a.Acquire(ctx, []int{5})
	if err != nil || len(la) != 1 {
		t.Fatalf("a acquire = %v, %v", la, err)
	}
	if lb, _ := b.Acquire(ctx, []int{5}); len(lb) != 0 {
		t.Fatalf("b took a live lease: %v", lb)
	}
	time.Sleep(400 * time.Millisecond)
	lb, err := b.Acquire(ctx, []int{5})
	if err != nil || len(lb) != 1 || lb[0].Epoch != la[0].Epoch+1 {
		t.Fatalf("b acquire after expiry = %v, %v; want epoch %d", lb, err, la[0].Epoch+1)
	}
	if got, err := a.Renew(ctx, la); err != nil || len(got) != 0 {
		t.Fatalf("old owner renewed: %v, %v", got, err)
	}
	err = inTx(db, func(tx *sql.Tx) error { return a.Check(ctx, tx, la) })
	if !errors.Is(err, ErrFenced) {
		t.Fatalf("old owner's check = %v, want ErrFenced", err)
	}
	if err := inTx(db, func(tx *sql.Tx) error { return b.Check(ctx, tx, lb) }); err != nil {
		t.Fatalf("new owner's check = %v", err)
	}

	// A released lease is free at once, for anyone.
	if err := b.Release(ctx, lb[0]); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Acquire(ctx, []int{5}); len(got) != 1 || got[0].Epoch != lb[0].Epoch+1 {
		t.Fatalf("acquire after release = %v", got)
	}
}

// A takeover waits for a transaction that checked the lease, so the new
// owner reads the partition's state only after that commit.
func TestCheckHoldsOffTakeoverUntilCommit(t *testing.T) {
	db := storetest.Open(t, store.Postgres).Writer()
	ctx := context.Background()
	a := NewLeases(db, "a", 200*time.Millisecond)
	la, err := a.Acquire(ctx, []int{1})
	if err != nil || len(la) != 1 {
		t.Fatalf("acquire = %v, %v", la, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Check(ctx, tx, la); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // expired, but still checked by tx
	took := make(chan time.Time, 1)
	go func() {
		if _, err := NewLeases(db, "b", time.Minute).Acquire(ctx, []int{1}); err != nil {
			t.Error(err)
		}
		took <- time.Now()
	}()
	time.Sleep(300 * time.Millisecond)
	committed := time.Now()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if at := <-took; at.Before(committed) {
		t.Fatal("takeover did not wait for the checked transaction")
	}
}

func inTx(db *sql.DB, f func(*sql.Tx) error) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}
