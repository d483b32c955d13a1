package monitor

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/live"
	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/rules"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
)

// storeTimeout bounds one journal transaction or ledger call made on
// behalf of ingest or the tick loop, which have no deadline of their own.
const storeTimeout = 10 * time.Second

// AnnotationWriter stores alarm events in InfluxDB; *tsdb.Writer is the
// real one.
type AnnotationWriter interface {
	Write(ctx context.Context, b *tsdb.Batch) (dropped int, err error)
}

// Deps are the Monitor's collaborators. Registry and DB are required.
type Deps struct {
	// Registry returns the registry in service (registry.Watcher.Current).
	Registry func() *registry.Registry
	// DB holds the alarm journal and the alarms' state.
	DB *store.DB
	// Hub receives alarm and hazard events; nil publishes none.
	Hub *live.Hub
	// Annotations receives alarm events as InfluxDB annotations; nil
	// writes none.
	Annotations AnnotationWriter
	// Ledger turns alarms into hazard records; nil keeps no ledger.
	Ledger HazardSink
	// Actor names the operator of an HTTP request, or fails when the
	// request is not authenticated; nil refuses every operator action.
	Actor func(*http.Request) (string, error)
	// Log defaults to discarding.
	Log *slog.Logger
	// Reg registers the metrics; nil registers none.
	Reg prometheus.Registerer
	// Now is the clock; time.Now by default. Tests drive it.
	Now func() time.Time
	// Partitioned makes the monitor own no enterprise until
	// AdoptEnterprises: a center instance that shares the enterprises
	// with others (see partition.go). False owns them all.
	Partitioned bool
	// Fence, when set, runs inside every journal transaction with the
	// enterprises it writes for, and fails it when this instance no longer
	// owns one of them; nil commits unchecked.
	Fence func(ctx context.Context, tx *sql.Tx, enterprises []string) error
}

// Monitor is the center's alarm service. It is safe for concurrent use:
// ingest, the tick loop and HTTP handlers share one lock, which also
// orders the journal transactions, so the stored state of an alarm is
// always the state after its newest journal row.
type Monitor struct {
	cfg    Config
	deps   Deps
	db     *store.DB
	log    *slog.Logger
	now    func() time.Time
	policy alarm.Policy
	m      *metrics
	ann    *annotationQueue // nil without Deps.Annotations

	mu         sync.Mutex
	reg        *registry.Registry // the snapshot points were built from
	points     map[pointKey]*pointState
	gateways   map[gatewayKey]*gatewayState
	alarms     map[alarm.Key]*alarmEntry
	kpi        *alarm.KPI
	lastResend time.Time
	// owned lists the enterprises a partitioned monitor owns; nil owns
	// every enterprise.
	owned map[string]bool
}

// pointKey names a point: ids are unique only within an enterprise.
type pointKey struct{ enterprise, id string }

// pointState is the live state of one registered point.
type pointState struct {
	point registry.Point
	cfg   rules.Config
	ev    *rules.Evaluator
	key   string // alarm key point: "<enterprise>/<id>"
	// gateway is the gateway that last sent the point, so that a point
	// without a configured gateway still follows its gateway's outage.
	gateway string
	last    lastReading
}

// lastReading is the newest live reading of a point, for the point list.
type lastReading struct {
	Time    time.Time
	Value   float64
	Quality rules.Quality
}

// alarmEntry is one alarm and where it belongs.
type alarmEntry struct {
	a          *alarm.Alarm
	enterprise string
	point      string // point id, or "gateway:<id>"
}

