// Command hw-load simulates many gateways publishing telemetry to a
// broker, to load the center. It prints what it sent as JSON; compare
// with the center's hw_ingest_readings_total and
// hw_tsdb_lines_written_total.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/hazardwatch/hazardwatch/internal/loadgen"
)

func main() {
	cfg := loadgen.DefaultConfig()
	flag.StringVar(&cfg.Broker, "broker", cfg.Broker, "MQTT broker URL")
	flag.StringVar(&cfg.Enterprise, "enterprise", cfg.Enterprise, "enterprise code prefix")
	flag.IntVar(&cfg.GatewaysPerEnterprise, "gateways-per-enterprise", cfg.GatewaysPerEnterprise, "gateways of one enterprise")
	flag.IntVar(&cfg.Gateways, "gateways", cfg.Gateways, "simulated gateways")
	flag.IntVar(&cfg.Points, "points", cfg.Points, "points per gateway (readings per message)")
	flag.DurationVar(&cfg.Interval, "interval", cfg.Interval, "time between two messages of a gateway")
	flag.DurationVar(&cfg.Duration, "duration", cfg.Duration, "how long to run")
	flag.IntVar(&cfg.Messages, "messages", 0, "messages per gateway (instead of -duration)")
	flag.IntVar(&cfg.CrossEvery, "cross-every", 0, "every n-th message puts P0000 at 60 (a gas level 2 crossing)")
	flag.IntVar(&cfg.HostilePerGood, "hostile", 0, "malformed messages per good one")
	flag.StringVar(&cfg.Username, "username", "", "MQTT username")
	flag.StringVar(&cfg.Password, "password", "", "MQTT password")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadgen.Run(ctx, cfg)
	out, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Println(string(out))
	if err != nil {
		fmt.Fprintln(os.Stderr, "hw-load:", err)
		os.Exit(1)
	}
}
