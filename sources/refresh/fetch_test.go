package refresh

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestFetchBodyCutShort: a body that stalls past the timeout, or a
// connection that closes before Content-Length, is tried again and leaves no
// partial file behind.
func TestFetchBodyCutShort(t *testing.T) {
	tests := []struct {
		name  string
		serve func(w http.ResponseWriter, try int32)
		want  string // "" means the last try succeeds
	}{
		{"stalls every time", func(w http.ResponseWriter, _ int32) {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte("part of a list"))
			w.(http.Flusher).Flush()
			time.Sleep(time.Second)
		}, "gave up after 2 tries"},
		{"cut short once, then whole", func(w http.ResponseWriter, try int32) {
			if try == 1 {
				w.Header().Set("Content-Length", "1000")
				w.Write([]byte("part of a list"))
				panic(http.ErrAbortHandler) // close the connection mid-body
			}
			w.Write([]byte("the whole list"))
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tries atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				tt.serve(w, tries.Add(1))
			}))
			defer srv.Close()
			dir := t.TempDir()
			f := &Fetcher{Attempts: 2, Timeout: 300 * time.Millisecond,
				Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
			d, err := f.Get(context.Background(), srv.URL+"/list.xml", Validators{}, dir)
			if tt.want != "" {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("err = %v, want %q", err, tt.want)
				}
			} else if err != nil || d.Size != int64(len("the whole list")) {
				t.Fatalf("Get = %+v, %v", d, err)
			}
			if n := tries.Load(); n != 2 {
				t.Errorf("%d tries, want 2", n)
			}
			left, _ := os.ReadDir(dir)
			if want := map[bool]int{true: 0, false: 1}[tt.want != ""]; len(left) != want {
				t.Errorf("%d files left in the folder, want %d", len(left), want)
			}
		})
	}
}

// TestFetchRetryAfter: a 429's Retry-After sets the wait, capped at a minute.
func TestFetchRetryAfter(t *testing.T) {
	var tries atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tries.Add(1) < 3 {
			w.Header().Set("Retry-After", map[int32]string{1: "7", 2: "3600"}[tries.Load()])
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte("list"))
	}))
	defer srv.Close()
	var waits []time.Duration
	f := &Fetcher{Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }}
	if _, err := f.Get(context.Background(), srv.URL, Validators{}, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 2 || waits[0] != 7*time.Second || waits[1] != time.Minute {
		t.Errorf("waits %v, want [7s 1m]", waits)
	}
}
