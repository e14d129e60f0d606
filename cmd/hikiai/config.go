package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is every setting the service reads from the environment. All are
// optional; with none set the service runs on the embedded store in ./data.
type Config struct {
	Addr            string        // HIKIAI_ADDR
	DataDir         string        // HIKIAI_DATA_DIR
	RedisURL        string        // HIKIAI_REDIS_URL
	CacheRedisURL   string        // HIKIAI_CACHE_REDIS_URL
	RulesDir        string        // HIKIAI_RULES_DIR
	FetchAllowPriv  bool          // HIKIAI_FETCH_ALLOW_PRIVATE
	WebsiteCheck    bool          // HIKIAI_WEBSITE_CHECK
	LogLevel        slog.Level    // HIKIAI_LOG_LEVEL
	ShutdownTimeout time.Duration // HIKIAI_SHUTDOWN_TIMEOUT
	CacheEntries    int           // HIKIAI_CACHE_ENTRIES
	RateLimit       int           // HIKIAI_RATE_LIMIT
	ReloadCPU       int           // HIKIAI_RELOAD_CPU, percent of one core
	RefreshEvery    time.Duration // HIKIAI_REFRESH_INTERVAL; 0 = no scheduled refresh
	RefreshCatalog  string        // HIKIAI_REFRESH_CATALOGUE; "" = the built-in one
}

// setting is one row of the configuration table: its variable, default, meaning
// and the parser that validates it into the Config.
type setting struct {
	env, def, help string
	parse          func(c *Config, v string) error
}

var settings = []setting{
	{"HIKIAI_ADDR", "127.0.0.1:8080", "address the HTTP server listens on", func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("must be host:port: %w", err)
		}
		c.Addr = v
		return nil
	}},
	{"HIKIAI_DATA_DIR", "./data", "folder of the embedded store and its admin socket", func(c *Config, v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	{"HIKIAI_REDIS_URL", "", "when set, Redis is the store and cache (redis://host:6379/0)", func(c *Config, v string) error {
		return redisURLInto(&c.RedisURL, v)
	}},
	// After HIKIAI_REDIS_URL in this table: the check below reads it.
	{"HIKIAI_CACHE_REDIS_URL", "", "with HIKIAI_REDIS_URL: a second Redis, without AOF, for the cache only (website results, rate counters, locks)", func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		if c.RedisURL == "" {
			return fmt.Errorf("needs HIKIAI_REDIS_URL: on the embedded store the cache is in the process")
		}
		return redisURLInto(&c.CacheRedisURL, v)
	}},
	{"HIKIAI_RULES_DIR", "", "folder of YAML files that replace the embedded rules of the same name", func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		if st, err := os.Stat(v); err != nil || !st.IsDir() {
			return fmt.Errorf("must be an existing folder")
		}
		c.RulesDir = v
		return nil
	}},
	{"HIKIAI_FETCH_ALLOW_PRIVATE", "false", "tests only: let the website check reach loopback and private addresses", boolInto(func(c *Config) *bool { return &c.FetchAllowPriv })},
	{"HIKIAI_WEBSITE_CHECK", "true", "run the no_website check (fetches the inquirer's site)", boolInto(func(c *Config) *bool { return &c.WebsiteCheck })},
	{"HIKIAI_LOG_LEVEL", "info", "debug, info, warn or error", func(c *Config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{"HIKIAI_SHUTDOWN_TIMEOUT", "20s", "how long in-flight requests may take to finish on SIGTERM", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 || d > 10*time.Minute {
			return fmt.Errorf("must be a duration from 1s to 10m")
		}
		c.ShutdownTimeout = d
		return nil
	}},
	{"HIKIAI_CACHE_ENTRIES", "10000", "size bound of the in-process cache (website results, rate counters)", intInto(func(c *Config) *int { return &c.CacheEntries }, 100, 10_000_000, "must be a whole number from 100 to 10000000")},
	{"HIKIAI_RATE_LIMIT", "6000", "API requests per minute per key (429 with Retry-After beyond; counted in Redis when set); 0 = no limit", intInto(func(c *Config) *int { return &c.RateLimit }, 0, 100_000_000, "must be a whole number from 0 (no limit) to 100000000")},
	{"HIKIAI_RELOAD_CPU", "25", "percent of one core that rebuilding the loaded lists after an import may take while the service answers screenings; 100 = unpaced", intInto(func(c *Config) *int { return &c.ReloadCPU }, 1, 100, "must be a whole number from 1 to 100")},
	{"HIKIAI_REFRESH_INTERVAL", "0", "serve: download the lists from their publishers this often and import those that changed (e.g. 6h); 0 = never (use `hikiai sources refresh` or import by hand)", func(c *Config, v string) error {
		if v == "0" {
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 15*time.Minute || d > 7*24*time.Hour {
			return fmt.Errorf("must be 0 or a duration from 15m to 168h")
		}
		c.RefreshEvery = d
		return nil
	}},
	{"HIKIAI_REFRESH_CATALOGUE", "", "YAML file saying where each list is published (start from `hikiai sources catalogue`); empty = the built-in one", func(c *Config, v string) error {
		if v == "" {
			return nil
		}
		if st, err := os.Stat(v); err != nil || !st.Mode().IsRegular() {
			return fmt.Errorf("must be an existing file")
		}
		c.RefreshCatalog = v
		return nil
	}},
}

func redisURLInto(field *string, v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return fmt.Errorf("must be a redis:// or rediss:// URL")
	}
	*field = v
	return nil
}

func intInto(field func(c *Config) *int, lo, hi int, msg string) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return errors.New(msg)
		}
		*field(c) = n
		return nil
	}
}

func boolInto(field func(c *Config) *bool) func(c *Config, v string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("must be true or false")
		}
		*field(c) = b
		return nil
	}
}

// LoadConfig reads every setting from getenv, applying defaults; it names the
// first variable with a bad value.
func LoadConfig(getenv func(string) string) (Config, error) {
	var c Config
	for _, s := range settings {
		v := getenv(s.env)
		if v == "" {
			v = s.def
		}
		if err := s.parse(&c, v); err != nil {
			return Config{}, fmt.Errorf("config: %s=%q: %w", s.env, v, err)
		}
	}
	return c, nil
}

// configHelp lists the settings for `hikiai help`.
func configHelp() string {
	var b strings.Builder
	for _, s := range settings {
		fmt.Fprintf(&b, "  %-28s %s (default %q)\n", s.env, s.help, s.def)
	}
	return b.String()
}
