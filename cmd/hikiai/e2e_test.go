package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// e2eBinary builds cmd/hikiai once per test binary run.
var e2eBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "hikiai-e2e-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "hikiai")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// e2eServer is a `hikiai serve` subprocess.
type e2eServer struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	env  []string
	logs *bytes.Buffer
}

func e2eFreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func e2eStart(t *testing.T, env []string) *e2eServer {
	t.Helper()
	bin, err := e2eBinary()
	if err != nil {
		t.Fatal(err)
	}
	s := &e2eServer{t: t, env: env, logs: &bytes.Buffer{}}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stderr = s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for _, kv := range env {
		if addr, ok := strings.CutPrefix(kv, "HIKIAI_ADDR="); ok {
			s.url = "http://" + addr
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.cmd.Process.Kill()
	t.Fatalf("server did not start:\n%s", s.logs)
	return nil
}

// cli runs another hikiai command with the same environment.
func (s *e2eServer) cli(args ...string) string {
	s.t.Helper()
	bin, _ := e2eBinary()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), s.env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		s.t.Fatalf("hikiai %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

func (s *e2eServer) request(method, path, key, body string) (int, map[string]any) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		s.t.Fatalf("%s %s: %d %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

const e2eDesignBody = `{
  "reference": "INQ-2026-0042",
  "deal": "DEAL-7",
  "received_at": "2026-11-20T10:00:00Z",
  "customer":  {"name": "Shenzhen Precision Trading Co., Ltd.", "country": "CN", "address": "1 Keji Road",
                "email": "buyer@gmail.com", "phone": "+86 755 1234 5678", "contact": "Li Wei"},
  "end_user":  {"name": "Harbin Institute of Technology", "country": "CN"},
  "payer":     {"name": "Golden Bridge Holdings Ltd", "country": "HK"},
  "destination_country": "CN",
  "items": [{"product": "MC-5X200", "description": "5-axis machining centre", "quantity": 2,
             "hs_code": "8457.10", "specs": {"axes": 5, "positioning_accuracy_um": 0.8}}],
  "end_use": "学校教育用"
}`

// TestNewcomerPath is the README's flow: serve on the embedded store, create a
// key while the server runs, screen the design's example, SIGKILL the server,
// restart it, and read the screening back.
func TestNewcomerPath(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	data := t.TempDir()
	lists := filepath.Join(data, "meti.csv")
	// A tiny METI-format list, so the service has lists loaded as in production.
	if err := os.WriteFile(lists, []byte("No,国名・地域名,企業名・組織名,別名,懸念区分,通常兵器\n1,中華人民共和国,Harbin Institute of Technology,HIT,M,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"HIKIAI_DATA_DIR=" + data, "HIKIAI_ADDR=" + e2eFreeAddr(t), "HIKIAI_WEBSITE_CHECK=false"}
	srv := e2eStart(t, env)
	defer func() {
		if srv.cmd.ProcessState == nil {
			srv.cmd.Process.Kill()
			srv.cmd.Wait()
		}
	}()
	key := srv.cli("keys", "create", "--role", "sales", "--name", "e2e")
	if !strings.HasPrefix(key, "hk_") {
		t.Fatalf("keys create printed %q", key)
	}
	if out := srv.cli("sources", "import", lists); !strings.Contains(out, "meti_eul") {
		t.Fatalf("sources import: %q", out)
	}
	// The running server picks the new list up by itself.
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := srv.request("GET", "/v1/lists", key, "")
		if ls, _ := body["lists"].([]any); code == 200 && len(ls) == 1 && ls[0].(map[string]any)["loaded"] == true {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("list not loaded: %v", body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	code, res := srv.request("POST", "/v1/screenings", key, e2eDesignBody)
	if code != 201 {
		t.Fatalf("screen: %d %v", code, res)
	}
	for _, f := range []string{"id", "score", "level", "action", "flags"} {
		if _, ok := res[f]; !ok {
			t.Fatalf("answer lacks %s: %v", f, res)
		}
	}
	if res["action"] != "block" {
		t.Errorf("a listed end user must block: %v", res)
	}
	id := res["id"].(string)

	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()
	srv2 := e2eStart(t, env)
	defer func() {
		srv2.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- srv2.cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("graceful stop: %v\n%s", err, srv2.logs)
			}
		case <-time.After(20 * time.Second):
			srv2.cmd.Process.Kill()
			t.Error("server did not stop on SIGTERM")
		}
	}()
	code, back := srv2.request("GET", "/v1/screenings/"+id, key, "")
	if code != 200 || back["id"] != id {
		t.Fatalf("after SIGKILL: %d %v", code, back)
	}
	code, again := srv2.request("POST", "/v1/screenings", key, e2eDesignBody)
	if code != 200 || again["id"] != id {
		t.Fatalf("idempotent retry after restart: %d %v", code, again)
	}
}
