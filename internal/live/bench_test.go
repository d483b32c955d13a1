package live

import (
	"encoding/json"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkFanout1000 connects 1,000 websocket clients over loopback and
// measures, for each alarm event published, the time until the last
// client has read it: p50 and p99 over the events.
func BenchmarkFanout1000(b *testing.B) {
	const clients = 1000
	hub := NewHub(1000, prometheus.NewRegistry())
	srv := httptest.NewServer(&Server{Hub: hub, QueueSize: 256})
	defer srv.Close()
	defer hub.Close()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/?kind=alarm"

	// Every client reads events and reports when it got each one.
	got := make(chan int, clients*16)
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		conn, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			b.Fatalf("client %d: %v", i, err)
		}
		defer conn.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				var e Event
				if err := conn.ReadJSON(&e); err != nil {
					return
				}
				if e.Kind == KindAlarm {
					got <- int(e.Level)
				}
			}
		}()
	}
	for int(testutilClients(hub)) < clients {
		time.Sleep(10 * time.Millisecond)
	}
	var lat []time.Duration
	data := json.RawMessage(`{"point":"GT-102","condition":"high_high","level":2}`)
	for b.Loop() {
		start := time.Now()
		hub.Publish(Event{Kind: KindAlarm, Level: 2, Data: data})
		for range clients {
			<-got
		}
		lat = append(lat, time.Since(start))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "last-client-p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "last-client-p99-ms")
	// Server and clients share this process, so this is both sides.
	b.ReportMetric(float64(ms.HeapAlloc)/float64(clients)/1024, "heap-KiB/client")
}

func testutilClients(h *Hub) float64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return float64(len(h.clients))
}
