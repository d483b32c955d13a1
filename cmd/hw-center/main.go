// Command hw-center is the HazardWatch monitoring center: it takes
// telemetry from the MQTT broker, stores it in InfluxDB and serves the HTTP
// API, /healthz and Prometheus /metrics.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/hazardwatch/hazardwatch/internal/center"
)

func main() {
	path := flag.String("config", "configs/center.yaml", "config file")
	check := flag.Bool("check", false, "check the config file and exit")
	flag.Parse()
	if err := run(*path, *check); err != nil {
		fmt.Fprintln(os.Stderr, "hw-center:", err)
		os.Exit(1)
	}
}

func run(path string, check bool) error {
	cfg, err := center.LoadConfig(path)
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
	c, err := center.New(ctx, cfg, log)
	if err != nil {
		return err
	}

	// SIGHUP reloads the registry at once (systemctl reload); the center
	// also notices a changed file by itself within a second or two.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			if err := c.ReloadRegistry(); err == nil {
				log.Info("registry reloaded on SIGHUP")
			}
		}
	}()
	return c.Run(ctx)
}
