// Package ingest takes telemetry from the broker and stores it: it holds a
// persistent MQTT session, checks every message against the wire contract,
// batches the readings into InfluxDB writes and acknowledges each message
// to the broker only after its readings are stored. A crash or an InfluxDB
// outage therefore loses nothing: the broker keeps what was not
// acknowledged and delivers it again, and since a reading is identified by
// its point and sample time, storing it twice is harmless.
//
// Back-pressure comes from the broker: it sends a client at most
// max_inflight_messages unacknowledged messages, so while InfluxDB is down
// the center holds that many in memory and the broker queues the rest on
// its side.
package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/internal/mqttconn"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Writer stores batches; *tsdb.Writer is the real one.
type Writer interface {
	Write(ctx context.Context, b *tsdb.Batch) (dropped int, err error)
}

// Observer sees every accepted message, in arrival order, before its
// readings are stored: rules evaluate here so that an alarm never waits
// for InfluxDB. A message delivered twice is observed twice.
type Observer interface {
	ObserveTelemetry(src wire.Topic, t *wire.Telemetry, received time.Time)
	ObserveStatus(src wire.Topic, s wire.Status, received time.Time)
}

// Gate tells which enterprises, gateways and points the center knows;
// the registry answers. A nil Gate admits everything.
type Gate interface {
	EnterpriseKnown(enterprise string) bool
	GatewayAllowed(enterprise, gateway string) bool
	PointKnown(enterprise, point string) bool
}

// Reasons for rejections that come from the registry rather than the
// wire contract.
const (
	RejectUnknownEnterprise = "unknown_enterprise"
	RejectGatewayNotAllowed = "gateway_not_allowed"
	RejectUnknownPoint      = wire.RejectUnregistered
)

// Ingester consumes telemetry and status messages.
type Ingester struct {
	cfg    Config
	mqtt   mqttconn.Config
	w      Writer
	obs    Observer
	gate   Gate
	log    *slog.Logger
	m      *metrics
	now    func() time.Time
	in     chan delivery
	rej    *Rejections
	client mqtt.Client

	connected  atomic.Bool
	subscribed atomic.Bool

	fmu     sync.Mutex      // guards filters and, for SetFilters, client
	filters map[string]byte // topic filters the session subscribes to
	stopped chan struct{}   // closed when processing has ended

	mu       sync.Mutex // guards seqs and gateways
	seqs     map[gatewayKey]*sequence
	gateways map[gatewayKey]GatewayState
}

type gatewayKey struct{ ent, gw string }

// GatewayState is what the center knows of one gateway.
type GatewayState struct {
	Enterprise string    `json:"enterprise"`
	Gateway    string    `json:"gateway"`
	Online     bool      `json:"online"`
	StatusAt   time.Time `json:"status_at"`
	LastSeen   time.Time `json:"last_seen"`
	LastSeq    uint64    `json:"last_seq"`
	Missing    int       `json:"missing"`
}

// delivery is one message from the broker with its acknowledgement.
type delivery struct {
	topic    string
	payload  []byte
	ack      func()
	received time.Time
}

// New returns an Ingester that stores through w, reports to obs and
// admits what gate knows (obs and gate may be nil).
func New(cfg Config, mc mqttconn.Config, w Writer, obs Observer, gate Gate,
	log *slog.Logger, reg prometheus.Registerer) (*Ingester, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := mc.Validate("mqtt"); err != nil {
		return nil, err
	}
	return &Ingester{
		cfg:      cfg,
		mqtt:     mc,
		w:        w,
		obs:      obs,
		gate:     gate,
		log:      log,
		m:        newMetrics(reg),
		now:      time.Now,
		in:       make(chan delivery, cfg.QueueSize),
		rej:      newRejections(200, log),
		seqs:     make(map[gatewayKey]*sequence),
		gateways: make(map[gatewayKey]GatewayState),
		filters:  map[string]byte{wire.TelemetryFilter: 1, wire.StatusFilter: 1},
		stopped:  make(chan struct{}),
	}, nil
}

// Connected reports whether the broker connection is up.
func (in *Ingester) Connected() bool { return in.connected.Load() }

// Ready reports whether the center is connected and its subscriptions
// are in place. Before the very first subscription of a session the
// broker keeps nothing for the center: a gateway's messages published
// before it are not delivered, so load must wait for Ready.
func (in *Ingester) Ready() bool { return in.connected.Load() && in.subscribed.Load() }

