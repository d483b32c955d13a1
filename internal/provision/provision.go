// Package provision turns the center's registry into the broker's
// security files and each gateway's credentials: a Mosquitto password
// file, an ACL that confines every gateway to its own topics, and per
// gateway a credentials file and an edge config skeleton. cmd/hw-provision
// is its command line.
//
// The output folder is the source of truth for passwords: a re-run reads
// the credentials files written before and keeps their passwords (and the
// password file's hashes of them), unless told to rotate. Layout:
//
//	OUT/mosquitto/passwd                  user:$7$... hashes
//	OUT/mosquitto/acl                     topic rules per user
//	OUT/center/credentials.yaml           the center's user and password
//	OUT/gateways/ENT/GW/credentials.yaml  a gateway's user and password
//	OUT/gateways/ENT/GW/edge.yaml         its hw-edge config skeleton
//
// Files holding a password or a hash are written 0600, folders 0700.
package provision

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/hazardwatch/hazardwatch/internal/registry"
)

// Options says what to provision.
type Options struct {
	// Registry is the center's registry file.
	Registry string
	// Out is the output folder; it is created if missing.
	Out string
	// BrokerURL is the broker as gateways reach it: ssl://host:8883.
	BrokerURL string
	// CenterUser is the center's broker user.
	CenterUser string
	// EdgeCAFile is where the broker's CA certificate lies on a gateway;
	// the edge config skeletons point there.
	EdgeCAFile string
	// Rotate gives every user a new password.
	Rotate bool
}

// DefaultOptions returns the defaults of the command line.
func DefaultOptions() Options {
	return Options{
		Registry:   "configs/registry-tankfarm.yaml",
		Out:        "provisioned",
		BrokerURL:  "ssl://broker.example.org:8883",
		CenterUser: "hw-center",
		EdgeCAFile: "/etc/hw-edge/ca.pem",
	}
}

// Validate checks the options and names the flag at fault.
func (o Options) Validate() error {
	u, err := url.Parse(o.BrokerURL)
	switch {
	case o.Registry == "":
		return errors.New("-registry: empty")
	case o.Out == "":
		return errors.New("-out: empty")
	case err != nil || u.Host == "":
		return fmt.Errorf("-broker-url: %q is not a URL such as ssl://host:8883", o.BrokerURL)
	case u.Scheme != "ssl" && u.Scheme != "tls" && u.Scheme != "mqtts":
		return fmt.Errorf("-broker-url: scheme %q, want ssl: passwords must not cross the network in clear", u.Scheme)
	case o.CenterUser == "" || strings.ContainsAny(o.CenterUser, ": \t\n"):
		return fmt.Errorf("-center-user: %q, want a name without ':' or spaces", o.CenterUser)
	case o.EdgeCAFile == "":
		return errors.New("-edge-ca-file: empty")
	}
	return nil
}

// Result is what a run did.
type Result struct {
	// Gateways are the provisioned gateways, sorted by user name.
	Gateways []Gateway
	// Unprovisioned are enterprises that list no gateways: the registry
	// accepts any gateway id for them, so no user can be made.
	Unprovisioned []string
	// Removed are gateway folders left from an earlier run whose gateway
	// the registry no longer lists; their users are gone from the
	// password file.
	Removed []string
	// NewPasswords counts users that got a new password (new users, or
	// all of them on Rotate).
	NewPasswords int
}

// Run provisions from the registry into the output folder. Warnings
// (enterprises that cannot be provisioned, removed gateways) go to log;
// no password is ever logged.
func Run(o Options, log *slog.Logger) (Result, error) {
	var res Result
	if err := o.Validate(); err != nil {
		return res, err
	}
	reg, err := registry.Load(o.Registry)
	if err != nil {
		return res, fmt.Errorf("load registry: %w", err)
	}
	res.Gateways, res.Unprovisioned, err = Gateways(reg, o.CenterUser)
	if err != nil {
		return res, fmt.Errorf("registry %s: %w", o.Registry, err)
	}
	for _, code := range res.Unprovisioned {
		log.Warn("enterprise lists no gateways; cannot provision it",
			"enterprise", code, "fix", "list its gateway ids under gateways: in the registry")
	}

	// Passwords: kept from the credentials files unless rotating.
	w := writer{out: o.Out, rotate: o.Rotate}
	if err := w.loadPasswordFile(); err != nil {
		return res, err
	}
	if _, err := w.credentials(filepath.Join("center", "credentials.yaml"), o.CenterUser); err != nil {
		return res, err
	}
	for _, g := range res.Gateways {
		dir := filepath.Join("gateways", g.Enterprise, g.ID)
		pw, err := w.credentials(filepath.Join(dir, "credentials.yaml"), g.Username())
		if err != nil {
			return res, err
		}
		edge := EdgeConfig(g, o.BrokerURL, o.EdgeCAFile, pw)
		if err := writeFile(filepath.Join(o.Out, dir, "edge.yaml"), edge, 0o600); err != nil {
			return res, err
		}
	}

	// The broker's files: every user of this run, and only those.
	if err := w.writeBrokerFiles(o.CenterUser, res.Gateways); err != nil {
		return res, err
	}
	res.NewPasswords = w.created
	res.Removed, err = staleGateways(o.Out, res.Gateways)
	if err != nil {
		return res, err
	}
	for _, dir := range res.Removed {
		log.Warn("gateway no longer in the registry; its broker user is removed",
			"folder", dir)
	}
	return res, nil
}

// staleGateways lists gateway folders under out that gws does not hold.
func staleGateways(out string, gws []Gateway) ([]string, error) {
	want := map[string]bool{}
	for _, g := range gws {
		want[filepath.Join(g.Enterprise, g.ID)] = true
	}
	root := filepath.Join(out, "gateways")
	dirs, err := filepath.Glob(filepath.Join(root, "*", "*"))
	if err != nil {
		return nil, fmt.Errorf("list gateway folders: %w", err)
	}
	var stale []string
	for _, d := range dirs {
		rel, err := filepath.Rel(root, d)
		if err != nil {
			return nil, fmt.Errorf("list gateway folders: %w", err)
		}
		if !want[rel] {
			stale = append(stale, d)
		}
	}
	return stale, nil
}
