package center

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hazardwatch/hazardwatch/internal/ingest"
	"github.com/hazardwatch/hazardwatch/internal/live"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
)

// Center is a running monitoring center.
type Center struct {
	cfg    Config
	log    *slog.Logger
	reg    *prometheus.Registry
	writer *tsdb.Writer
	ingest *ingest.Ingester
	hub    *live.Hub
	ln     net.Listener
	srv    *http.Server
}

// New builds a center and binds its HTTP listener, so that Addr is known
// before Run.
func New(ctx context.Context, cfg Config, log *slog.Logger) (*Center, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Center{cfg: cfg, log: log, reg: prometheus.NewRegistry()}
	c.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	w, err := tsdb.NewWriter(ctx, cfg.Influx, log.With("part", "tsdb"), c.reg)
	if err != nil {
		return nil, fmt.Errorf("influx writer: %w", err)
	}
	c.writer = w
	c.hub = live.NewHub(10000, c.reg)
	obs := &observer{hub: c.hub}
	c.ingest, err = ingest.New(cfg.Ingest, cfg.MQTT, w, obs, log.With("part", "ingest"), c.reg)
	if err != nil {
		w.Close()
		return nil, err
	}
	c.ln, err = net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("listen http on %s: %w", cfg.HTTP.Listen, err)
	}
	c.srv = &http.Server{Handler: c.routes(), ReadHeaderTimeout: 10 * time.Second}
	// Shutdown does not close hijacked websocket connections; the hub
	// does, with a close frame that tells clients to come back later.
	c.srv.RegisterOnShutdown(c.hub.Close)
	return c, nil
}

// Addr is the HTTP server's address.
func (c *Center) Addr() string { return c.ln.Addr().String() }

// Run serves until ctx ends, then shuts down: the HTTP server first, then
// ingest, which stores what it holds before it disconnects.
func (c *Center) Run(ctx context.Context) error {
	defer c.writer.Close()
	httpErr := make(chan error, 1)
	go func() { httpErr <- c.srv.Serve(c.ln) }()
	ingestErr := make(chan error, 1)
	go func() { ingestErr <- c.ingest.Run(ctx) }()
	c.log.Info("center running", "http", c.Addr(), "broker", c.cfg.MQTT.Broker,
		"influx", c.cfg.Influx.URL, "bucket", c.cfg.Influx.Bucket)

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
	c.log.Info("center stopped")
	return err
}

func (c *Center) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", c.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(c.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /api/v1/gateways", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.ingest.Gateways())
	})
	mux.HandleFunc("GET /api/v1/rejections", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, c.ingest.Rejections().Recent())
	})
	mux.Handle("GET /api/v1/live", &live.Server{Hub: c.hub, QueueSize: 256,
		Log: c.log.With("part", "live")})
	return mux
}

// healthz answers 200 while the center is connected to the broker and
// subscribed, and 503 when it is not, with the parts' state as JSON.
func (c *Center) healthz(w http.ResponseWriter, _ *http.Request) {
	ok := c.ingest.Ready()
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]any{"ok": ok,
		"mqtt_connected": c.ingest.Connected(), "subscribed": ok})
}

// Ready reports whether the center is connected and subscribed.
func (c *Center) Ready() bool { return c.ingest.Ready() }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away; nothing to do
}