// New builds the alarm service: it restores every alarm from the store
// and resumes the active ones in their points' evaluators, so an alarm
// active before a restart goes on in the same episode, unannounced.
func New(ctx context.Context, cfg Config, deps Deps) (*Monitor, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Registry == nil || deps.DB == nil {
		return nil, errors.New("new monitor: registry and database are required")
	}
	m := &Monitor{cfg: cfg, deps: deps, db: deps.DB, log: deps.Log,
		now: deps.Now, m: newMetrics(deps.Reg),
		policy: alarm.Policy{EscalateAfter: cfg.EscalateAfter,
			MaxShelve: cfg.MaxShelve},
		points:   map[pointKey]*pointState{},
		gateways: map[gatewayKey]*gatewayState{},
		alarms:   map[alarm.Key]*alarmEntry{},
		kpi:      alarm.NewKPI(),
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.now == nil {
		m.now = time.Now
	}
	if deps.Partitioned {
		m.owned = map[string]bool{}
	}
	if deps.Annotations != nil {
		m.ann = newAnnotationQueue(deps.Annotations, cfg.AnnotationQueue,
			m.log, m.m.annotationsDropped)
	}
	if err := m.restore(ctx); err != nil {
		return nil, fmt.Errorf("new monitor: %w", err)
	}
	return m, nil
}

// restore loads the stored alarms, then builds the points' evaluators,
// which resume the active ones.
func (m *Monitor) restore(ctx context.Context) error {
	var snaps []alarm.Snapshot
	var err error
	if m.owned == nil { // a partitioned monitor loads with each adoption
		if snaps, err = m.loadStates(ctx, "", nil); err != nil {
			return err
		}
	}
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range snaps {
		a, err := alarm.Restore(s, m.policy)
		if err != nil {
			return err
		}
		ent, pt := splitKey(s.Key)
		m.alarms[s.Key] = &alarmEntry{a: a, enterprise: ent, point: pt}
		m.seedKPI(s)
	}
	m.restoreGateways(now)
	var p pending
	m.syncRegistry(now, &p)
	// Conditions a registry change removed meanwhile clear now.
	m.commit(&p)
	m.log.Info("alarms restored", "alarms", len(snaps),
		"points", len(m.points), "gateways", len(m.gateways))
	return nil
}

// seedKPI tells the KPI tracker since when a restored alarm stands
// active, so stale alarms are counted across a restart. The event is an
// acknowledgement because KPI counts those as neither activation nor
// chatter.
func (m *Monitor) seedKPI(s alarm.Snapshot) {
	if s.State != alarm.Unacked && s.State != alarm.Acked {
		return
	}
	m.kpi.Add(alarm.Event{Key: s.Key, Kind: alarm.EventAcked,
		To: s.State, Time: s.ActiveSince})
}

// Run lets time pass every TickInterval until ctx ends: point evaluators
// (stale points, delays), alarms (shelve expiry, escalation), silent
// gateways and ledger re-sends. It also writes the InfluxDB annotations.
// It returns nil when ctx ends.
func (m *Monitor) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	if m.ann != nil {
		wg.Go(func() { m.ann.run(ctx) })
	}
	t := time.NewTicker(m.cfg.TickInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
			m.tick(m.now())
		}
	}
}

// tick lets time pass to now.
func (m *Monitor) tick(now time.Time) {
	m.mu.Lock()
	var p pending
	m.syncRegistry(now, &p)
	m.tickPoints(now, &p)
	m.tickGateways(now, &p)
	m.tickAlarms(now, &p)
	m.commit(&p)
	if now.Sub(m.lastResend) >= m.cfg.LedgerResend {
		m.lastResend = now
		p.signals = append(p.signals, m.activeSignals(now)...)
	}
	m.updateGauges(now)
	m.mu.Unlock()

	m.toLedger(p.signals)
}

func (m *Monitor) tickPoints(now time.Time, p *pending) {
	for _, ps := range m.points {
		if trs := ps.ev.Tick(now); len(trs) > 0 {
			m.applyTransitions(ps, trs, p)
		}
	}
}

func (m *Monitor) tickAlarms(now time.Time, p *pending) {
	for _, e := range m.alarms {
		if evs := e.a.Tick(now); len(evs) > 0 {
			m.record(p, e, evs, transitionInfo{})
		}
	}
}
