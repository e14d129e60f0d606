package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Fault tests: the binary as a subprocess on free loopback ports, killed and
// restarted under load; Redis as our own redis-server subprocess with
// appendfsync always. Each test stops by itself and sends traffic only to
// 127.0.0.1.

// faultList is a METI-format list with one entry, so that the service has
// lists loaded (ready) as in production.
const faultList = "No,国名・地域名,企業名・組織名,別名,懸念区分,通常兵器\n1,中華人民共和国,Harbin Institute of Technology,HIT,M,\n"

func faultEnv(t *testing.T, extra ...string) []string {
	return append([]string{"HIKIAI_DATA_DIR=" + t.TempDir(), "HIKIAI_ADDR=" + e2eFreeAddr(t),
		"HIKIAI_WEBSITE_CHECK=false", "HIKIAI_RATE_LIMIT=0", "HIKIAI_LOG_LEVEL=warn"}, extra...)
}

// faultCLI runs hikiai with env and returns its output and error (the test goes on).
func faultCLI(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	bin, err := e2eBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// faultSetup creates a key and imports faultList, then waits until the
// server screens against it.
func faultSetup(t *testing.T, srv *e2eServer) string {
	t.Helper()
	key := srv.cli("keys", "create", "--role", "admin", "--name", "faults")
	lists := filepath.Join(t.TempDir(), "meti.csv")
	if err := os.WriteFile(lists, []byte(faultList), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.cli("sources", "import", lists)
	faultWaitLists(t, srv.url, key, func(l map[string]faultListState) bool { return l["meti_eul"].Loaded })
	return key
}

type faultListState struct {
	Version string `json:"version"`
	Entries int    `json:"entries"`
	Loaded  bool   `json:"loaded"`
}

func faultLists(url, key string) (map[string]faultListState, error) {
	req, _ := http.NewRequest("GET", url+"/v1/lists", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET /v1/lists: %d", resp.StatusCode)
	}
	var body struct {
		Lists []struct {
			Source string `json:"source"`
			faultListState
		} `json:"lists"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	out := map[string]faultListState{}
	for _, l := range body.Lists {
		out[l.Source] = l.faultListState
	}
	return out, nil
}

func faultWaitLists(t *testing.T, url, key string, ok func(map[string]faultListState) bool) map[string]faultListState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		l, err := faultLists(url, key)
		if err == nil && ok(l) {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("lists not as expected after 30 s: %v %v", l, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// faultOutcome is what one screening request got.
type faultOutcome struct {
	ref        string
	body       []byte
	sent, done time.Time
	status     int // 0: no answer
	id, action string
	retryAfter string
	err        string
}

// faultLoad sends the bench's inquiry mix from a few workers until halt.
type faultLoad struct {
	url, key string
	mix      *benchMix
	client   *http.Client
	next     atomic.Int64
	stop     chan struct{}
	wg       sync.WaitGroup
	mu       sync.Mutex
	outcomes []faultOutcome
}

func faultStartLoad(url, key string, workers int) *faultLoad {
	l := &faultLoad{url: url, key: key, stop: make(chan struct{}),
		mix:    newBenchMix("fault-"+strconv.FormatInt(time.Now().UnixNano(), 36), 11, time.Now().Add(-time.Hour)),
		client: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}}
	for range workers {
		l.wg.Go(func() {
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				inq, _ := l.mix.inquiry(int(l.next.Add(1)))
				body, _ := json.Marshal(&inq)
				o := l.post(inq.Reference, body)
				l.mu.Lock()
				l.outcomes = append(l.outcomes, o)
				l.mu.Unlock()
				if o.status == 0 {
					time.Sleep(20 * time.Millisecond) // server down: do not spin
				}
			}
		})
	}
	return l
}

func (l *faultLoad) post(ref string, body []byte) faultOutcome {
	o := faultOutcome{ref: ref, body: body, sent: time.Now()}
	req, _ := http.NewRequest("POST", l.url+"/v1/screenings", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+l.key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := l.client.Do(req)
	o.done = time.Now()
	if err != nil {
		o.err = err.Error()
		return o
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	o.status, o.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
	var ans struct {
		ID     string `json:"id"`
		Action string `json:"action"`
	}
	if json.Unmarshal(raw, &ans) != nil {
		o.err = "unreadable answer: " + string(raw)
	}
	o.id, o.action = ans.ID, ans.Action
	if o.status/100 != 2 {
		o.err = string(raw)
	}
	return o
}

func (l *faultLoad) halt() []faultOutcome {
	close(l.stop)
	l.wg.Wait()
	l.client.CloseIdleConnections()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.outcomes
}

// waitOK waits until n screenings have succeeded.
func (l *faultLoad) waitOK(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		ok := 0
		for _, o := range l.outcomes {
			if o.status/100 == 2 {
				ok++
			}
		}
		l.mu.Unlock()
		if ok >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("fewer than %d screenings succeeded in 30 s", n)
}

// faultCheckDurable reads back every screening that got a 2xx and retries every
// request (answered or not) with its reference: an answered one must return
// the same id; one cut off by the crash is either stored whole (200) or not at
// all (201), and a second retry returns the id of the first.
func faultCheckDurable(t *testing.T, url, key string, outcomes []faultOutcome) {
	t.Helper()
	l := &faultLoad{url: url, key: key, client: &http.Client{Timeout: 20 * time.Second}}
	answered, cut := 0, 0
	for _, o := range outcomes {
		// Answered means the client read a 2xx and the screening's id. A 2xx
		// whose body the kill cut short told the client nothing: it is retried
		// like any request cut off.
		if o.status/100 == 2 && o.id != "" {
			answered++
			req, _ := http.NewRequest("GET", url+"/v1/screenings/"+o.id, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := l.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var back struct {
				ID        string `json:"id"`
				Reference string `json:"reference"`
			}
			json.NewDecoder(resp.Body).Decode(&back)
			resp.Body.Close()
			if resp.StatusCode != 200 || back.ID != o.id || back.Reference != o.ref {
				t.Errorf("screening %s (%s) answered %d before the crash, after it GET gives %d %+v", o.id, o.ref, o.status, resp.StatusCode, back)
			}
			if again := l.post(o.ref, o.body); again.status != 200 || again.id != o.id {
				t.Errorf("retry of %s after the crash: %d id %s, want 200 id %s (%s)", o.ref, again.status, again.id, o.id, again.err)
			}
			continue
		}
		cut++
		first := l.post(o.ref, o.body)
		if first.status != 200 && first.status != 201 {
			t.Errorf("retry of %s (cut off by the crash: %d %s): %d %s", o.ref, o.status, o.err, first.status, first.err)
			continue
		}
		if second := l.post(o.ref, o.body); second.status != 200 || second.id != first.id {
			t.Errorf("second retry of %s: %d id %s, want 200 id %s", o.ref, second.status, second.id, first.id)
		}
	}
	t.Logf("%d screenings answered 2xx before the fault, all readable after it; %d requests cut off, retried", answered, cut)
	if answered == 0 {
		t.Error("no screening succeeded before the fault: the test proved nothing")
	}
}

// faultStart starts the server and makes sure it ends with the test.
func faultStart(t *testing.T, env []string) *e2eServer {
	t.Helper()
	s := e2eStart(t, env)
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			s.cmd.Wait()
		}
	})
	return s
}

func faultKill(t *testing.T, s *e2eServer) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
}

// stop ends the server with SIGTERM and reports panics in its log.
func faultStop(t *testing.T, s *e2eServer) {
	t.Helper()
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			s.cmd.Process.Kill()
			<-done
		}
	}
	if strings.Contains(s.logs.String(), "panic") {
		t.Errorf("server log shows a panic:\n%s", s.logs)
	}
}

// faultRedisServer is our own redis-server subprocess.
type faultRedisServer struct {
	t    *testing.T
	cmd  *exec.Cmd
	addr string
	dir  string
	logs bytes.Buffer
}

// faultRedis starts redis-server with AOF and fsync on every write, in dir,
// on addr. It skips the test when redis-server is missing (fails under CI).
func faultRedis(t *testing.T, dir, addr string) *faultRedisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("redis-server is not installed under CI")
		}
		t.Skip("redis-server not installed")
	}
	_, port, _ := net.SplitHostPort(addr)
	r := &faultRedisServer{t: t, addr: addr, dir: dir}
	r.cmd = exec.Command(bin, "--bind", "127.0.0.1", "--port", port, "--dir", dir, "--appendonly", "yes",
		"--appendfsync", "always", "--save", "", "--daemonize", "no", "--loglevel", "warning")
	r.cmd.Stdout, r.cmd.Stderr = &r.logs, &r.logs
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if r.cmd.ProcessState == nil {
			r.cmd.Process.Kill()
			r.cmd.Wait()
		}
	})
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	deadline := time.Now().Add(15 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start:\n%s", r.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return r
}

func (r *faultRedisServer) kill() {
	r.cmd.Process.Signal(syscall.SIGKILL)
	r.cmd.Wait()
}

// TestFaultKillUnderLoad: SIGKILL the server while screenings are in flight,
// restart it, and find every screening that got a 2xx; an idempotent retry
// returns the same id. On Redis both the server and redis-server are killed,
// so the screenings must come back from the append-only file.
func TestFaultKillUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	t.Run("embedded", func(t *testing.T) {
		env := faultEnv(t)
		srv := faultStart(t, env)
		key := faultSetup(t, srv)
		load := faultStartLoad(srv.url, key, 8)
		load.waitOK(t, 150)
		faultKill(t, srv)
		outcomes := load.halt()
		srv = faultStart(t, env)
		defer faultStop(t, srv)
		faultCheckDurable(t, srv.url, key, outcomes)
		// Usually some saves were in the journal only (not yet in bbolt)
		// when the kill came; the log says how many were recovered. It is
		// read once the server has stopped writing it.
		faultStop(t, srv)
		for line := range strings.Lines(srv.logs.String()) {
			if strings.Contains(line, "recovered from its journal") {
				t.Logf("restart: %s", strings.TrimSpace(line))
			}
		}
	})
	t.Run("redis", func(t *testing.T) {
		rdir, raddr := t.TempDir(), e2eFreeAddr(t)
		rs := faultRedis(t, rdir, raddr)
		env := faultEnv(t, "HIKIAI_REDIS_URL=redis://"+raddr+"/0")
		srv := faultStart(t, env)
		key := faultSetup(t, srv)
		load := faultStartLoad(srv.url, key, 8)
		load.waitOK(t, 150)
		rs.kill()
		faultKill(t, srv)
		outcomes := load.halt()
		faultRedis(t, rdir, raddr)
		srv = faultStart(t, env)
		defer faultStop(t, srv)
		faultWaitLists(t, srv.url, key, func(l map[string]faultListState) bool { return l["meti_eul"].Loaded })
		faultCheckDurable(t, srv.url, key, outcomes)
	})
}

// TestFaultRedisDown: stop Redis under load. While it is down every screening
// answers 503 with Retry-After (never a 2xx, a 500 or no answer) and /readyz
// is 503; when Redis is back the service recovers by itself.
func TestFaultRedisDown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and redis-server")
	}
	rdir, raddr := t.TempDir(), e2eFreeAddr(t)
	rs := faultRedis(t, rdir, raddr)
	env := faultEnv(t, "HIKIAI_REDIS_URL=redis://"+raddr+"/0")
	srv := faultStart(t, env)
	defer faultStop(t, srv)
	key := faultSetup(t, srv)
	load := faultStartLoad(srv.url, key, 6)
	load.waitOK(t, 100)
	rs.kill()
	down := time.Now()

	readyz := func() int {
		resp, err := http.Get(srv.url + "/readyz")
		if err != nil {
			t.Fatalf("/readyz while Redis is down: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	deadline := time.Now().Add(15 * time.Second)
	for readyz() != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("/readyz stayed green with Redis down")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // load against the outage
	if code := readyz(); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d while Redis is down", code)
	}
	up := time.Now()
	faultRedis(t, rdir, raddr) // the same folder: its append-only file comes back
	deadline = time.Now().Add(30 * time.Second)
	for readyz() != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatalf("/readyz not green 30 s after Redis came back:\n%s", srv.logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	recovered := time.Now()
	// Screenings succeed again without a restart.
	deadline = time.Now().Add(30 * time.Second)
	for {
		load.mu.Lock()
		n := len(load.outcomes)
		last := load.outcomes[n-1]
		load.mu.Unlock()
		if last.sent.After(recovered) && last.status == 201 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("screenings do not succeed after Redis came back: last %d %s", last.status, last.err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	outcomes := load.halt()

	during, slowest := 0, time.Duration(0)
	for _, o := range outcomes {
		switch {
		case o.status == 0:
			t.Errorf("%s got no answer: %s", o.ref, o.err)
		case o.status >= 500 && o.status != http.StatusServiceUnavailable:
			t.Errorf("%s: %d %s", o.ref, o.status, o.err)
		case o.status == http.StatusServiceUnavailable && o.retryAfter == "":
			t.Errorf("%s: 503 without Retry-After", o.ref)
		}
		// Sent after Redis was gone and answered before it was back: only 503.
		if o.sent.After(down.Add(200*time.Millisecond)) && o.done.Before(up) {
			during++
			slowest = max(slowest, o.done.Sub(o.sent))
			if o.status != http.StatusServiceUnavailable {
				t.Errorf("%s during the outage: %d action %q, want 503", o.ref, o.status, o.action)
			}
		}
	}
	if during < 10 {
		t.Errorf("only %d screenings were sent during the outage", during)
	}
	t.Logf("%d screenings during the outage, all 503 with Retry-After (slowest answer %s); ready again %s after Redis restarted",
		during, slowest.Round(time.Millisecond), recovered.Sub(up).Round(time.Millisecond))
	faultCheckDurable(t, srv.url, key, faultBeforeOutage(outcomes, down))
}

// faultBeforeOutage keeps the outcomes answered before t (their screenings must
// survive the outage).
func faultBeforeOutage(os []faultOutcome, t time.Time) []faultOutcome {
	var out []faultOutcome
	for _, o := range os {
		if o.done.Before(t) && o.status/100 == 2 {
			out = append(out, o)
		}
	}
	return out
}

// TestFaultListImportFails: a list import that fails half-way leaves the old
// snapshot in force: a file cut off in the middle, and a process killed in the
// middle of saving a big list.
func TestFaultListImportFails(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	dir := t.TempDir()
	small, big, cut := filepath.Join(dir, "small.csv"), filepath.Join(dir, "big.csv"), filepath.Join(dir, "cut.csv")
	if err := genListCmd([]string{"--n", "50", "--out", small, "--seed", "1"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := genListCmd([]string{"--n", "150000", "--out", big, "--seed", "2"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	// A download cut off half-way: the header and rows, then half a row.
	raw, err := os.ReadFile(big)
	if err != nil {
		t.Fatal(err)
	}
	half := raw[:len(raw)/2]
	half = half[:bytes.LastIndexByte(half, ',')]
	if err := os.WriteFile(cut, half, 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("embedded", func(t *testing.T) {
		env := faultEnv(t)
		srv := faultStart(t, env)
		key := faultSetup(t, srv)
		srv.cli("sources", "import", small)
		old := faultWaitLists(t, srv.url, key, func(l map[string]faultListState) bool { return l["us_csl"].Loaded })["us_csl"]

		out, err := faultCLI(t, env, "sources", "import", cut)
		if err == nil || !strings.Contains(out, "line") {
			t.Errorf("import of a cut-off file: err %v, output %q; want a failure naming the line", err, out)
		}
		faultAssertList(t, srv.url, key, old)

		// Kill the server (which imports for the CLI through its admin socket)
		// as soon as the store file grows: it is writing the new snapshot.
		db := filepath.Join(faultEnvValue(env, "HIKIAI_DATA_DIR"), "hikiai.db")
		before := faultFileSize(db)
		bin, _ := e2eBinary()
		imp := exec.Command(bin, "sources", "import", big)
		imp.Env = append(os.Environ(), env...)
		if err := imp.Start(); err != nil {
			t.Fatal(err)
		}
		killed := false
		deadline := time.Now().Add(45 * time.Second)
		for time.Now().Before(deadline) {
			if faultFileSize(db) != before {
				faultKill(t, srv)
				killed = true
				break
			}
			time.Sleep(time.Millisecond)
		}
		imp.Wait()
		if !killed {
			t.Fatal("the store file did not change within 45 s of starting the big import")
		}
		srv = faultStart(t, env)
		defer faultStop(t, srv)
		got := faultWaitLists(t, srv.url, key, func(l map[string]faultListState) bool { return l["us_csl"].Loaded })["us_csl"]
		switch {
		case got.Version == old.Version && got.Entries == old.Entries:
			t.Logf("killed while saving: the old snapshot (%d entries) is in force", old.Entries)
		case got.Entries == 150000:
			t.Logf("the kill came after the commit: the whole new snapshot is in force")
		default:
			t.Errorf("after a kill mid-import us_csl is %+v; want the old %+v or the whole new one", got, old)
		}
	})

	t.Run("redis", func(t *testing.T) {
		raddr := e2eFreeAddr(t)
		faultRedis(t, t.TempDir(), raddr)
		env := faultEnv(t, "HIKIAI_REDIS_URL=redis://"+raddr+"/0")
		srv := faultStart(t, env)
		defer faultStop(t, srv)
		key := faultSetup(t, srv)
		srv.cli("sources", "import", small)
		old := faultWaitLists(t, srv.url, key, func(l map[string]faultListState) bool { return l["us_csl"].Loaded })["us_csl"]

		if out, err := faultCLI(t, env, "sources", "import", cut); err == nil || !strings.Contains(out, "line") {
			t.Errorf("import of a cut-off file: err %v, output %q; want a failure naming the line", err, out)
		}
		faultAssertList(t, srv.url, key, old)

		// The CLI writes to Redis itself: kill it once it has written chunks
		// of the new snapshot but before it switches to them.
		rc := redis.NewClient(&redis.Options{Addr: raddr})
		defer rc.Close()
		ctx := context.Background()
		chunks := func() []string {
			keys, _ := rc.Keys(ctx, "{hk}:snapchunk:*").Result()
			return keys
		}
		existing := len(chunks())
		bin, _ := e2eBinary()
		imp := exec.Command(bin, "sources", "import", big)
		imp.Env = append(os.Environ(), env...)
		if err := imp.Start(); err != nil {
			t.Fatal(err)
		}
		killed := false
		deadline := time.Now().Add(45 * time.Second)
		for time.Now().Before(deadline) {
			if len(chunks()) > existing {
				imp.Process.Signal(syscall.SIGKILL)
				killed = true
				break
			}
			time.Sleep(time.Millisecond)
		}
		imp.Wait()
		if !killed {
			t.Fatal("the import wrote no chunk within 45 s")
		}
		faultAssertList(t, srv.url, key, old)
		// The half-written chunks expire by themselves.
		pending := 0
		for _, k := range chunks() {
			if ttl, err := rc.PTTL(ctx, k).Result(); err == nil && ttl > 0 {
				pending++
			}
		}
		if pending == 0 {
			t.Error("no half-written chunk carries an expiry")
		}
		t.Logf("killed after %d chunk(s) of the new snapshot: old snapshot in force, %d pending chunks expire", len(chunks())-existing, pending)
	})
}

// faultAssertList checks that us_csl is still the old snapshot, loaded, a moment
// after a failed import (a reload would have happened by then).
func faultAssertList(t *testing.T, url, key string, old faultListState) {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	l, err := faultLists(url, key)
	if err != nil {
		t.Fatal(err)
	}
	if got := l["us_csl"]; got != old {
		t.Errorf("after a failed import us_csl is %+v, want the old %+v", got, old)
	}
}

func faultEnvValue(env []string, name string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	return ""
}

func faultFileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return st.Size()
}
