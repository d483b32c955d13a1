// Command hw-admin administers the monitoring center's database; for now
// its API tokens:
//
//	hw-admin -config configs/center.yaml token create -name NAME -role ROLE \
//	    [-district D] [-unit U] [-enterprise E] [-expires 720h]
//	hw-admin -config configs/center.yaml token list
//	hw-admin -config configs/center.yaml token revoke -id N
//
// It opens the database of the center config's store section. A created
// token is printed once on standard output and never again.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// errUsage marks a command line that makes no sense; its message has been
// printed with the usage already.
var errUsage = errors.New("usage")

func main() {
	err := run(os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "hw-admin:", err)
		os.Exit(1)
	}
}

// run parses the command line and runs the command.
func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hw-admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "configs/center.yaml", "center config file")
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	rest := fs.Args()
	if len(rest) < 2 || rest[0] != "token" {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	cmd, ok := tokenCommands[rest[1]]
	if !ok {
		fmt.Fprintf(stderr, "unknown command token %s\n%s", rest[1], usage)
		return errUsage
	}
	return cmd(env{config: *path, stdout: stdout, stderr: stderr}, rest[2:])
}

const usage = `usage: hw-admin [-config configs/center.yaml] token <command> [flags]

commands:
  create -name NAME -role ROLE [-district D] [-unit U] [-enterprise E] [-expires 720h]
         issue a token and print it once; roles: city_admin, city_operator,
         district_operator (needs -district), department (needs -unit),
         enterprise (needs -enterprise); -expires 0 never expires
  list   list tokens (never the tokens themselves)
  revoke -id N
         revoke token N at once
`
