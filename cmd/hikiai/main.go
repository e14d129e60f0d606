// Command hikiai is the one binary of the service: serve the API, manage keys
// and lists, screen in batch, check the audit trail.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"syscall"
)

const usage = `hikiai: trade-counterparty risk screening

usage:
  hikiai serve                      run the HTTP service
  hikiai screen --in FILE [--out FILE] [--server URL --key-file F]
                                    screen a CSV or JSON lines file (hikiai screen -h)
  hikiai keys create --role ROLE [--name NAME]
  hikiai keys list
  hikiai keys revoke ID
  hikiai sources import [--format F] FILE...   import a denied-party list (format detected)
  hikiai sources refresh [--only LIST,...] [--force] [--catalogue FILE]
                                    download the lists from their publishers, import those that changed
  hikiai sources catalogue                     where each list is published (YAML, to copy and change)
  hikiai sources list                          imported lists, versions, counts, age
  hikiai sources formats                       list formats understood
  hikiai bench --server URL --key KEY [--count N --duration D --concurrency C --rate R --json]
                                    load-test a running server (hikiai bench -h)
  hikiai bench gen-list --n N --out FILE [--base CSL.csv]
                                    write synthetic list entries (US CSL CSV)
  hikiai audit verify [--file EXPORT.jsonl]
  hikiai audit export [--since DATE] [--kind KIND] [--format csv|jsonl] [--out FILE]

configuration (environment):
`

func main() {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		// Here, not in run: GOMAXPROCS is the process's, and tests call run.
		if n, ok := procsFor(os.Getenv("GOMAXPROCS"), runtime.NumCPU(), runtime.GOMAXPROCS(0)); ok {
			runtime.GOMAXPROCS(n)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: tests call it with their own arguments,
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage+configHelp())
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cfg, err := LoadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	var cmdErr error
	switch args[0] {
	case "serve":
		cmdErr = serve(ctx, cfg, log, args[1:])
	case "sources":
		cmdErr = sourcesCmd(ctx, cfg, log, args[1:], stdout)
	case "keys":
		cmdErr = keysCmd(ctx, cfg, log, args[1:], stdout)
	case "audit":
		cmdErr = auditCmd(ctx, cfg, log, args[1:], stdout)
	case "screen":
		cmdErr = screenCmd(ctx, cfg, log, args[1:], stdout, stderr)
	case "bench":
		cmdErr = benchCmd(ctx, cfg, log, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "hikiai: unknown command %q\n\n%s", args[0], usage+configHelp())
		return 2
	}
	if cmdErr != nil {
		fmt.Fprintf(stderr, "hikiai %s: %v\n", args[0], cmdErr)
		if _, ok := cmdErr.(usageError); ok {
			return 2
		}
		return 1
	}
	return 0
}

// usageError is a mistake in the command line (exit 2, not 1).
type usageError string

func (e usageError) Error() string { return string(e) }
