package agent

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

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hazardwatch/hazardwatch/edge/device"
	"github.com/hazardwatch/hazardwatch/edge/publish"
	"github.com/hazardwatch/hazardwatch/edge/queue"
	"github.com/hazardwatch/hazardwatch/internal/mqttconn"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Version names the agent in its birth message.
const Version = "hw-edge/0.1"

// Agent is a running edge agent.
type Agent struct {
	cfg     Config
	log     *slog.Logger
	reg     *prometheus.Registry
	q       *queue.Queue
	client  mqtt.Client
	pub     *publish.Publisher
	pollers []*device.Poller
	ln      net.Listener
	m       *agentMetrics
}

// New opens the disk queue, prepares the pollers and the MQTT client and
// binds the HTTP listener. Nothing is polled or sent before Run.
func New(cfg Config, log *slog.Logger) (*Agent, error) {
	cfg.derive()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Agent{cfg: cfg, log: log, reg: prometheus.NewRegistry()}
	a.reg.MustRegister(collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// Step 1: the disk queue, which recovers what a crash left behind.
	qo, _ := cfg.queueOptions() // checked by Validate
	qo.Logger = log.With("part", "buffer")
	q, err := queue.Open(qo)
	if err != nil {
		return nil, fmt.Errorf("open buffer: %w", err)
	}
	a.q = q
	a.m = newAgentMetrics(a.reg, q)

	// Step 2: one poller per device.
	dm := device.NewMetrics(a.reg)
	for _, dc := range cfg.Devices {
		p, err := device.New(dc, log, dm)
		if err != nil {
			q.Close()
			return nil, err
		}
		a.pollers = append(a.pollers, p)
	}

	// Step 3: the MQTT client with its last will, and the publisher.
	if err := a.newClient(); err != nil {
		q.Close()
		return nil, err
	}

	// Step 4: the HTTP listener, bound now so that a taken port fails
	// the start, not a later moment.
	if cfg.HTTP.Listen != "" {
		if a.ln, err = net.Listen("tcp", cfg.HTTP.Listen); err != nil {
			q.Close()
			return nil, fmt.Errorf("listen http on %s: %w", cfg.HTTP.Listen, err)
		}
	}
	return a, nil
}

func (a *Agent) newClient() error {
	opts, err := a.cfg.MQTT.Options()
	if err != nil {
		return err
	}
	gw := a.cfg.Gateway
	will, err := wire.EncodeStatus(wire.Status{State: wire.StateOffline,
		Time: time.Now().UnixMilli(), Epoch: a.q.Epoch(), Agent: Version})
	if err != nil {
		return err
	}
	opts.SetBinaryWill(wire.StatusTopic(gw.Enterprise, gw.ID), will, 1, true).
		SetOnConnectHandler(func(c mqtt.Client) { a.onConnect(c) }).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			a.m.connected.Set(0)
			a.log.Warn("mqtt connection lost; buffering on disk", "err", err)
		})
	a.client = mqtt.NewClient(opts)
	a.pub, err = publish.New(a.cfg.Publish, a.q, a.client, gw.Enterprise, gw.ID,
		a.log.With("part", "publish"), a.reg)
	return err
}

// onConnect publishes the birth message and starts a publish session.
func (a *Agent) onConnect(c mqtt.Client) {
	a.m.connected.Set(1)
	a.log.Info("mqtt connected", "broker", a.cfg.MQTT.Broker, "client_id", a.cfg.MQTT.ClientID)
	gw := a.cfg.Gateway
	birth, _ := wire.EncodeStatus(wire.Status{State: wire.StateOnline,
		Time: time.Now().UnixMilli(), Epoch: a.q.Epoch(), Agent: Version})
	tok := c.Publish(wire.StatusTopic(gw.Enterprise, gw.ID), 1, true, birth)
	go func() {
		if err := mqttconn.Wait(tok, 30*time.Second); err != nil {
			a.log.Warn("publish birth", "err", err)
		}
	}()
	a.pub.OnConnect()
}

// Addr is the HTTP listener's address, or "" without one.
func (a *Agent) Addr() string {
	if a.ln == nil {
		return ""
	}
	return a.ln.Addr().String()
}

