// Package publish sends the edge agent's buffered telemetry to the broker
// with MQTT QoS 1 and removes it from the disk queue only once the broker
// acknowledged it.
//
// After a reconnect two streams run side by side. Records appended while
// the link was down (the backlog) are replayed oldest first, marked as
// replayed, at a paced rate; records appended since the link came up are
// live and go out at once. So a long outage does not hold today's
// readings back behind yesterday's, and the center never takes a
// replayed value for a live one.
package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/edge/queue"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Queue is the disk queue the publisher drains; *queue.Queue is the real
// one.
type Queue interface {
	Epoch() int64
	Acked() uint64
	Last() uint64
	ReadFrom(index uint64, maxRecords, maxBytes int) ([]queue.Entry, error)
	Ack(index uint64) error
}

// Config tunes the publisher.
type Config struct {
	// Inflight is the most messages awaiting the broker's PUBACK.
	Inflight int `yaml:"inflight"`
	// ReplayRate is the most backlog messages sent per second after an
	// outage; live messages are not counted against it.
	ReplayRate float64 `yaml:"replay_rate"`
	// AckTimeout is how long to wait for a PUBACK before the connection is
	// taken as broken and the unacknowledged messages are sent again.
	AckTimeout time.Duration `yaml:"ack_timeout"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{Inflight: 64, ReplayRate: 500, AckTimeout: 30 * time.Second}
}

// Validate names the key at fault.
func (c Config) Validate() error {
	switch {
	case c.Inflight < 1 || c.Inflight > 65535:
		return fmt.Errorf("publish.inflight: %d, want 1 to 65535", c.Inflight)
	case c.ReplayRate <= 0:
		return errors.New("publish.replay_rate: must be positive")
	case c.AckTimeout < time.Second:
		return errors.New("publish.ack_timeout: want at least 1s")
	}
	return nil
}

// Publisher drains a queue into the broker.
type Publisher struct {
	cfg    Config
	q      Queue
	client mqtt.Client
	topic  string
	log    *slog.Logger
	m      *metrics
	now    func() time.Time
	// conn is closed and replaced on every new connection, so a session
	// waiting on it learns that the connection it used is gone.
	conn atomic.Pointer[chan struct{}]
	// wake is signalled when records were appended.
	wake chan struct{}
}

// New returns a publisher for the telemetry topic of one gateway. Call
// OnConnect from the MQTT client's connect handler and Run to start.
func New(cfg Config, q Queue, client mqtt.Client, enterprise, gateway string,
	log *slog.Logger, reg prometheus.Registerer) (*Publisher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Publisher{cfg: cfg, q: q, client: client, log: log,
		topic: wire.TelemetryTopic(enterprise, gateway),
		m:     newMetrics(reg), now: time.Now, wake: make(chan struct{}, 1)}
	ch := make(chan struct{})
	p.conn.Store(&ch)
	return p, nil
}

// OnConnect tells the publisher that a connection came up: the current
// session ends and a new one starts, with a new boundary between backlog
// and live records.
func (p *Publisher) OnConnect() {
	ch := make(chan struct{})
	old := p.conn.Swap(&ch)
	close(*old)
}

// Notify tells the publisher that records were appended. It never blocks.
func (p *Publisher) Notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run publishes until ctx ends.
func (p *Publisher) Run(ctx context.Context) error {
	for {
		conn := *p.conn.Load()
		if p.client.IsConnectionOpen() {
			err := p.session(ctx, conn)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				p.log.Warn("publish session ended", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-conn:
		case <-time.After(time.Second):
		}
	}
}

// stream is one ordered run of records being published.
type stream struct {
	next    uint64   // the next index to read
	pending []uint64 // published, in order, not yet acknowledged
	acked   map[uint64]bool
}

func (s *stream) ackFront() (uint64, bool) {
	var last uint64
	popped := false
	for len(s.pending) > 0 && s.acked[s.pending[0]] {
		last = s.pending[0]
		delete(s.acked, last)
		s.pending = s.pending[1:]
		popped = true
	}
	return last, popped
}

type result struct {
	index uint64
	err   error
}

// session publishes over one connection until it breaks or ctx ends. The
// pace ticker also catches records whose Notify was missed.
func (p *Publisher) session(ctx context.Context, conn <-chan struct{}) error {
	// Step 1: split the queue into the backlog (appended before this
	// connection) and live records.
	boundary := p.q.Last()
	back := &stream{next: p.q.Acked() + 1, acked: map[uint64]bool{}}
	live := &stream{next: boundary + 1, acked: map[uint64]bool{}}
	backDone := back.next > boundary
	results := make(chan result, p.cfg.Inflight)
	inflight := 0
	pace := time.NewTicker(p.replayTick())
	defer pace.Stop()
	budget := 0 // backlog messages allowed now

	for {
		// Step 2: publish what the window allows, live records first.
		n, err := p.publishFrom(live, 0, p.cfg.Inflight-inflight, false, results)
		if err != nil {
			return err
		}
		inflight += n
		if !backDone && budget > 0 && inflight < p.cfg.Inflight {
			n, err := p.publishFrom(back, boundary, min(budget, p.cfg.Inflight-inflight), true, results)
			if err != nil {
				return err
			}
			inflight += n
			budget -= n
			backDone = n == 0 && back.next > boundary
		}

		// Step 3: wait for an acknowledgement, new data, the pace or the
		// end of the connection.
		select {
		case <-ctx.Done():
			return nil
		case <-conn:
			return errors.New("reconnected")
		case r := <-results:
			inflight--
			if r.err != nil {
				return fmt.Errorf("publish seq %d: %w", r.index, r.err)
			}
			if err := p.acknowledge(r.index, r.index <= boundary, back, live, backDone); err != nil {
				return err
			}
		case <-p.wake:
		case <-pace.C:
			if !backDone {
				budget = max(1, int(p.cfg.ReplayRate/10))
			}
		}
		p.m.inflight.Set(float64(inflight))
	}
}

// replayTick is the pacing period: a tenth of a second, each tick
// allowing a tenth of the replay rate.
func (p *Publisher) replayTick() time.Duration { return 100 * time.Millisecond }

// publishFrom publishes up to room records of s. For the backlog, only
// records up to limit; for live records limit is 0 (no limit).
func (p *Publisher) publishFrom(s *stream, limit uint64, room int, replayed bool, results chan<- result) (int, error) {
	if room <= 0 {
		return 0, nil
	}
	entries, err := p.q.ReadFrom(s.next, room, 4<<20)
	if err != nil {
		return 0, fmt.Errorf("read queue: %w", err)
	}
	n := 0
	for _, e := range entries {
		if limit > 0 && e.Index > limit {
			s.next = limit + 1
			break
		}
		p.publish(e, replayed, results)
		s.pending = append(s.pending, e.Index)
		s.next = e.Index + 1
		n++
	}
	if limit > 0 && len(entries) == 0 {
		s.next = limit + 1
	}
	return n, nil
}

func (p *Publisher) publish(e queue.Entry, replayed bool, results chan<- result) {
	msg := wire.Telemetry{V: wire.Version, Epoch: p.q.Epoch(), Seq: e.Index,
		Sent: p.now().UnixMilli(), Replayed: replayed}
	payload := wire.AppendEnvelope(make([]byte, 0, len(e.Data)+96), &msg, e.Data)
	tok := p.client.Publish(p.topic, 1, false, payload)
	p.m.sent.WithLabelValues(kind(replayed)).Inc()
	p.m.bytes.Add(float64(len(payload)))
	go func() {
		var err error
		if !tok.WaitTimeout(p.cfg.AckTimeout) {
			err = errors.New("no PUBACK in time")
		} else {
			err = tok.Error()
		}
		results <- result{index: e.Index, err: err}
	}()
}

func kind(replayed bool) string {
	if replayed {
		return "replayed"
	}
	return "live"
}

// acknowledge records the broker's PUBACK and moves the queue's cursor
// past every record that is acknowledged with all records before it.
// Backlog records precede live ones, so live acknowledgements move the
// cursor only once the backlog is through.
func (p *Publisher) acknowledge(index uint64, backlog bool, back, live *stream, backDone bool) error {
	p.m.acked.Inc()
	s := live
	if backlog {
		s = back
	}
	s.acked[index] = true
	cursor, ok := back.ackFront()
	if backDone && len(back.pending) == 0 {
		if c, ok2 := live.ackFront(); ok2 {
			cursor, ok = c, true
		}
	}
	if !ok {
		return nil
	}
	if err := p.q.Ack(cursor); err != nil {
		return fmt.Errorf("ack queue to %d: %w", cursor, err)
	}
	return nil
}
