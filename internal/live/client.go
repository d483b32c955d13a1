package live

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Timing of the websocket keep-alive.
const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
)

// Filter selects the events a client wants. Empty fields accept all.
type Filter struct {
	Districts   []string
	Enterprises []string
	Kinds       []string
	MinLevel    int
	// Points are the points (as "enterprise/point") whose live values the
	// client watches; live values of other points are not sent, and none
	// at all when Points is empty.
	Points []string
}

func (f *Filter) accepts(e *Event) bool {
	switch {
	case len(f.Kinds) > 0 && !slices.Contains(f.Kinds, e.Kind):
		return false
	case len(f.Districts) > 0 && !slices.Contains(f.Districts, e.District):
		return false
	case len(f.Enterprises) > 0 && !slices.Contains(f.Enterprises, e.Enterprise):
		return false
	case f.MinLevel > 0 && e.Kind == KindAlarm && e.Level < f.MinLevel:
		return false
	case e.Kind == KindValue && !slices.Contains(f.Points, e.Point):
		return false
	}
	return true
}

// ParseFilter reads a filter from query parameters: district, enterprise,
// kind and point ("enterprise/point", the watched points' live values),
// each comma-separated or repeated, and min_level.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Districts: list(q["district"]), Enterprises: list(q["enterprise"]),
		Kinds: list(q["kind"]), Points: list(q["point"])}
	if len(f.Points) > 100 {
		return f, fmt.Errorf("point: %d watched points, at most 100", len(f.Points))
	}
	for _, k := range f.Kinds {
		switch k {
		case KindAlarm, KindHazard, KindGateway, KindValue:
		default:
			return f, fmt.Errorf("kind %q: want alarm, hazard, gateway or value", k)
		}
	}
	if s := q.Get("min_level"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 2 {
			return f, fmt.Errorf("min_level %q: want 1 or 2", s)
		}
		f.MinLevel = n
	}
	return f, nil
}

func list(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// client is one websocket connection.
type client struct {
	filter Filter
	queue  chan Event
}

// Server serves the hub over websockets.
type Server struct {
	Hub *Hub
	// QueueSize is each client's queue length.
	QueueSize int
	// CheckOrigin decides whether a browser page from an origin may
	// connect; nil allows only the same host as the request.
	CheckOrigin func(r *http.Request) bool
	// Scope narrows a request's filter to what its user may see, after
	// authentication; nil leaves the filter as asked.
	Scope func(r *http.Request, f Filter) (Filter, error)
	// Subprotocols the server speaks; a browser that offers protocols
	// drops the connection unless the server picks one of them.
	Subprotocols []string
	Log          *slog.Logger
}

// ServeHTTP upgrades the request to a websocket and streams events. The
// query selects them (see ParseFilter); last_event_id resumes after an
// event already seen.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, err := ParseFilter(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if s.Scope != nil {
		if f, err = s.Scope(r, f); err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
	}
	var last uint64
	if v := r.URL.Query().Get("last_event_id"); v != "" {
		if last, err = strconv.ParseUint(v, 10, 64); err != nil {
			http.Error(w, "last_event_id: not a number", http.StatusBadRequest)
			return
		}
	}
	up := websocket.Upgrader{CheckOrigin: s.CheckOrigin, Subprotocols: s.Subprotocols}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered the client
	}
	c := &client{filter: f, queue: make(chan Event, max(s.QueueSize, 16))}
	missed, gap, ok := s.Hub.subscribe(c, last)
	if !ok {
		closeConn(conn, websocket.CloseGoingAway, "server shutting down")
		return
	}
	go s.readLoop(conn, c)
	s.writeLoop(conn, c, missed, gap)
}

// readLoop reads (and discards) what the client sends, so that pongs and
// close frames are processed, and unsubscribes when the connection ends.
func (s *Server) readLoop(conn *websocket.Conn, c *client) {
	defer s.Hub.unsubscribe(c)
	conn.SetReadLimit(4096)
	_ = conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error {
		return conn.SetReadDeadline(time.Now().Add(pongWait))
	})
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return
		}
	}
}

// hello is the first frame: the id the client resumes from and whether
// events were lost, in which case it should reload its state.
type hello struct {
	Kind   string `json:"kind"`
	LastID uint64 `json:"last_id"`
	Gap    bool   `json:"gap"`
}

func (s *Server) writeLoop(conn *websocket.Conn, c *client, missed []Event, gap bool) {
	defer conn.Close()
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	if !s.send(conn, hello{Kind: "hello", LastID: s.Hub.LastID(), Gap: gap}) {
		return
	}
	for _, e := range missed {
		if !s.send(conn, e) {
			return
		}
	}
	for {
		select {
		case e, ok := <-c.queue:
			if !ok {
				closeConn(conn, websocket.CloseGoingAway, "reconnect with last_event_id")
				return
			}
			if !s.send(conn, e) {
				return
			}
		case <-ping.C:
			_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

func (s *Server) send(conn *websocket.Conn, v any) bool {
	_ = conn.SetWriteDeadline(time.Now().Add(writeWait))
	return conn.WriteJSON(v) == nil
}

func closeConn(conn *websocket.Conn, code int, text string) {
	msg := websocket.FormatCloseMessage(code, text)
	_ = conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	conn.Close()
}
