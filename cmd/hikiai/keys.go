package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"
)

func keysCmd(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("keys: create, list or revoke")
	}
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
		role := fs.String("role", "", "sales, erp, reviewer or admin")
		name := fs.String("name", "", "who or what uses the key")
		if err := fs.Parse(args[1:]); err != nil {
			return usageError(err.Error())
		}
		if *role == "" {
			return usageError("keys create: --role is required (sales, erp, reviewer, admin)")
		}
		adm, closeFn, err := adminFor(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer closeFn()
		secret, k, err := adm.CreateKey(ctx, *role, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", secret)
		log.Info("key created; the secret above is shown once", slog.String("id", k.ID), slog.String("role", k.Role))
		return nil
	case "list":
		adm, closeFn, err := adminFor(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer closeFn()
		keys, err := adm.Keys(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tROLE\tNAME\tCREATED\tREVOKED")
		for _, k := range keys {
			revoked := "-"
			if k.RevokedAt != nil {
				revoked = k.RevokedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, k.Role, k.Name, k.CreatedAt.Format(time.RFC3339), revoked)
		}
		return tw.Flush()
	case "revoke":
		if len(args) != 2 {
			return usageError("keys revoke ID")
		}
		adm, closeFn, err := adminFor(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer closeFn()
		if err := adm.RevokeKey(ctx, args[1]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "revoked %s\n", args[1])
		return nil
	}
	return usageError("keys: create, list or revoke")
}