// Rejections returns the log of recent rejections.
func (in *Ingester) Rejections() *Rejections { return in.rej }

// Gateways returns what the center knows of each gateway.
func (in *Ingester) Gateways() []GatewayState {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]GatewayState, 0, len(in.gateways))
	for _, g := range in.gateways {
		out = append(out, g)
	}
	return out
}

// Run connects, consumes until ctx ends, then stores what it has and
// disconnects. It returns an error only if it could not start.
func (in *Ingester) Run(ctx context.Context) error {
	opts, err := in.mqtt.Options()
	if err != nil {
		return err
	}
	opts.SetAutoAckDisabled(true).
		SetOrderMatters(true).
		SetDefaultPublishHandler(in.receive).
		SetOnConnectHandler(in.onConnect).
		SetConnectionLostHandler(func(_ mqtt.Client, err error) {
			in.connected.Store(false)
			in.subscribed.Store(false)
			in.m.connected.Set(0)
			in.log.Warn("mqtt connection lost", "err", err)
		})
	in.fmu.Lock()
	in.client = mqtt.NewClient(opts)
	in.fmu.Unlock()

	// Connect: with ConnectRetry the token completes only once connected,
	// so a broker that is down at start delays ingest, not the center.
	tok := in.client.Connect()
	go func() {
		<-tok.Done()
		if err := tok.Error(); err != nil {
			in.log.Error("mqtt connect", "err", err)
		}
	}()

	// Process until ctx ends, then let the writer finish the last batch
	// within the shutdown timeout, which starts when ctx ends: a writer
	// stuck retrying (InfluxDB down) must not hold the shutdown, nor the
	// processing loop waiting to hand it a batch.
	batches := make(chan *pending, 1)
	wctx, cancelWrites := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWrites()
	stopTimer := context.AfterFunc(ctx, func() {
		time.AfterFunc(in.cfg.ShutdownTimeout, cancelWrites)
	})
	defer stopTimer()
	writerDone := make(chan struct{})
	go func() { defer close(writerDone); in.writeLoop(wctx, batches) }()
	in.processLoop(ctx, wctx, batches)
	close(in.stopped)
	<-writerDone

	// What is still queued was never acknowledged: the broker delivers it
	// again on the next connection.
	in.client.Disconnect(250)
	in.connected.Store(false)
	in.m.connected.Set(0)
	return nil
}

func (in *Ingester) onConnect(c mqtt.Client) {
	in.connected.Store(true)
	in.m.connected.Set(1)
	in.m.connections.Inc()
	in.log.Info("mqtt connected", "broker", in.mqtt.Broker, "client_id", in.mqtt.ClientID)
	// The persistent session keeps the subscriptions; subscribing again is
	// harmless and covers a session that the broker lost.
	filters := in.currentFilters()
	go func() {
		if len(filters) > 0 {
			err := mqttconn.Wait(c.SubscribeMultiple(filters, nil), 30*time.Second)
			if err != nil {
				in.log.Error("mqtt subscribe", "err", err)
				return
			}
		}
		in.subscribed.Store(true)
	}()
}

// receive runs on paho's router goroutine. It must not block for long:
// the queue is at least as deep as the broker's in-flight window, which
// bounds the unacknowledged messages the broker sends.
func (in *Ingester) receive(_ mqtt.Client, msg mqtt.Message) {
	d := delivery{topic: msg.Topic(), payload: msg.Payload(), ack: msg.Ack, received: in.now()}
	select {
	case in.in <- d:
	case <-in.stopped:
		return // not acknowledged: the broker delivers it again
	}
	in.m.queue.Set(float64(len(in.in)))
}

// pending is a batch on its way to InfluxDB with the acknowledgements of
// the messages whose readings it holds.
type pending struct {
	batch tsdb.Batch
	acks  []func()
}

