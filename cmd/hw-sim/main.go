// Command hw-sim is a Modbus TCP server that plays a scenario file: a
// stand-in PLC with gas detectors and tank instruments for the demo and
// for end-to-end tests. See docs/simulator.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/hazardwatch/hazardwatch/internal/sim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(),
		os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	err := run(ctx, os.Args[1:], os.Stderr, logger, nil)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		logger.Error("hw-sim failed", "err", err)
		os.Exit(1)
	}
}

// run serves the scenario named by args until ctx is done. ready, when not
// nil, is called with the running server; tests use it to find the port.
func run(ctx context.Context, args []string, usage io.Writer,
	logger *slog.Logger, ready func(*sim.Server)) error {
	flags := flag.NewFlagSet("hw-sim", flag.ContinueOnError)
	flags.SetOutput(usage)
	config := flags.String("config", "configs/sim-tankfarm.yaml",
		"scenario file")
	listen := flags.String("listen", "",
		"address to serve on, overriding the scenario's listen key")
	if err := flags.Parse(args); err != nil {
		return err
	}

	sc, err := sim.LoadScenario(*config)
	if err != nil {
		return err
	}
	srv, err := sim.Start(ctx, sc, *listen, sim.WithLogger(logger))
	if err != nil {
		return err
	}
	logTable(logger, sc, srv)
	if ready != nil {
		ready(srv)
	}

	<-ctx.Done()
	logger.Info("modbus simulator stopping")
	if err := srv.Close(); err != nil {
		return fmt.Errorf("close simulator: %w", err)
	}
	return nil
}

// logTable logs where the server listens and what it serves where.
func logTable(logger *slog.Logger, sc *sim.Scenario, srv *sim.Server) {
	logger.Info("modbus simulator listening", "addr", srv.Addr(),
		"unit_id", sc.UnitID, "strict", sc.Strict,
		"signals", len(sc.Signals), "start", srv.Start())
	for _, s := range sc.Signals {
		attrs := []any{
			"name", s.Name, "table", s.Table, "address", s.Address,
			"type", s.Type, "kind", s.Kind, "unit", s.Unit,
		}
		if s.Bit != nil {
			attrs = append(attrs, "bit", *s.Bit)
		} else if s.Type != sim.Bool {
			attrs = append(attrs, "byte_order", s.ByteOrder,
				"scale", s.Scale, "offset", s.Offset)
		}
		logger.Info("signal", attrs...)
	}
	for _, r := range sc.Illegal {
		logger.Info("illegal range", "table", r.Table,
			"address", r.Address, "count", r.Count)
	}
}
