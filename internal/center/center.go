package center

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/dispatch"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/hazardapi"
	"github.com/hazardwatch/hazardwatch/internal/ingest"
	"github.com/hazardwatch/hazardwatch/internal/live"
	"github.com/hazardwatch/hazardwatch/internal/monitor"
	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
	"github.com/hazardwatch/hazardwatch/internal/web"
)

// Center is a running monitoring center.
type Center struct {
	cfg      Config
	log      *slog.Logger
	reg      *prometheus.Registry
	db       *store.DB
	registry *registry.Watcher
	ledger   *hazard.Ledger
	auth     *auth.Store
	monitor  *monitor.Monitor
	dispatch *dispatch.Reporter
	trend    *web.InfluxTrend
	writer   *tsdb.Writer
	ingest   *ingest.Ingester
	cluster  *partitions // nil for a single instance
	hub      *live.Hub
	ln       net.Listener
	srv      *http.Server
}

// New builds a center: it opens the ledger database (migrating it),
// loads the registry, restores the alarms and binds the HTTP listener, so
// that Addr is known before Run. Nothing is consumed before Run.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Center, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Center{cfg: cfg, log: log, reg: prometheus.NewRegistry()}
	c.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := c.build(ctx); err != nil {
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *Center) build(ctx context.Context) error {
	cfg, log := c.cfg, c.log
	var err error

	// Step 1: the SQL store, the registry and the hazard ledger.
	if c.db, err = store.Open(ctx, cfg.Store, log.With("part", "store")); err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	if c.registry, err = registry.NewWatcher(cfg.Registry.Path, log.With("part", "registry"), nil); err != nil {
		return fmt.Errorf("load registry: %w", err)
	}
	c.hub = live.NewHub(10000, c.reg)
	c.auth = auth.NewStore(c.db, auth.Options{Logger: log.With("part", "auth")})
	if err := c.buildLedger(); err != nil {
		return err
	}

	// Step 2: the InfluxDB writer and the alarm service, which restores
	// the alarms that were active when the center stopped.
	if c.writer, err = tsdb.NewWriter(ctx, cfg.Influx, log.With("part", "tsdb"), c.reg); err != nil {
		return fmt.Errorf("influx writer: %w", err)
	}
	deps := monitor.Deps{
		Registry: c.registry.Current, DB: c.db, Hub: c.hub, Annotations: c.writer,
		Ledger: c.ledger, Actor: auth.ActorFromRequest, Log: log.With("part", "monitor"), Reg: c.reg,
	}
	if cfg.Cluster.Enabled() {
		deps.Partitioned, deps.Fence = true, c.fence
	}
	c.monitor, err = monitor.New(ctx, cfg.Monitor, deps)
	if err != nil {
		return fmt.Errorf("alarm service: %w", err)
	}

	if c.trend, err = web.NewInfluxTrend(c.writer.Client(), cfg.Influx.Org, cfg.Influx.Bucket); err != nil {
		return fmt.Errorf("trend query: %w", err)
	}
	c.dispatch, err = dispatch.NewReporter(dispatch.Deps{DB: c.db, Ledger: c.ledger,
		Registry: c.registry.Current, Influx: c.writer.Client(), Bucket: cfg.Influx.Bucket,
		Org: cfg.Influx.Org, Log: log.With("part", "dispatch")})
	if err != nil {
		return fmt.Errorf("dispatch report: %w", err)
	}

	// Step 3: ingest, which feeds both the live feed and the alarms.
	obs := &observer{hub: c.hub, next: c.monitor, registry: c.registry.Current}
	gate := registryGate{c.registry.Current}
	c.ingest, err = ingest.New(cfg.Ingest, cfg.MQTT, c.writer, obs, gate,
		log.With("part", "ingest"), c.reg)
	if err != nil {
		return err
	}
	if cfg.Cluster.Enabled() {
		c.cluster = newPartitions(c)
	}

	// Step 4: the HTTP listener.
	if c.ln, err = net.Listen("tcp", cfg.HTTP.Listen); err != nil {
		return fmt.Errorf("listen http on %s: %w", cfg.HTTP.Listen, err)
	}
	c.srv = &http.Server{Handler: c.routes(), ReadHeaderTimeout: 10 * time.Second}
	// Shutdown does not close hijacked websocket connections; the hub
	// does, with a close frame that tells clients to come back later.
	c.srv.RegisterOnShutdown(c.hub.Close)
	return nil
}

func (c *Center) buildLedger() error {
	pol := hazard.DefaultPolicy()
	if c.cfg.Hazard.Policy != "" {
		var err error
		if pol, err = hazard.LoadPolicy(c.cfg.Hazard.Policy); err != nil {
			return err
		}
	}
	var err error
	c.ledger, err = hazard.New(c.db, pol, hazard.Options{
		Logger: c.log.With("part", "hazard"), OnEvent: c.publishHazard})
	if err != nil {
		return fmt.Errorf("hazard ledger: %w", err)
	}
	return nil
}

// publishHazard puts a ledger change on the live feed. Records opened from
// alarms are announced by the alarm service with their alarm, so only the
// other changes go out from here.
func (c *Center) publishHazard(e hazard.Event) {
	if e.Kind == hazard.ActOpen || e.Kind == hazard.ActOccurrence {
		return
	}
	data, _ := json.Marshal(e)
	c.hub.Publish(live.Event{Kind: live.KindHazard, Time: e.At, District: e.District,
		Enterprise: e.Enterprise, Data: data})
}