// processLoop handles messages until ctx ends. A batch waits for the
// writer until wctx ends (the shutdown timeout); a batch given up then was
// never acknowledged, so the broker delivers its messages again.
func (in *Ingester) processLoop(ctx, wctx context.Context, out chan<- *pending) {
	defer close(out)
	cur := &pending{}
	flush := time.NewTimer(in.cfg.FlushInterval)
	flush.Stop()
	send := func() {
		if len(cur.acks) == 0 {
			return
		}
		select {
		case out <- cur:
			in.m.unacked.Add(float64(len(cur.acks)))
		case <-wctx.Done():
		}
		cur = &pending{}
	}
	for {
		select {
		case <-ctx.Done():
			send()
			return
		case d := <-in.in:
			in.m.queue.Set(float64(len(in.in)))
			first := len(cur.acks) == 0
			in.handle(d, cur)
			if cur.batch.Len() >= in.cfg.BatchSize {
				flush.Stop()
				send()
			} else if first && len(cur.acks) > 0 {
				flush.Reset(in.cfg.FlushInterval)
			}
		case <-flush.C:
			send()
		}
	}
}

func (in *Ingester) writeLoop(ctx context.Context, batches <-chan *pending) {
	for p := range batches {
		dropped, err := in.w.Write(ctx, &p.batch)
		if err != nil {
			// Only a shutdown that ran out of time gets here: the
			// messages stay unacknowledged and come again.
			in.log.Warn("stop before readings were stored; the broker will deliver them again",
				"messages", len(p.acks), "err", err)
			in.m.unacked.Sub(float64(len(p.acks)))
			continue
		}
		if dropped > 0 {
			in.m.rejected.WithLabelValues("influx_refused").Add(float64(dropped))
		}
		for _, ack := range p.acks {
			ack()
		}
		in.m.unacked.Sub(float64(len(p.acks)))
	}
}

// handle checks one message and adds its good readings to cur. A message
// without readings to store is acknowledged at once; one with readings is
// acknowledged with its batch.
func (in *Ingester) handle(d delivery, cur *pending) {
	topic, err := wire.ParseTopic(d.topic)
	if err != nil {
		in.reject(d, "", &wire.Err{Reason: wire.RejectBadTopic, Detail: err.Error()}, true)
		d.ack()
		return
	}
	if err := in.admitGateway(topic); err != nil {
		in.reject(d, topic.Kind, err, true)
		d.ack()
		return
	}
	if topic.Kind == wire.KindStatus {
		in.handleStatus(d, topic)
		d.ack()
		return
	}
	if in.handleTelemetry(d, topic, &cur.batch) {
		cur.acks = append(cur.acks, d.ack)
	} else {
		d.ack()
	}
}

func (in *Ingester) handleStatus(d delivery, topic wire.Topic) {
	s, err := wire.DecodeStatus(d.payload)
	if err != nil {
		in.reject(d, wire.KindStatus, err, true)
		return
	}
	in.m.messages.WithLabelValues(wire.KindStatus, "ok").Inc()
	in.updateGateway(topic, func(g *GatewayState) {
		g.Online = s.State == wire.StateOnline
		g.StatusAt = d.received
	})
	in.log.Info("gateway status", "enterprise", topic.Enterprise,
		"gateway", topic.Gateway, "state", s.State)
	if in.obs != nil {
		in.obs.ObserveStatus(topic, s, d.received)
	}
}

// handleTelemetry adds the message's good readings to b and reports
// whether it added any.
func (in *Ingester) handleTelemetry(d delivery, topic wire.Topic, b *tsdb.Batch) bool {
	t, err := wire.DecodeTelemetry(d.payload)
	if err != nil {
		in.reject(d, wire.KindTelemetry, err, true)
		return false
	}
	in.m.messages.WithLabelValues(wire.KindTelemetry, "ok").Inc()
	in.trackSequence(topic, &t, d.received)
	if !t.Replayed {
		in.m.lag.Observe(d.received.Sub(time.UnixMilli(t.Sent)).Seconds())
	}

	// Each reading stands alone: a bad one is rejected and counted, the
	// good ones beside it are kept.
	good := t.Readings[:0]
	for i := range t.Readings {
		r := &t.Readings[i]
		if err := in.checkReading(topic, r, d.received); err != nil {
			in.reject(d, wire.KindTelemetry, err, false)
			continue
		}
		good = append(good, *r)
		b.AddReading(topic.Enterprise, topic.Gateway, t.Seq, t.Replayed, r)
	}
	t.Readings = good
	in.m.readings.Add(float64(len(good)))
	if t.Replayed {
		in.m.replayed.Add(float64(len(good)))
	}
	if len(good) > 0 && in.obs != nil {
		in.obs.ObserveTelemetry(topic, &t, d.received)
	}
	return len(good) > 0
}

