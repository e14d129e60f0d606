package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hikiai/hikiai/rules"
	"github.com/hikiai/hikiai/screening"
	"github.com/hikiai/hikiai/screening/boltstore"
	"github.com/hikiai/hikiai/screening/phone"
	"github.com/hikiai/hikiai/screening/redisstore/redistest"
)

// BenchmarkPostScreening sends POST /v1/screenings through the whole handler
// (auth, decoding, validation, every red-flag check but the list and website
// ones, the store) on both backends, 32 requests in flight, and reports the
// latency percentiles beside ns/op:
//
//	HIKIAI_TEST_REDIS_ADDR=127.0.0.1:6379 go test -run XXX -bench PostScreening -benchtime 5000x ./api/
//
// The list matching and website costs are measured on their own
// (screening/names, screening BenchmarkWebsiteCachedCheck) and together by
// cmd/hikiai BenchmarkServeMix and `hikiai bench` (BENCHMARKS.md).
func BenchmarkPostScreening(b *testing.B) {
	b.Run("bolt", func(b *testing.B) {
		st, err := boltstore.Open(filepath.Join(b.TempDir(), "hikiai.db"), boltstore.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		benchPost(b, st)
	})
	b.Run("redis", func(b *testing.B) {
		benchPost(b, redistest.Store(b, redistest.Addr(b)))
	})
}

func benchPost(b *testing.B, st screening.Store) {
	settings, err := rules.Load("")
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := &screening.Engine{Store: st, Settings: settings, Now: time.Now, Log: log,
		Checks: screening.DefaultChecks(settings, screening.CheckDeps{NormalizePhone: phone.NewCache(4096).E164})}
	srv := New(Options{Engine: eng, Store: st, Log: log})
	eng.Timings = srv.Metrics() // as serve wires it: the timing is part of the cost
	h := srv.Handler()
	adm := &LocalAdmin{Store: st, Now: time.Now, Actor: "bench"}
	secret, _, err := adm.CreateKey(context.Background(), screening.RoleERP, "bench")
	if err != nil {
		b.Fatal(err)
	}
	// 200 customers over 40 products: the history indexes fill as they would
	// at order intake, and some inquiries raise duplicate and contact flags.
	body := func(i int64) []byte {
		return fmt.Appendf(nil, `{"reference":"B-%d-%d","deal":"D-%d","received_at":%q,
 "customer":{"name":"Customer %d Trading Co., Ltd.","country":"CN","email":"buyer%d@c%d.example.cn","phone":"+86 755 %04d %04d"},
 "end_user":{"name":"Factory %d","country":"CN"},
 "items":[{"product":"MC-%d","description":"5-axis machining centre","quantity":%d,"hs_code":"8457.10","specs":{"axes":5,"positioning_accuracy_um":0.8}}],
 "end_use":"金型加工"}`, time.Now().UnixNano()%1e6, i, i%500, time.Now().Add(-time.Duration(i%1000)*time.Minute).UTC().Format(time.RFC3339),
			i%200, i%200, i%200, i%97, i%200, i%300, i%40, 1+i%3)
	}
	var n atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(16) // 32 in flight on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/v1/screenings", bytes.NewReader(body(n.Add(1))))
			req.Header.Set("Authorization", "Bearer "+secret)
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(w, req)
			mine = append(mine, time.Since(start))
			if w.Code != http.StatusCreated {
				b.Errorf("status %d: %s", w.Code, w.Body.String())
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "screenings/s")
}
