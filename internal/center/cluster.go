package center

import (
	"context"
	"database/sql"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/cluster"
	"github.com/hazardwatch/hazardwatch/internal/ingest"
	"github.com/hazardwatch/hazardwatch/internal/monitor"
	"github.com/hazardwatch/hazardwatch/internal/registry"
)

// followEvery is how often the partitions' subscriptions are checked
// against the registry in service.
const followEvery = time.Second

// partitions runs this instance's share of the enterprises when the
// center is one of several (config section cluster): per owned
// partition, one persistent MQTT session with the partition's fixed
// client id, subscribed to its enterprises' topics, and the partition's
// alarms in the monitor.
type partitions struct {
	cfg      cluster.Config
	log      *slog.Logger
	base     *ingest.Ingester // shares its writer, observer and metrics
	monitor  *monitor.Monitor
	registry func() *registry.Registry
	mgr      *cluster.Manager
	// stopWait bounds how long a lost partition's session is waited for
	// before its alarms are dropped; it goes on storing its last batch.
	stopWait time.Duration

	mu       sync.Mutex
	ctx      context.Context // parent of the sessions
	sessions map[int]*session
	wg       sync.WaitGroup
}

// session is one partition's MQTT session.
type session struct {
	in          *ingest.Ingester
	enterprises []string
	cancel      context.CancelFunc
	done        chan struct{}
}

func newPartitions(c *Center) *partitions {
	ps := &partitions{cfg: c.cfg.Cluster, log: c.log.With("part", "cluster"),
		base: c.ingest, monitor: c.monitor, registry: c.registry.Current,
		stopWait: c.cfg.Cluster.RenewEvery / 2, sessions: map[int]*session{}}
	ps.mgr = cluster.NewManager(c.cfg.Cluster, c.db.Writer(), ps, ps.log, c.reg)
	return ps
}

// run holds partitions until ctx ends, then gives them back and waits
// for their sessions to store what they hold.
func (ps *partitions) run(ctx context.Context) error {
	ps.mu.Lock()
	ps.ctx = context.WithoutCancel(ctx)
	ps.mu.Unlock()
	followCtx, stopFollow := context.WithCancel(ctx)
	defer stopFollow()
	go ps.follow(followCtx)
	err := ps.mgr.Run(ctx)
	ps.wg.Wait()
	return err
}

// Acquired loads partition p's alarms, then starts its session, so that
// no reading is evaluated before the alarms it may continue are known.
func (ps *partitions) Acquired(ctx context.Context, p int) error {
	ents := enterprisesOf(ps.registry(), p, ps.cfg.Partitions)
	if err := ps.monitor.AdoptEnterprises(ctx, ents); err != nil {
		return err
	}
	log := ps.log.With("partition", p)
	in := ps.base.Session(ps.cfg.ClientID(p), ingest.EnterpriseFilters(ents), log)
	ps.mu.Lock()
	defer ps.mu.Unlock()
	sctx, cancel := context.WithCancel(ps.ctx)
	s := &session{in: in, enterprises: ents, cancel: cancel, done: make(chan struct{})}
	ps.sessions[p] = s
	ps.wg.Go(func() {
		defer close(s.done)
		if err := in.Run(sctx); err != nil {
			log.Error("partition session stopped", "err", err)
		}
	})
	return nil
}

// Lost stops partition p's session (it disconnects without
// unsubscribing, so the broker keeps queueing for the next owner) and
// drops its alarms.
func (ps *partitions) Lost(p int) {
	ps.mu.Lock()
	s := ps.sessions[p]
	delete(ps.sessions, p)
	ps.mu.Unlock()
	if s == nil {
		return
	}
	s.cancel()
	select {
	case <-s.done:
	case <-time.After(ps.stopWait):
		ps.log.Warn("partition session still storing its last batch",
			"partition", p)
	}
	ps.monitor.DropEnterprises(s.enterprises)
}

// follow keeps the sessions' subscriptions and the adopted enterprises
// in step with the registry: an enterprise added to an owned partition
// is adopted and subscribed, a removed one unsubscribed.
func (ps *partitions) follow(ctx context.Context) {
	t := time.NewTicker(followEvery)
	defer t.Stop()
	last := ps.registry()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		reg := ps.registry()
		if reg == last {
			continue
		}
		last = reg
		ps.resubscribe(ctx, reg)
	}
}

func (ps *partitions) resubscribe(ctx context.Context, reg *registry.Registry) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for p, s := range ps.sessions {
		ents := enterprisesOf(reg, p, ps.cfg.Partitions)
		if slices.Equal(ents, s.enterprises) {
			continue
		}
		var added []string
		for _, e := range ents {
			if !slices.Contains(s.enterprises, e) {
				added = append(added, e)
			}
		}
		if err := ps.monitor.AdoptEnterprises(ctx, added); err != nil {
			ps.log.Error("new enterprises not adopted", "partition", p, "err", err)
			continue
		}
		s.in.SetFilters(ingest.EnterpriseFilters(ents))
		s.enterprises = ents
		ps.log.Info("partition resubscribed", "partition", p, "enterprises", len(ents))
	}
}

// ready reports whether the first lease round ran and every owned
// partition's session is subscribed.
func (ps *partitions) ready() bool {
	if !ps.mgr.Ready() {
		return false
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, s := range ps.sessions {
		if !s.in.Ready() {
			return false
		}
	}
	return true
}

// connected reports whether every owned partition's session is
// connected.
func (ps *partitions) connected() bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, s := range ps.sessions {
		if !s.in.Connected() {
			return false
		}
	}
	return true
}

// gateways returns the gateways of the owned partitions.
func (ps *partitions) gateways() []ingest.GatewayState {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	var out []ingest.GatewayState
	for _, s := range ps.sessions {
		out = append(out, s.in.Gateways()...)
	}
	return out
}

// enterprisesOf returns the codes of reg's enterprises in partition p of
// n, in order.
func enterprisesOf(reg *registry.Registry, p, n int) []string {
	var out []string
	for _, e := range reg.Enterprises() {
		if cluster.Of(e.Code, n) == p {
			out = append(out, e.Code)
		}
	}
	slices.Sort(out)
	return out
}

// consume runs ingest: one session for every enterprise, or the owned
// partitions' sessions when the center is one of several.
func (c *Center) consume(ctx context.Context) error {
	if c.cluster != nil {
		return c.cluster.run(ctx)
	}
	return c.ingest.Run(ctx)
}

// fence fails a journal transaction of enterprises whose partition this
// instance no longer holds.
func (c *Center) fence(ctx context.Context, tx *sql.Tx, enterprises []string) error {
	return c.cluster.mgr.Fence(ctx, tx, enterprises)
}

// ingestReady and ingestConnected answer /healthz for either mode.
func (c *Center) ingestReady() bool {
	if c.cluster != nil {
		return c.cluster.ready()
	}
	return c.ingest.Ready()
}

func (c *Center) ingestConnected() bool {
	if c.cluster != nil {
		return c.cluster.connected()
	}
	return c.ingest.Connected()
}

// gateways returns what ingest knows of the gateways this instance
// receives.
func (c *Center) gateways() []ingest.GatewayState {
	if c.cluster != nil {
		return c.cluster.gateways()
	}
	return c.ingest.Gateways()
}
