package main

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/goburrow/modbus"

	"github.com/hazardwatch/hazardwatch/internal/sim"
)

// TestRunServesTheDemo runs hw-sim on the demo scenario on a free port,
// reads a tank level with a real client and stops it with its context.
func TestRunServesTheDemo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	servers := make(chan *sim.Server, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{
			"-config", "../../configs/sim-tankfarm.yaml",
			"-listen", "127.0.0.1:0",
		}, io.Discard, logger, func(s *sim.Server) { servers <- s })
	}()

	var srv *sim.Server
	select {
	case srv = <-servers:
	case err := <-done:
		t.Fatalf("run ended before serving: %v", err)
	}

	h := modbus.NewTCPClientHandler(srv.Addr())
	h.SlaveId = 1
	h.Timeout = 5 * time.Second
	defer h.Close()
	b, err := modbus.NewClient(h).ReadHoldingRegisters(0, 2)
	if err != nil {
		t.Fatalf("read T1-LT-01: %v", err)
	}
	level := math.Float32frombits(binary.BigEndian.Uint32(b))
	if level < 7 || level > 9.5 {
		t.Errorf("T1-LT-01 = %v m, want about 8.2", level)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"-bogus"}},
		{"missing config", []string{"-config", "no-such.yaml"}},
		{"bad listen", []string{
			"-config", "../../configs/sim-tankfarm.yaml", "-listen", "nowhere",
		}},
	}
	for _, tt := range tests {
		err := run(context.Background(), tt.args, io.Discard, logger, nil)
		if err == nil {
			t.Errorf("%s: run succeeded", tt.name)
		}
	}
}
