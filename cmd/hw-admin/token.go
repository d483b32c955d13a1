package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
)

// env is what a command needs from main.
type env struct {
	config         string
	stdout, stderr io.Writer
}

var tokenCommands = map[string]func(env, []string) error{
	"create": createToken,
	"list":   listTokens,
	"revoke": revokeToken,
}

// openTokens opens the center's database and its token store; the
// caller closes the database.
func openTokens(e env) (*store.DB, *auth.Store, error) {
	cfg, err := loadStoreConfig(e.config)
	if err != nil {
		return nil, nil, err
	}
	// Warnings only: a migration applied on the way is not news here.
	log := slog.New(slog.NewTextHandler(e.stderr,
		&slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, cfg, log)
	if err != nil {
		return nil, nil, err
	}
	return db, auth.NewStore(db, auth.Options{Logger: log}), nil
}

// withTokens runs fn on the token store and closes the database after.
func withTokens(e env, fn func(context.Context, *auth.Store) error) error {
	db, s, err := openTokens(e)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return errors.Join(fn(ctx, s), db.Close())
}

func createToken(e env, args []string) error {
	var p auth.Principal
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&p.Name, "name", "", "who the token is for (recorded as the actor)")
	role := fs.String("role", "", "city_admin, city_operator, district_operator, department or enterprise")
	fs.StringVar(&p.District, "district", "", "district of a district_operator")
	fs.StringVar(&p.Unit, "unit", "", "unit of a department")
	fs.StringVar(&p.Enterprise, "enterprise", "", "enterprise code of an enterprise user")
	expires := fs.Duration("expires", 720*time.Hour, "lifetime; 0 never expires")
	if err := parse(fs, args); err != nil {
		return err
	}
	p.Role = hazard.Role(*role)
	return withTokens(e, func(ctx context.Context, s *auth.Store) error {
		tok, err := s.Create(ctx, p, *expires)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, tok)
		fmt.Fprintf(e.stderr, "token for %s (%s) created; it is shown only "+
			"this once, store it now\n", p.Name, p.Role)
		return nil
	})
}

func revokeToken(e env, args []string) error {
	fs := flag.NewFlagSet("token revoke", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	id := fs.Int64("id", 0, "id of the token (see token list)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id <= 0 {
		fmt.Fprintln(e.stderr, "token revoke: -id required")
		return errUsage
	}
	return withTokens(e, func(ctx context.Context, s *auth.Store) error {
		if err := s.Revoke(ctx, *id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "token %d revoked\n", *id)
		return nil
	})
}

func listTokens(e env, args []string) error {
	fs := flag.NewFlagSet("token list", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withTokens(e, func(ctx context.Context, s *auth.Store) error {
		list, err := s.List(ctx)
		if err != nil {
			return err
		}
		return printTokens(e.stdout, list, time.Now())
	})
}

// parse parses a command's flags; stray arguments are a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}

func printTokens(w io.Writer, list []auth.Token, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tSCOPE\tCREATED\tEXPIRES\tLAST USED\tSTATE")
	for _, t := range list {
		p := t.Principal
		scope := strings.Join(nonEmpty(p.District, p.Unit, p.Enterprise), " ")
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, p.Name,
			p.Role, dash(scope), day(t.CreatedAt), day(t.ExpiresAt),
			day(t.LastUsedAt), state(t, now))
	}
	return tw.Flush()
}

func state(t auth.Token, now time.Time) string {
	switch {
	case !t.RevokedAt.IsZero():
		return "revoked " + day(t.RevokedAt)
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return "expired"
	}
	return "active"
}

func day(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