// Run polls and publishes until ctx ends, then publishes the offline
// status, disconnects and closes the queue. Readings not yet sent stay in
// the queue for the next start.
func (a *Agent) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	srv := a.serveHTTP(&wg)
	a.client.Connect() // with ConnectRetry it keeps trying in the background
	a.log.Info("edge agent running", "enterprise", a.cfg.Gateway.Enterprise,
		"gateway", a.cfg.Gateway.ID, "devices", len(a.pollers), "buffer", a.cfg.Buffer.Dir,
		"buffer_max_bytes", a.cfg.Buffer.MaxBytes, "http", a.Addr())

	pubCtx, stopPub := context.WithCancel(context.WithoutCancel(ctx))
	wg.Add(1)
	go func() { defer wg.Done(); _ = a.pub.Run(pubCtx) }()
	var polls sync.WaitGroup
	for _, p := range a.pollers {
		polls.Add(1)
		go func() { defer polls.Done(); a.pollLoop(ctx, p) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); a.expireLoop(ctx) }()

	<-ctx.Done()
	polls.Wait()
	a.drain(2 * time.Second)
	stopPub()
	if srv != nil {
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = srv.Shutdown(shut)
		cancel()
	}
	wg.Wait()
	a.goodbye()
	for _, p := range a.pollers {
		_ = p.Close()
	}
	if err := a.q.Close(); err != nil {
		return fmt.Errorf("close buffer: %w", err)
	}
	a.log.Info("edge agent stopped")
	return nil
}

// drain gives the publisher a moment to send the last cycle's readings.
func (a *Agent) drain(d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && a.client.IsConnectionOpen() && a.q.Acked() < a.q.Last() {
		time.Sleep(20 * time.Millisecond)
	}
}

// goodbye publishes the offline status itself (a clean disconnect
// suppresses the last will) and disconnects.
func (a *Agent) goodbye() {
	if a.client.IsConnectionOpen() {
		gw := a.cfg.Gateway
		off, _ := wire.EncodeStatus(wire.Status{State: wire.StateOffline,
			Time: time.Now().UnixMilli(), Epoch: a.q.Epoch(), Agent: Version})
		tok := a.client.Publish(wire.StatusTopic(gw.Enterprise, gw.ID), 1, true, off)
		if err := mqttconn.Wait(tok, 2*time.Second); err != nil {
			a.log.Warn("publish offline status", "err", err)
		}
	}
	a.client.Disconnect(500)
}

// pollLoop polls one device at its interval. A cycle that overruns the
// interval skips the missed ticks rather than bunching them.
func (a *Agent) pollLoop(ctx context.Context, p *device.Poller) {
	t := time.NewTicker(p.Interval())
	defer t.Stop()
	for {
		readings := p.Poll(time.Now())
		a.store(p.Name(), readings)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// store appends one cycle's readings to the queue, in messages that keep
// within the contract's limits on readings and bytes.
func (a *Agent) store(dev string, readings []wire.Reading) {
	for len(readings) > 0 {
		raw, n, err := encodeChunk(readings)
		if err != nil {
			// Only a poller bug gets here; say so loudly.
			a.log.Error("encode readings", "device", dev, "err", err)
			return
		}
		readings = readings[n:]
		if _, err := a.q.Append(raw); err != nil {
			a.m.appendErrors.Inc()
			a.log.Error("append readings to buffer; they are lost", "device", dev, "err", err)
			continue
		}
		a.m.readings.Add(float64(n))
	}
	a.pub.Notify()
}

// envelopeRoom is what a message's envelope adds to its readings, with
// room to spare.
const envelopeRoom = 256

// encodeChunk encodes as many of the first readings as fit in one message
// and says how many it took.
func encodeChunk(readings []wire.Reading) ([]byte, int, error) {
	n := min(len(readings), wire.MaxReadings)
	for {
		raw, err := wire.AppendReadings(nil, readings[:n])
		if err != nil {
			return nil, 0, err
		}
		if len(raw)+envelopeRoom <= wire.MaxPayload || n == 1 {
			return raw, n, nil
		}
		n /= 2
	}
}

func (a *Agent) expireLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.q.Expire(); err != nil {
				a.log.Warn("expire old readings", "err", err)
			}
		}
	}
}

func (a *Agent) serveHTTP(wg *sync.WaitGroup) *http.Server {
	if a.ln == nil {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", a.healthz)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server", "err", err)
		}
	}()
	return srv
}

// healthz answers 200 when the broker is connected and 503 when it is
// not (the agent still buffers then), with the buffer's state.
func (a *Agent) healthz(w http.ResponseWriter, _ *http.Request) {
	st, err := a.q.Stats()
	body := map[string]any{"mqtt_connected": a.client.IsConnectionOpen(),
		"buffered_records": st.Records, "buffer_bytes": st.Bytes, "dropped": st.Dropped}
	if !st.Oldest.IsZero() {
		body["oldest_buffered_age_seconds"] = time.Since(st.Oldest).Seconds()
	}
	code := http.StatusOK
	if err != nil || !a.client.IsConnectionOpen() {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
