// Package live pushes the center's events to operators' browsers over
// websockets: alarm, hazard record and gateway events, and live values.
//
// Every event gets an id, increasing by one, and the hub keeps the latest
// events in a ring. A client that reconnects with the id of the last event
// it saw gets what it missed from the ring before live events resume. Each
// client has a bounded queue: when it fills, live values are shed first;
// if an event that is not a live value cannot be queued, the client is
// disconnected rather than silently denied it, and catches up on
// reconnect.
package live

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Kinds of events.
const (
	KindAlarm   = "alarm"
	KindHazard  = "hazard"
	KindGateway = "gateway"
	KindValue   = "value"
)

// Event is one message to clients.
type Event struct {
	ID         uint64    `json:"id"`
	Kind       string    `json:"kind"`
	Time       time.Time `json:"time"`
	District   string    `json:"district,omitempty"`
	Enterprise string    `json:"enterprise,omitempty"`
	Level      int       `json:"level,omitempty"`
	// Point is "enterprise/point" for live values, which clients watch by
	// point.
	Point string          `json:"point,omitempty"`
	Data  json.RawMessage `json:"data"`
}

// Hub fans events out to clients.
type Hub struct {
	mu      sync.Mutex
	nextID  uint64
	ring    []Event
	start   int // index of the oldest event in ring
	n       int
	clients map[*client]struct{}
	closed  bool
	m       *metrics
	// watched is the set of points whose live values some client
	// watches, rebuilt when clients come and go, read without a lock on
	// every reading.
	watched atomic.Pointer[map[string]bool]
}

// NewHub returns a hub that remembers the last keep events for clients
// that reconnect.
func NewHub(keep int, reg prometheus.Registerer) *Hub {
	// Ids start at the current time in microseconds, so that they grow
	// across restarts of the center: a client that resumes with an id
	// from before a restart is told of the gap (its events were in the
	// old process's ring) and reloads its state from the API. They stay
	// below 2^53, so browsers read them exactly.
	return &Hub{ring: make([]Event, keep), clients: map[*client]struct{}{},
		nextID: uint64(time.Now().UnixMicro()), m: newMetrics(reg)}
}

// Publish assigns the event its id and sends it to every client whose
// filter accepts it. It never blocks on a client.
func (h *Hub) Publish(e Event) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	e.ID = h.nextID
	h.nextID++
	if e.Kind != KindValue { // live values are not worth replaying
		h.remember(e)
	}
	h.m.events.WithLabelValues(e.Kind).Inc()
	for c := range h.clients {
		if c.filter.accepts(&e) {
			h.deliver(c, e)
		}
	}
	return e.ID
}

func (h *Hub) remember(e Event) {
	if len(h.ring) == 0 {
		return
	}
	if h.n < len(h.ring) {
		h.ring[(h.start+h.n)%len(h.ring)] = e
		h.n++
		return
	}
	h.ring[h.start] = e
	h.start = (h.start + 1) % len(h.ring)
}

// deliver queues e for c. The caller holds h.mu.
func (h *Hub) deliver(c *client, e Event) {
	select {
	case c.queue <- e:
		return
	default:
	}
	if e.Kind == KindValue {
		h.m.shed.Inc()
		return
	}
	// An event that matters did not fit: drop the client, which will
	// reconnect with its last id and get the event from the ring.
	h.m.kicked.Inc()
	h.drop(c)
}

// drop removes c; its writer sees the closed queue and ends the
// connection. The caller holds h.mu.
func (h *Hub) drop(c *client) {
	if _, ok := h.clients[c]; !ok {
		return
	}
	delete(h.clients, c)
	close(c.queue)
	h.m.clients.Set(float64(len(h.clients)))
	if len(c.filter.Points) > 0 {
		h.rewatch()
	}
}

// subscribe registers a client and returns the remembered events after
// lastID that its filter accepts, and whether events were lost from the
// ring since lastID (the client should then reload its state).
func (h *Hub) subscribe(c *client, lastID uint64) ([]Event, bool, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, false, false
	}
	var missed []Event
	gap := false
	if lastID > 0 {
		oldest := h.nextID
		if h.n > 0 {
			oldest = h.ring[h.start].ID
		}
		gap = lastID+1 < oldest
		for i := 0; i < h.n; i++ {
			e := h.ring[(h.start+i)%len(h.ring)]
			if e.ID > lastID && c.filter.accepts(&e) {
				missed = append(missed, e)
			}
		}
	}
	h.clients[c] = struct{}{}
	h.m.clients.Set(float64(len(h.clients)))
	if len(c.filter.Points) > 0 {
		h.rewatch()
	}
	return missed, gap, true
}

func (h *Hub) unsubscribe(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.drop(c)
}

// Close disconnects every client; they get a close frame saying the
// server is going away.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for c := range h.clients {
		h.drop(c)
	}
}

// Watched reports whether any client watches the live values of point
// ("enterprise/point"), so that publishers skip values nobody sees. It
// takes no lock: it is called for every reading.
func (h *Hub) Watched(point string) bool {
	w := h.watched.Load()
	return w != nil && (*w)[point]
}

// Watching reports whether any client watches any point's live values;
// when none does, publishers skip their readings without a look-up each.
func (h *Hub) Watching() bool {
	w := h.watched.Load()
	return w != nil && len(*w) > 0
}

// rewatch rebuilds the watched set. The caller holds h.mu.
func (h *Hub) rewatch() {
	w := map[string]bool{}
	for c := range h.clients {
		for _, p := range c.filter.Points {
			w[p] = true
		}
	}
	h.watched.Store(&w)
}

// LastID is the id of the latest event published (one below the first
// id before any).
func (h *Hub) LastID() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.nextID - 1
}

type metrics struct {
	events  *prometheus.CounterVec
	shed    prometheus.Counter
	kicked  prometheus.Counter
	clients prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hw_live_events_total", Help: "Events published to live clients, by kind.",
		}, []string{"kind"}),
		shed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_live_values_shed_total", Help: "Live values not sent to a slow client.",
		}),
		kicked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_live_slow_clients_dropped_total",
			Help: "Clients disconnected because an event other than a live value did not fit their queue; they catch up on reconnect.",
		}),
		clients: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_live_clients", Help: "Connected websocket clients.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.shed, m.kicked, m.clients)
	}
	return m
}
