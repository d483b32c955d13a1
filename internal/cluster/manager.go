package cluster

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Handler starts and stops what an instance does for a partition.
type Handler interface {
	// Acquired is called after the lease of partition p was taken: load
	// its state, then start consuming. An error gives the lease back.
	Acquired(ctx context.Context, p int) error
	// Lost is called when the lease is lost or about to be released:
	// stop consuming and forget the partition's state. It should return
	// within a fraction of the renewal period, since renewals wait.
	Lost(p int)
}

// Manager holds this instance's leases: every RenewEvery it announces
// the instance, renews its leases, and moves towards its fair share.
type Manager struct {
	cfg    Config
	leases *Leases
	h      Handler
	log    *slog.Logger
	owned  prometheus.Gauge

	mu   sync.Mutex
	held map[int]int64 // partition -> epoch
	// validUntil is when the leases expire at the latest by this
	// instance's clock: the start of the last successful renewal plus the
	// lease time, which is never later than the database's expiry.
	validUntil time.Time
	ready      atomic.Bool
}

// NewManager returns a Manager of cfg's partitions whose leases live in
// db, reporting to h. reg may be nil.
func NewManager(cfg Config, db *sql.DB, h Handler, log *slog.Logger,
	reg prometheus.Registerer) *Manager {
	m := &Manager{cfg: cfg, leases: NewLeases(db, cfg.InstanceID, cfg.LeaseTTL),
		h: h, log: log, held: map[int]int64{},
		owned: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_cluster_partitions_owned",
			Help: "Partitions whose lease this center instance holds.",
		})}
	if reg != nil {
		reg.MustRegister(m.owned)
	}
	return m
}

// Owned returns the partitions held now, in order.
func (m *Manager) Owned() []int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]int, 0, len(m.held))
	for p := range m.held {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}

// Ready reports whether the first round has run, so the instance holds
// what it could get.
func (m *Manager) Ready() bool { return m.ready.Load() }

// Fence checks inside tx that the partitions of enterprises are still
// held at the epochs they were acquired with, and keeps them from moving
// until tx ends. It fails with ErrFenced for a partition not held.
func (m *Manager) Fence(ctx context.Context, tx *sql.Tx, enterprises []string) error {
	var need []Lease
	seen := map[int]bool{}
	m.mu.Lock()
	for _, e := range enterprises {
		p := Of(e, m.cfg.Partitions)
		if seen[p] {
			continue
		}
		seen[p] = true
		epoch, ok := m.held[p]
		if !ok {
			m.mu.Unlock()
			return fmt.Errorf("enterprise %s: partition %d not held: %w", e, p, ErrFenced)
		}
		need = append(need, Lease{Partition: p, Epoch: epoch})
	}
	m.mu.Unlock()
	return m.leases.Check(ctx, tx, need)
}

// Run holds leases until ctx ends, then stops every partition, gives its
// lease back and leaves, so the others take over at once.
func (m *Manager) Run(ctx context.Context) error {
	t := time.NewTicker(m.cfg.RenewEvery)
	defer t.Stop()
	for {
		m.round(ctx)
		m.ready.Store(true)
		select {
		case <-ctx.Done():
			m.leave()
			return nil
		case <-t.C:
		}
	}
}

// round is one heartbeat, renewal and balancing step.
func (m *Manager) round(ctx context.Context) {
	start := time.Now()

	// Step 1: announce; a failure here shows in the renewal too.
	if err := m.leases.Heartbeat(ctx); err != nil && ctx.Err() == nil {
		m.log.Warn("cluster heartbeat failed", "err", err)
	}

	// Step 2: renew, and stop what was lost.
	if !m.renew(ctx, start) {
		return
	}

	// Step 3: move towards the fair share.
	live, err := m.leases.Live(ctx)
	if err != nil {
		m.log.Warn("cluster balance skipped", "err", err)
		return
	}
	share := Share(m.cfg.Partitions, live)
	m.mu.Lock()
	n := len(m.held)
	m.mu.Unlock()
	switch {
	case n > share:
		m.releaseOne(ctx, share, live)
	case n < share:
		m.acquire(ctx, share-n)
	}
}

