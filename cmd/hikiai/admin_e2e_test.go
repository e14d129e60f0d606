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
// socket; a second server sharing the data dir leaves that socket alone,
// whether the first holds the lock beside it or (a server from before the
// lock) only answers on it; a socket left by a killed server is taken over.
func TestAdminSocketOnRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary and redis-server")
	}
	raddr := e2eFreeAddr(t)
	faultRedis(t, t.TempDir(), raddr)
	env := faultEnv(t, "HIKIAI_REDIS_URL=redis://"+raddr+"/0")
	dataDir := faultEnvValue(env, "HIKIAI_DATA_DIR")
	sock := filepath.Join(dataDir, "hikiai.sock")
	another := func() []string { return append(env, "HIKIAI_ADDR="+e2eFreeAddr(t)) }

	first := faultStart(t, env)
	profiles := func(who string) {
		t.Helper()
		code, body, err := adminGet(sock, "/debug/pprof/")
		if err != nil || code != http.StatusOK || !strings.Contains(body, "goroutine") {
			t.Fatalf("%s: GET /debug/pprof/ on the admin socket = %d, %v\n%.300s", who, code, err, body)
		}
	}
	stat := func() os.FileInfo {
		t.Helper()
		fi, err := os.Stat(sock)
		if err != nil {
			t.Fatalf("admin socket: %v", err)
		}
		return fi
	}
	// leftAlone starts a server that must not touch the socket, and checks
	// that it said why.
	leftAlone := func(who, because string) {
		t.Helper()
		before := stat()
		p := faultStart(t, another())
		if !os.SameFile(before, stat()) {
			t.Errorf("%s replaced the socket", who)
		}
		faultStop(t, p) // its log is read once it has exited
		if !strings.Contains(p.logs.String(), because) {
			t.Errorf("%s did not say %q:\n%s", who, because, p.logs)
		}
	}

	profiles("first server")
	if m := stat().Mode().Perm(); m != 0o600 {
		t.Errorf("admin socket mode = %v, want 0600", m)
	}
	leftAlone("a second server", "another server holds it")
	profiles("first server, after the second stopped")

	faultKill(t, first) // leaves its socket file behind; the kernel drops its lock
	// Another server between taking the lock and binding the socket: the
	// window in which two servers starting at once used to bind over each
	// other.
	release, err := lockFile(sock + ".lock")
	if err != nil {
		t.Fatal(err)
	}
	leftAlone("a server while another holds the lock", "another server holds it")
	release()

	third := faultStart(t, another())
	profiles("third server, after the first was killed")
	faultStop(t, third)
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("a stopped server's socket is expected to go: %v", err)
	}

	// A server from before the lock file: it answers on the socket.
	old, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	leftAlone("a server beside one from before the lock", "another server is listening")
}
