// Command hw-provision makes the broker's security files and each
// gateway's credentials from the center's registry:
//
//	hw-provision -registry configs/registry-tankfarm.yaml -out provisioned \
//	    -broker-url ssl://broker.example.org:8883 [-center-user hw-center] \
//	    [-edge-ca-file /etc/hw-edge/ca.pem] [-rotate]
//
// It writes a Mosquitto password file and ACL, and per gateway a
// credentials file and an hw-edge config skeleton (see package
// internal/provision for the layout). A re-run keeps the passwords it made
// before unless -rotate is given. Passwords are never printed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/hazardwatch/hazardwatch/internal/provision"
)

// errUsage marks a command line that makes no sense; the flag package
// has printed why.
var errUsage = errors.New("usage")

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "hw-provision:", err)
		os.Exit(1)
	}
}

// run parses the command line, provisions and prints a summary.
func run(args []string, stdout, stderr io.Writer) error {
	o := provision.DefaultOptions()
	fs := flag.NewFlagSet("hw-provision", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Registry, "registry", o.Registry, "the center's registry file")
	fs.StringVar(&o.Out, "out", o.Out, "output folder")
	fs.StringVar(&o.BrokerURL, "broker-url", o.BrokerURL, "the broker as gateways reach it (ssl://host:8883)")
	fs.StringVar(&o.CenterUser, "center-user", o.CenterUser, "the center's broker user")
	fs.StringVar(&o.EdgeCAFile, "edge-ca-file", o.EdgeCAFile, "path of the broker's CA certificate on a gateway")
	fs.BoolVar(&o.Rotate, "rotate", false, "give every user a new password")
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hw-provision: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}

	log := slog.New(slog.NewTextHandler(stderr, nil))
	res, err := provision.Run(o, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "provisioned %d gateways and the center user %s in %s (%d new passwords)\n",
		len(res.Gateways), o.CenterUser, o.Out, res.NewPasswords)
	fmt.Fprintf(stdout, "broker files: %s, %s\n",
		filepath.Join(o.Out, "mosquitto", "passwd"), filepath.Join(o.Out, "mosquitto", "acl"))
	if n := len(res.Unprovisioned); n > 0 {
		fmt.Fprintf(stdout, "%d enterprises list no gateways and were not provisioned\n", n)
	}
	return nil
}