// renew extends the held leases and reports whether it succeeded. Leases
// it could not extend are lost; when renewals fail until the next round
// could come too late, every partition is stopped before its lease can
// expire and move.
func (m *Manager) renew(ctx context.Context, start time.Time) bool {
	held := m.heldLeases()
	got, err := m.leases.Renew(ctx, held)
	if err != nil {
		if ctx.Err() != nil {
			return false
		}
		m.log.Warn("lease renewal failed", "err", err, "partitions", len(held))
		m.mu.Lock()
		late := !time.Now().Add(m.cfg.RenewEvery).Before(m.validUntil)
		m.mu.Unlock()
		if late && len(held) > 0 {
			m.log.Error("leases about to expire; stopping every partition",
				"partitions", len(held))
			for _, ls := range held {
				m.lose(ls.Partition)
			}
		}
		return false
	}
	m.mu.Lock()
	m.validUntil = start.Add(m.cfg.LeaseTTL)
	m.mu.Unlock()
	kept := map[int]bool{}
	for _, ls := range got {
		kept[ls.Partition] = true
	}
	for _, ls := range held {
		if !kept[ls.Partition] {
			m.log.Warn("partition lease lost", "partition", ls.Partition, "epoch", ls.Epoch)
			m.lose(ls.Partition)
		}
	}
	return true
}

// releaseOne gives one partition back: one per round, so that joining
// instances pick partitions up gradually, not all at once.
func (m *Manager) releaseOne(ctx context.Context, share, live int) {
	held := m.heldLeases()
	ls := held[len(held)-1]
	m.lose(ls.Partition)
	if err := m.leases.Release(ctx, ls); err != nil {
		// It expires after the lease time instead.
		m.log.Warn("partition not released", "partition", ls.Partition, "err", err)
		return
	}
	m.log.Info("partition released", "partition", ls.Partition,
		"share", share, "live_instances", live)
}

// acquire takes up to want free partitions.
func (m *Manager) acquire(ctx context.Context, want int) {
	rows, err := m.leases.Table(ctx)
	if err != nil {
		m.log.Warn("partition leases not read", "err", err)
		return
	}
	cands := freePartitions(m.cfg.Partitions, rows)
	if len(cands) == 0 {
		return
	}
	cands = cands[:min(want, len(cands))]
	got, err := m.leases.Acquire(ctx, cands)
	if err != nil {
		m.log.Warn("partitions not acquired", "err", err)
		return
	}
	for _, ls := range got {
		m.start(ctx, ls)
	}
}

// start records ls and hands the partition to the handler.
func (m *Manager) start(ctx context.Context, ls Lease) {
	m.mu.Lock()
	m.held[ls.Partition] = ls.Epoch
	m.owned.Set(float64(len(m.held)))
	m.mu.Unlock()
	if err := m.h.Acquired(ctx, ls.Partition); err != nil {
		m.log.Error("partition not started; giving it back",
			"partition", ls.Partition, "err", err)
		m.lose(ls.Partition)
		if err := m.leases.Release(ctx, ls); err != nil {
			m.log.Warn("partition not released", "partition", ls.Partition, "err", err)
		}
		return
	}
	m.log.Info("partition acquired", "partition", ls.Partition, "epoch", ls.Epoch)
}

// lose stops partition p and forgets its lease, so that nothing commits
// under it any more.
func (m *Manager) lose(p int) {
	m.h.Lost(p)
	m.mu.Lock()
	delete(m.held, p)
	m.owned.Set(float64(len(m.held)))
	m.mu.Unlock()
}

// leave stops every partition, releases the leases and the instance's
// announcement.
func (m *Manager) leave() {
	ctx, cancel := context.WithTimeout(context.Background(), m.cfg.RenewEvery)
	defer cancel()
	for _, ls := range m.heldLeases() {
		m.lose(ls.Partition)
		if err := m.leases.Release(ctx, ls); err != nil {
			m.log.Warn("partition not released", "partition", ls.Partition, "err", err)
		}
	}
	if err := m.leases.Leave(ctx); err != nil {
		m.log.Warn("cluster leave failed", "err", err)
	}
	m.log.Info("left the cluster")
}

func (m *Manager) heldLeases() []Lease {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Lease, 0, len(m.held))
	for p, e := range m.held {
		out = append(out, Lease{Partition: p, Epoch: e})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Partition < out[j].Partition })
	return out
}

// freePartitions returns the partitions of n that have no lease row or
// a free one, in order.
func freePartitions(n int, rows []Row) []int {
	taken := make(map[int]bool, len(rows))
	for _, r := range rows {
		if !r.Free {
			taken[r.Partition] = true
		}
	}
	var out []int
	for p := range n {
		if !taken[p] {
			out = append(out, p)
		}
	}
	return out
}
