package main

import (
	"context"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestRedisOptions(t *testing.T) {
	tests := []struct {
		name, url   string
		wantErr     string
		wantDB      int
		wantTimeout time.Duration
	}{
		{name: "plain", url: "redis://127.0.0.1:6379/0"},
		{name: "database and dial timeout kept", url: "redis://127.0.0.1:6379/3?dial_timeout=2s", wantDB: 3, wantTimeout: 2 * time.Second},
		{name: "not a redis URL", url: "http://127.0.0.1:6379", wantErr: "HIKIAI_REDIS_URL"},
		{name: "bad database", url: "redis://127.0.0.1:6379/x", wantErr: "HIKIAI_REDIS_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt, err := redisOptions(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if opt.DialerRetries != 1 {
				t.Errorf("DialerRetries %d, want 1", opt.DialerRetries)
			}
			if opt.DB != tt.wantDB {
				t.Errorf("DB %d, want %d", opt.DB, tt.wantDB)
			}
			if tt.wantTimeout != 0 && opt.DialTimeout != tt.wantTimeout {
				t.Errorf("DialTimeout %s, want %s", opt.DialTimeout, tt.wantTimeout)
			}
		})
	}
}

// TestRedisOptionsDialOnce: against a port where nothing listens, a command
// without retries dials once (go-redis alone would dial five times, 100 ms
// apart, for each try of the command).
func TestRedisOptionsDialOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	opt, err := redisOptions("redis://" + addr + "/0?max_retries=-1")
	if err != nil {
		t.Fatal(err)
	}
	var dials atomic.Int32
	opt.Dialer = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	client := redis.NewClient(opt)
	defer client.Close()
	if err := client.Ping(t.Context()).Err(); err == nil {
		t.Fatal("ping succeeded with nothing listening")
	}
	if n := dials.Load(); n != 1 {
		t.Errorf("%d dials for one command, want 1", n)
	}
}
