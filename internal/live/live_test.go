package live

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func serve(t *testing.T, queue, keep int) (*Hub, *httptest.Server) {
	t.Helper()
	hub := NewHub(keep, prometheus.NewRegistry())
	srv := httptest.NewServer(&Server{Hub: hub, QueueSize: queue})
	t.Cleanup(func() { hub.Close(); srv.Close() })
	return hub, srv
}

func dial(t *testing.T, srv *httptest.Server, query string) *websocket.Conn {
	t.Helper()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/?" + query
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close() })
	var h hello
	if err := conn.ReadJSON(&h); err != nil || h.Kind != "hello" {
		t.Fatalf("hello: %+v, %v", h, err)
	}
	return conn
}

func alarm(i int, district string, level int) Event {
	return Event{Kind: KindAlarm, District: district, Level: level, Time: time.Unix(int64(i), 0),
		Data: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))}
}

func read(t *testing.T, conn *websocket.Conn) (Event, error) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var e Event
	err := conn.ReadJSON(&e)
	return e, err
}

func TestFilterByDistrictAndLevel(t *testing.T) {
	hub, srv := serve(t, 64, 100)
	conn := dial(t, srv, "district=吴中区&min_level=2&kind=alarm")
	waitClients(t, hub, 1)
	hub.Publish(alarm(1, "姑苏区", 2))
	hub.Publish(alarm(2, "吴中区", 1))
	hub.Publish(Event{Kind: KindGateway, District: "吴中区", Data: json.RawMessage(`{}`)})
	want := hub.Publish(alarm(3, "吴中区", 2))
	e, err := read(t, conn)
	if err != nil || e.ID != want {
		t.Fatalf("got %+v, %v; want only event %d", e, err, want)
	}
}

func TestBadFilterIsRefused(t *testing.T) {
	_, srv := serve(t, 64, 100)
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/?min_level=7"
	if _, resp, err := websocket.DefaultDialer.Dial(url, nil); err == nil || resp.StatusCode != 400 {
		t.Fatalf("dial with min_level=7: err %v", err)
	}
}

// A client that does not read loses its connection when an alarm does not
// fit its queue; reconnecting with the last id it saw, it gets every alarm
// it missed, in order. Its queue bounds what the server holds for it.
func TestSlowClientGetsEveryAlarmAfterReconnect(t *testing.T) {
	const queue, total = 16, 500
	hub, srv := serve(t, queue, 1000)
	conn := dial(t, srv, "kind=alarm")
	waitClients(t, hub, 1)
	for i := 1; i <= total; i++ {
		hub.Publish(alarm(i, "d", 2))
		hub.Publish(Event{Kind: KindValue, Data: json.RawMessage(`{}`)})
	}
	if testutil.ToFloat64(hub.m.kicked) != 1 {
		t.Fatalf("slow client not dropped: kicked=%v", testutil.ToFloat64(hub.m.kicked))
	}

	// Read what was queued before the drop, then the connection ends.
	var last uint64
	for {
		e, err := read(t, conn)
		if err != nil {
			break
		}
		last = e.ID
	}
	if last == 0 {
		t.Fatal("read nothing before the drop")
	}
	conn2 := dial(t, srv, fmt.Sprintf("kind=alarm&last_event_id=%d", last))
	got := 0
	for n := 1; ; n++ {
		e, err := read(t, conn2)
		if err != nil {
			t.Fatalf("after reconnect: %v", err)
		}
		var d struct{ N int }
		_ = json.Unmarshal(e.Data, &d)
		if e.ID <= last || d.N == 0 {
			t.Fatalf("event %d out of order after %d", e.ID, last)
		}
		last = e.ID
		got = d.N
		if got == total {
			break
		}
	}
}

func TestSlowClientShedsValuesButStays(t *testing.T) {
	hub, srv := serve(t, 16, 100)
	conn := dial(t, srv, "kind=value&point=E1/GT-101")
	waitClients(t, hub, 1)
	for range 1000 {
		hub.Publish(Event{Kind: KindValue, Point: "E1/GT-101", Data: json.RawMessage(`{}`)})
	}
	if testutil.ToFloat64(hub.m.shed) == 0 || testutil.ToFloat64(hub.m.kicked) != 0 {
		t.Fatalf("shed=%v kicked=%v", testutil.ToFloat64(hub.m.shed), testutil.ToFloat64(hub.m.kicked))
	}
	if _, err := read(t, conn); err != nil {
		t.Fatalf("client lost: %v", err)
	}
}

func TestCloseSendsGoingAway(t *testing.T) {
	hub, srv := serve(t, 16, 100)
	conn := dial(t, srv, "")
	waitClients(t, hub, 1)
	hub.Close()
	_, err := read(t, conn)
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("read after Close: %v", err)
	}
}

func waitClients(t *testing.T, hub *Hub, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for testutil.ToFloat64(hub.m.clients) != float64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("clients = %v, want %d", testutil.ToFloat64(hub.m.clients), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A client that stops reading costs the server no more than its queue,
// however many events are published meanwhile.
func TestSlowClientMemoryIsBounded(t *testing.T) {
	hub, srv := serve(t, 64, 100)
	_ = dial(t, srv, "kind=value&point=E1/GT-101") // never read again
	waitClients(t, hub, 1)
	payload := json.RawMessage(`{"point":"GT-101","value":12.5,"padding":"` + strings.Repeat("x", 200) + `"}`)
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	for range 200_000 { // about 50 MB of events
		hub.Publish(Event{Kind: KindValue, Point: "E1/GT-101", Data: payload})
	}
	if grown := int64(heap()) - int64(before); grown > 8<<20 {
		t.Fatalf("heap grew by %d bytes for a client that does not read", grown)
	}
	if testutil.ToFloat64(hub.m.shed) < 190_000 {
		t.Fatalf("only %v values shed", testutil.ToFloat64(hub.m.shed))
	}
}

// Live values go only to the clients watching their point.
func TestValuesOnlyForWatchedPoints(t *testing.T) {
	hub, srv := serve(t, 64, 100)
	if hub.Watching() {
		t.Fatal("a hub without clients watches points")
	}
	conn := dial(t, srv, "point=E1/GT-102")
	waitClients(t, hub, 1)
	if !hub.Watching() || hub.Watched("E1/GT-101") || !hub.Watched("E1/GT-102") {
		t.Fatal("Watched disagrees with the client's filter")
	}
	hub.Publish(Event{Kind: KindValue, Point: "E1/GT-101", Data: json.RawMessage(`{}`)})
	want := hub.Publish(Event{Kind: KindValue, Point: "E1/GT-102", Data: json.RawMessage(`{}`)})
	if e, err := read(t, conn); err != nil || e.ID != want {
		t.Fatalf("got %+v, %v; want only the watched point's value %d", e, err, want)
	}
}

// A client resuming with an id from before a restart of the center is
// told that it missed events, so that it reloads its lists.
func TestResumeAcrossRestartReportsGap(t *testing.T) {
	old, _ := serve(t, 16, 100)
	last := old.Publish(alarm(1, "d", 2))
	time.Sleep(2 * time.Microsecond) // the new process starts later
	_, srv := serve(t, 16, 100)
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + fmt.Sprintf("/?last_event_id=%d", last)
	conn, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var h hello
	if err := conn.ReadJSON(&h); err != nil || !h.Gap {
		t.Fatalf("hello after a restart = %+v, %v; want gap", h, err)
	}
}
