// Command hw-edge is the HazardWatch edge agent: it polls Modbus devices,
// keeps every reading in a disk buffer and publishes them to the broker.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/hazardwatch/hazardwatch/edge/agent"
)

func main() {
	path := flag.String("config", "configs/edge.yaml", "config file")
	check := flag.Bool("check", false, "check the config file and exit")
	flag.Parse()
	if err := run(*path, *check); err != nil {
		fmt.Fprintln(os.Stderr, "hw-edge:", err)
		os.Exit(1)
	}
}

func run(path string, check bool) error {
	cfg, err := agent.LoadConfig(path)
	if err != nil {
		return err
	}
	if check {
		fmt.Println("config ok")
		return nil
	}
	log, err := cfg.Log.New(os.Stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := agent.New(cfg, log)
	if err != nil {
		return err
	}
	return a.Run(ctx)
}