// close releases what build opened, after a failed build or at the end.
func (c *Center) close() {
	if c.ln != nil {
		c.ln.Close()
	}
	if c.writer != nil {
		c.writer.Close()
	}
	if c.db != nil {
		if err := c.db.Close(); err != nil {
			c.log.Warn("close store", "err", err)
		}
	}
}

// districtOf returns the district of an enterprise, "" if it is unknown.
func (c *Center) districtOf(enterprise string) string {
	e, _ := c.registry.Current().Enterprise(enterprise)
	return e.District
}

// ReloadRegistry reads the registry file again now. A bad file keeps the
// registry in service; the watcher logs why and the error is returned.
func (c *Center) ReloadRegistry() error { return c.registry.Reload() }

// Addr is the HTTP server's address.
func (c *Center) Addr() string { return c.ln.Addr().String() }

// Run serves until ctx ends, then shuts down: the HTTP server first, then
// ingest, which stores what it holds before it disconnects, then the
// alarm service and the store.
func (c *Center) Run(ctx context.Context) error {
	var bg sync.WaitGroup
	bgCtx, stopBg := context.WithCancel(context.WithoutCancel(ctx))
	start := func(name string, f func(context.Context) error) {
		bg.Add(1)
		go func() {
			defer bg.Done()
			if err := f(bgCtx); err != nil {
				c.log.Error(name+" stopped", "err", err)
			}
		}()
	}
	start("registry watcher", c.registry.Run)
	start("alarm service", c.monitor.Run)
	start("hazard escalation", c.escalateLoop)

	httpErr := make(chan error, 1)
	go func() { httpErr <- c.srv.Serve(c.ln) }()
	ingestErr := make(chan error, 1)
	go func() { ingestErr <- c.consume(ctx) }()
	c.log.Info("center running", "http", c.Addr(), "broker", c.cfg.MQTT.Broker,
		"influx", c.cfg.Influx.URL, "bucket", c.cfg.Influx.Bucket, "store", c.cfg.Store.Driver)

	var err error
	select {
	case <-ctx.Done():
	case err = <-httpErr:
		err = fmt.Errorf("http server: %w", err)
	}

	shutCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if serr := c.srv.Shutdown(shutCtx); serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		c.log.Warn("http shutdown", "err", serr)
	}
	if ierr := <-ingestErr; ierr != nil && err == nil {
		err = ierr
	}
	stopBg()
	bg.Wait()
	c.close()
	c.log.Info("center stopped")
	return err
}

// escalateLoop marks overdue hazard records and escalates them.
func (c *Center) escalateLoop(ctx context.Context) error {
	t := time.NewTicker(c.cfg.Hazard.EscalateEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case now := <-t.C:
			if _, err := c.ledger.Escalate(ctx, now); err != nil && ctx.Err() == nil {
				c.log.Warn("escalate overdue hazard records", "err", err)
			}
		}
	}
}

// routes mounts the API and the operators' dashboard. The dashboard's
// files, health and metrics are open; everything under /api/v1 needs an
// API token (see hw-admin), and scoped roles see only their district or
// enterprise.
func (c *Center) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/gateways", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, c.visibleGateways(r))
	})
	api.HandleFunc("GET /api/v1/rejections", c.cityOnly(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.ingest.Rejections().Recent())
	}))
	api.Handle("GET /api/v1/live", &live.Server{Hub: c.hub, QueueSize: 256,
		Scope: liveScope, Subprotocols: []string{auth.WebSocketProtocol},
		Log: c.log.With("part", "live")})
	api.Handle("/api/v1/registry/", c.registry.Handler())
	alarms := scopeQuery(c.monitor.Handler(), c.districtOf)
	api.Handle("/api/v1/alarms", alarms)
	api.Handle("/api/v1/alarms/", alarms)
	api.Handle("/api/v1/points", alarms)
	api.Handle("GET /api/v1/dispatch", dispatch.Handler(c.dispatch))
	api.Handle("GET /api/v1/trend", scopeQuery(web.TrendHandler(c.trend, c.registry.Current), c.districtOf))
	hazards := hazardapi.New(c.ledger, c.log.With("part", "hazardapi"))
	api.Handle("/api/v1/hazards", hazards)
	api.Handle("/api/v1/hazards/", hazards)

	mux := http.NewServeMux()
	mux.Handle("/", web.Handler())
	mux.HandleFunc("GET /healthz", c.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(c.reg, promhttp.HandlerOpts{}))
	mux.Handle("/api/", c.auth.Middleware(api))
	return mux
}

// healthz answers 200 while the center is connected to the broker and
// subscribed, and 503 when it is not, with the parts' state as JSON.
func (c *Center) healthz(w http.ResponseWriter, _ *http.Request) {
	ok := c.ingestReady()
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	body := map[string]any{"ok": ok, "mqtt_connected": c.ingestConnected(), "subscribed": ok}
	if err := c.registry.LastError(); err != nil {
		body["registry_error"] = err.Error()
	}
	writeJSON(w, status, body)
}

// Ready reports whether the center is connected and subscribed.
func (c *Center) Ready() bool { return c.ingestReady() }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing to do
}