// admitGateway refuses messages of enterprises the registry does not
// know, and of gateways publishing for an enterprise not their own.
func (in *Ingester) admitGateway(t wire.Topic) error {
	if in.gate == nil {
		return nil
	}
	if !in.gate.EnterpriseKnown(t.Enterprise) {
		return &wire.Err{Reason: RejectUnknownEnterprise,
			Detail: "enterprise " + t.Enterprise + " is not in the registry"}
	}
	if !in.gate.GatewayAllowed(t.Enterprise, t.Gateway) {
		return &wire.Err{Reason: RejectGatewayNotAllowed,
			Detail: "gateway " + t.Gateway + " may not report for enterprise " + t.Enterprise}
	}
	return nil
}

func (in *Ingester) checkReading(topic wire.Topic, r *wire.Reading, now time.Time) error {
	if err := r.Check(); err != nil {
		return err
	}
	if in.gate != nil && !in.gate.PointKnown(topic.Enterprise, r.Point) {
		if in.cfg.UnknownPoints == "reject" {
			return &wire.Err{Reason: RejectUnknownPoint, Detail: "point " + r.Point + " is not in the registry"}
		}
		in.m.unregistered.Inc()
	}
	at := time.UnixMilli(r.Time)
	if at.After(now.Add(in.cfg.MaxFuture)) {
		return &wire.Err{Reason: "time_future", Detail: fmt.Sprintf(
			"point %s: sample time %s is more than %v ahead", r.Point, at.UTC().Format(time.RFC3339), in.cfg.MaxFuture)}
	}
	if at.Before(now.Add(-in.cfg.MaxPast)) {
		return &wire.Err{Reason: "time_past", Detail: fmt.Sprintf(
			"point %s: sample time %s is more than %v old", r.Point, at.UTC().Format(time.RFC3339), in.cfg.MaxPast)}
	}
	return nil
}

func (in *Ingester) trackSequence(topic wire.Topic, t *wire.Telemetry, now time.Time) {
	key := gatewayKey{topic.Enterprise, topic.Gateway}
	in.mu.Lock()
	s := in.seqs[key]
	if s == nil {
		s = &sequence{}
		in.seqs[key] = s
	}
	res, delta := s.observe(t.Epoch, t.Seq)
	missing, last := len(s.missing), s.next-1
	in.mu.Unlock()

	in.m.seqMissing.Add(float64(delta))
	switch res {
	case seqDuplicate:
		in.m.seqDup.Inc()
	case seqLate:
		in.m.seqLate.Inc()
	case seqGap:
		in.log.Warn("telemetry sequence gap", "enterprise", topic.Enterprise,
			"gateway", topic.Gateway, "seq", t.Seq, "missing", delta)
	}
	in.updateGateway(topic, func(g *GatewayState) {
		g.LastSeen, g.LastSeq, g.Missing = now, last, missing
	})
}

func (in *Ingester) updateGateway(topic wire.Topic, f func(*GatewayState)) {
	key := gatewayKey{topic.Enterprise, topic.Gateway}
	in.mu.Lock()
	defer in.mu.Unlock()
	g, ok := in.gateways[key]
	if !ok {
		g = GatewayState{Enterprise: topic.Enterprise, Gateway: topic.Gateway}
	}
	wasOnline := g.Online
	f(&g)
	in.gateways[key] = g
	switch {
	case g.Online && !wasOnline:
		in.m.gatewaysOn.Inc()
	case !g.Online && wasOnline:
		in.m.gatewaysOn.Dec()
	}
}

// reject counts and keeps one rejection: of a whole message, or of one
// reading whose message was otherwise accepted.
func (in *Ingester) reject(d delivery, kind string, err error, wholeMessage bool) {
	reason := wire.RejectReason(err)
	if reason == "" {
		reason = "other"
	}
	if kind != "" && wholeMessage {
		in.m.messages.WithLabelValues(kind, "rejected").Inc()
	}
	in.m.rejected.WithLabelValues(reason).Inc()
	in.rej.add(Rejection{Time: d.received, Topic: d.topic, Reason: reason,
		Detail: err.Error(), Payload: excerpt(d.payload)})
}

func excerpt(b []byte) string {
	const n = 512
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}
