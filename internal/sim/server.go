package sim

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/simonvetter/modbus"
)

// maxClients is how many TCP connections the server takes at once; the
// library's default of 10 is too few for a test that opens a client per
// subtest alongside a running edge agent.
const maxClients = 64

// Server is a running Modbus TCP simulator.
type Server struct {
	mb    *modbus.ModbusServer
	addr  string
	start time.Time
	log   *slog.Logger

	closeOnce sync.Once
	closeErr  error
	done      chan struct{}
}

// Option changes how Start runs a server.
type Option func(*options)

type options struct {
	now func() time.Time
	log *slog.Logger
}

// WithClock makes the server read time from now instead of time.Now, so
// that a test can freeze or step it. now must be safe for concurrent use.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithLogger sets the logger; by default the server logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.log = l }
}

// Start serves sc over Modbus TCP on addr, or on the scenario's listen
// address when addr is empty. Port 0 picks a free port; Addr tells which.
// The server stops when ctx is done or Close is called.
//
// Unless the scenario names its own start, time zero is the clock's reading
// now, and ValueAt on sc counts from it from here on.
func Start(ctx context.Context, sc *Scenario, addr string, opts ...Option) (*Server, error) {
	o := options{now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	if sc.tables == nil {
		return nil, errors.New("start simulator: scenario not validated")
	}
	if addr == "" {
		addr = sc.Listen
	}

	h := &handler{sc: sc, now: o.now, log: o.log}
	h.origin = sc.begin(o.now())
	mb, bound, err := listen(addr, h, o.log)
	if err != nil {
		return nil, fmt.Errorf("start simulator on %s: %w", addr, err)
	}

	s := &Server{
		mb: mb, addr: bound, start: h.origin, log: o.log,
		done: make(chan struct{}),
	}
	go s.closeWhenDone(ctx)
	return s, nil
}

// Addr returns the address the server listens on, with the real port.
func (s *Server) Addr() string { return s.addr }

// Start returns time zero of the server's waveforms.
func (s *Server) Start() time.Time { return s.start }

// Close stops accepting connections and drops the open ones. It is safe to
// call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		if err := s.mb.Stop(); err != nil {
			s.closeErr = fmt.Errorf("stop simulator on %s: %w", s.addr, err)
		}
	})
	return s.closeErr
}

func (s *Server) closeWhenDone(ctx context.Context) {
	select {
	case <-ctx.Done():
		if err := s.Close(); err != nil {
			s.log.Warn("simulator close failed", "err", err)
		}
	case <-s.done:
	}
}

// listen starts the library's server on addr.
//
// The library binds its listener itself and keeps it private, so it cannot
// tell which port the kernel chose for port 0. For port 0 we therefore find
// a free port by listening and closing, and hand that port to the library.
// Another process may take the port in between; then we try another.
func listen(addr string, h modbus.RequestHandler,
	l *slog.Logger) (*modbus.ModbusServer, string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, "", fmt.Errorf("parse address: %w", err)
	}
	attempts := 1
	if port == "0" {
		attempts = 5
	}

	for range attempts {
		bound := addr
		if port == "0" {
			if bound, err = freePort(host); err != nil {
				return nil, "", err
			}
		}
		mb, err := modbus.NewServer(&modbus.ServerConfiguration{
			URL:        "tcp://" + bound,
			MaxClients: maxClients,
			Logger:     log.New(libraryLog{l}, "", 0),
		}, h)
		if err != nil {
			return nil, "", fmt.Errorf("configure modbus server: %w", err)
		}
		err = mb.Start()
		if err == nil {
			return mb, bound, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, "", fmt.Errorf("listen: %w", err)
		}
	}
	return nil, "", fmt.Errorf("listen: no free port after %d tries", attempts)
}

// freePort returns host joined with a port that was free a moment ago.
func freePort(host string) (string, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	return addr, nil
}

// libraryLog turns the modbus library's printf lines, which carry their
// level as "[info]", "[warn]" or "[error]", into slog records. Its info
// lines are per connection, so they go to debug.
type libraryLog struct{ log *slog.Logger }

func (w libraryLog) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	level := slog.LevelDebug
	switch {
	case strings.Contains(msg, "[error]"):
		level = slog.LevelError
	case strings.Contains(msg, "[warn]"):
		level = slog.LevelWarn
	}
	w.log.Log(context.Background(), level, "modbus library", "detail", msg)
	return len(p), nil
}
