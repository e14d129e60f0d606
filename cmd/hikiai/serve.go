package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/hikiai/hikiai/api"
	"github.com/hikiai/hikiai/api/webhook"
	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/phone"
	"github.com/hikiai/hikiai/sources/refresh"
	"github.com/hikiai/hikiai/sources/web"
)

// serve runs the HTTP service until ctx ends (SIGINT, SIGTERM), then lets
// in-flight requests finish, stops background work, and closes the store.
func serve(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	settings, err := rules.Load(cfg.RulesDir)
	if err != nil {
		return err
	}
	if cfg.FetchAllowPriv {
		log.Warn("HIKIAI_FETCH_ALLOW_PRIVATE is set: the website check may reach loopback and private addresses; never set this in production")
	}
	b, err := openBackend(ctx, cfg, log, 2*time.Second)
	if err != nil {
		return err
	}
	defer func() {
		if err := b.close(); err != nil {
			log.Error("close store", slog.Any("err", err))
		}
	}()

	svc, err := buildService(ctx, cfg, log, settings, b)
	if err != nil {
		return err
	}
	defer svc.shutdown()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           svc.api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	servers := []*http.Server{srv}
	// Only one process may hold the embedded store, so the CLI reaches it
	// through this socket while the server runs. On Redis the CLI needs no
	// socket, but the operator still wants the runtime's profiles. It opens
	// before the API answers, so a script that waits for /healthz finds it.
	adm, releaseAdmin, err := listenAdmin(cfg, &api.LocalAdmin{Store: b.store, Now: time.Now, Actor: "cli"})
	if err != nil {
		msg := "admin socket unavailable: no profiles; stop the server to run hikiai keys"
		if b.redis != nil {
			msg = "admin socket unavailable: no profiles"
		}
		log.Warn(msg, slog.Any("err", err))
	} else {
		servers = append(servers, adm)
		// Released once shutdown has closed (and unlinked) the socket, so the
		// next owner binds a name no one will unlink under it.
		defer releaseAdmin()
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("hikiai serving", slog.String("addr", ln.Addr().String()), slog.String("store", storeName(cfg)),
		slog.Int("gomaxprocs", runtime.GOMAXPROCS(0)))

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
	}
	log.Info("shutting down: finishing in-flight requests", slog.Duration("timeout", cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped cleanly")
	return nil
}

func storeName(cfg Config) string {
	if cfg.RedisURL != "" {
		return "redis"
	}
	return "embedded:" + storePath(cfg)
}

// listenAdmin serves admin operations on a 0600 unix socket in the data dir,
// under a lock file beside it that it holds until release.
func listenAdmin(cfg Config, adm api.Admin) (*http.Server, func(), error) {
	path := adminSocket(cfg)
	// Servers on Redis may share a data dir. The socket belongs to the one
	// that holds the lock; without it, two servers starting at once could
	// both find no live socket, and the second would bind over the first's.
	release, err := lockFile(path + ".lock")
	if errors.Is(err, errLocked) {
		return nil, nil, fmt.Errorf("admin socket %s: another server holds it", path)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	fail := func(err error) (*http.Server, func(), error) {
		release()
		return nil, nil, fmt.Errorf("admin socket %s: %w", path, err)
	}
	// A server from before the lock file answers on the socket without
	// holding the lock (a rolling upgrade). A socket that does not answer
	// was left by a killed server.
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fail(errors.New("another server is listening on it"))
	}
	_ = os.Remove(path)
	old := umask(0o177)
	ln, err := net.Listen("unix", path)
	umask(old)
	if err != nil {
		return fail(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return fail(err)
	}
	srv := &http.Server{Handler: api.AdminSocketHandler(adm), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, release, nil
}

// service is everything serve wires together, with one shutdown for the
// background parts.
type service struct {
	engine   *screening.Engine
	api      *api.Server
	shutdown func()
}

func buildService(ctx context.Context, cfg Config, log *slog.Logger, settings *screening.Settings, b *backend) (*service, error) {
	// Read before any background work starts, so that a bad catalogue stops
	// nothing but the start.
	var catalogue *refresh.Catalogue
	if cfg.RefreshEvery > 0 {
		var err error
		if catalogue, err = loadCatalogue(cfg.RefreshCatalog); err != nil {
			return nil, err
		}
	}
	// A list change's rebuild and re-screen run one after the other and
	// share one duty cycle; unpaced (100 %), the re-screen uses its workers.
	pace := reloadPace(cfg.ReloadCPU)
	lists := &screening.Lists{Pace: pace}
	checks := screening.DefaultChecks(settings, screening.CheckDeps{NormalizePhone: phone.NewCache(4096).E164})
	if !settings.DeniedParty.Disabled {
		checks = append(checks, screening.NewDeniedPartyCheck(settings.DeniedParty, lists, b.store))
	}
	var website *screening.WebsiteCheck
	if cfg.WebsiteCheck && !settings.Website.Disabled {
		fetcher, err := web.NewFetcher(web.OptionsFrom(settings.Website, cfg.FetchAllowPriv, log))
		if err != nil {
			return nil, err
		}
		if website, err = screening.NewWebsiteCheck(settings.Website, settings.FreeMailDomains, fetcher, b.cache, log); err != nil {
			return nil, err
		}
		checks = append(checks, website)
	}
	engine := &screening.Engine{
		Store:    b.store,
		Checks:   checks,
		Settings: settings,
		Lists:    lists,
		Now:      time.Now,
		Log:      log,
	}
	srv := api.New(api.Options{Engine: engine, Store: b.store, Lists: lists, Log: log, Now: time.Now,
		Cache: b.cache, RateLimit: cfg.RateLimit,
		Ready: func(context.Context) error {
			if lists.Current() == nil {
				return errors.New("no denied-party lists loaded")
			}
			return nil
		}})
	engine.Timings = srv.Metrics()
	// hikiai_list_age_seconds: read from the current snapshot at every scrape,
	// so a stalled refresh shows as a growing age.
	if website != nil {
		m := srv.Metrics()
		website.Observe(m.ObserveWebsite, func(hit bool) { m.ObserveCache("website", hit) })
	}
	srv.Metrics().SetListImports(func() map[string]time.Time {
		set := lists.Current()
		if set == nil {
			return nil
		}
		out := make(map[string]time.Time, len(set.Sources))
		for _, s := range set.Sources {
			out[s.Source] = s.ImportedAt
		}
		return out
	})
	watcher := &listWatcher{
		lists: lists, store: b.store, locks: b.locks, log: log, poll: 30 * time.Second, observe: srv.Metrics().ObserveRescreen,
		rescreen: &screening.Rescreener{Store: b.store, Settings: settings, Now: time.Now, Log: log,
			Window: time.Duration(settings.Rescreen.WindowDays) * 24 * time.Hour, Workers: settings.Rescreen.Workers, Pace: pace},
	}
	watcher.start(ctx)
	pruner := &historyPruner{store: b.store, locks: b.locks, keep: settings.Scoring.HistoryRetention(),
		interval: 24 * time.Hour, delay: time.Minute, now: time.Now, log: log}
	pruner.start(ctx)
	var refresher *listRefresher
	if catalogue != nil {
		refresher = &listRefresher{
			refresher: &refresh.Refresher{Catalogue: catalogue, Fetcher: &refresh.Fetcher{}, Dir: refreshDir(cfg),
				Store: adminLists{&api.LocalAdmin{Store: b.store, Now: time.Now, Actor: "refresh"}}},
			locks: b.locks, interval: cfg.RefreshEvery, delay: 2 * time.Minute,
			observe: srv.Metrics().ObserveListRefresh, log: log,
		}
		refresher.start(ctx)
	}
	// Webhook deliveries run beside the server; every replica runs a dispatcher
	// (enqueueing is idempotent, claims are leased). Detached from ctx so that
	// deliveries go on while in-flight requests drain; shutdown stops them.
	hooks := webhook.New(webhook.Options{Store: b.store, Log: log, Now: time.Now})
	hooks.Start(context.WithoutCancel(ctx))
	shutdown := func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		watcher.stop()
		pruner.stop()
		if refresher != nil {
			refresher.stop()
		}
		if err := hooks.Shutdown(sctx); err != nil {
			log.Warn("stop webhook dispatcher", slog.Any("err", err))
		}
		if website != nil {
			if err := website.Shutdown(sctx); err != nil {
				log.Warn("stop website checks", slog.Any("err", err))
			}
		}
	}
	return &service{engine: engine, api: srv, shutdown: shutdown}, nil
}
