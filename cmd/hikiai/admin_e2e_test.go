package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// adminGet asks the admin socket at path for urlPath.
func adminGet(path, urlPath string) (int, string, error) {
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", path)
		},
	}}
	resp, err := c.Get("http://admin" + urlPath)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// TestAdminSocketOnRedis: a server on Redis serves its profiles on the admin
// socket; a second server sharing the data dir leaves that socket alone, and
// a socket left by a killed server is taken over.
func TestAdminSocketOnRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and redis-server")
	}
	raddr := e2eFreeAddr(t)
	faultRedis(t, t.TempDir(), raddr)
	env := faultEnv(t, "HIKIAI_REDIS_URL=redis://"+raddr+"/0")
	dataDir := faultEnvValue(env, "HIKIAI_DATA_DIR")
	sock := filepath.Join(dataDir, "hikiai.sock")

	first := faultStart(t, env)
	profiles := func(who string) {
		t.Helper()
		code, body, err := adminGet(sock, "/debug/pprof/")
		if err != nil || code != http.StatusOK || !strings.Contains(body, "goroutine") {
			t.Fatalf("%s: GET /debug/pprof/ on the admin socket = %d, %v\n%.300s", who, code, err, body)
		}
	}
	profiles("first server")
	before, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if before.Mode().Perm() != 0o600 {
		t.Errorf("admin socket mode = %v, want 0600", before.Mode().Perm())
	}

	second := faultStart(t, append(env, "HIKIAI_ADDR="+e2eFreeAddr(t)))
	after, err := os.Stat(sock)
	if err != nil {
		t.Fatalf("the second server removed the first one's socket: %v", err)
	}
	if !os.SameFile(before, after) {
		t.Error("the second server replaced the first one's socket")
	}
	profiles("first server, with a second running")
	faultStop(t, second) // its log is read once it has exited
	if !strings.Contains(second.logs.String(), "another server is listening") {
		t.Errorf("the second server did not say why it has no socket:\n%s", second.logs)
	}
	profiles("first server, after the second stopped")

	faultKill(t, first) // leaves its socket file behind
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("a killed server's socket is expected to stay: %v", err)
	}
	third := faultStart(t, append(env, "HIKIAI_ADDR="+e2eFreeAddr(t)))
	defer faultStop(t, third)
	profiles("third server, after the first was killed")
}
