package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/hikiai/hikiai/screening"
)

// Admin is what the command line does to a deployment: API keys, list imports,
// the audit trail. LocalAdmin does it on a store; AdminClient asks a running
// server over its local socket, for the embedded store whose file only one
// process may hold.
type Admin interface {
	CreateKey(ctx context.Context, role, name string) (secret string, k *screening.APIKey, err error)
	Keys(ctx context.Context) ([]*screening.APIKey, error)
	RevokeKey(ctx context.Context, id string) error
	// AuditRecords returns audit records matching f in sequence order (at most 1000).
	AuditRecords(ctx context.Context, f screening.AuditFilter) ([]screening.AuditRecord, error)
	// VerifyAudit checks the whole audit chain where the store is.
	VerifyAudit(ctx context.Context) (*AuditReport, error)
	// ImportLists parses list files and makes them the current snapshot of their source.
	ImportLists(ctx context.Context, format string, files []string) (*ImportResult, error)
	// Lists returns the current snapshot of every source, without entries.
	Lists(ctx context.Context) ([]screening.ListSnapshot, error)
}

// LocalAdmin runs admin operations directly on a store.
type LocalAdmin struct {
	Store screening.Store
	Now   func() time.Time
	Actor string // who the audit trail names ("cli")
}

var _ Admin = (*LocalAdmin)(nil)

// CreateKey makes a new key and returns its secret, which is never stored.
func (a *LocalAdmin) CreateKey(ctx context.Context, role, name string) (string, *screening.APIKey, error) {
	if !screening.ValidRole(role) {
		return "", nil, invalid("role", "must be one of sales, erp, reviewer, admin")
	}
	name = strings.TrimSpace(name)
	if len(name) > 100 {
		return "", nil, invalid("name", "at most 100 characters")
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", nil, fmt.Errorf("create key: %w", err)
	}
	secret := "hk_" + base64.RawURLEncoding.EncodeToString(raw[:])
	now := a.Now().UTC()
	k := &screening.APIKey{ID: screening.NewID("key", now), Name: name, Role: role, Hash: HashSecret(secret), CreatedAt: now}
	audit := screening.NewAuditRecord(now, screening.AuditKey, a.Actor, k.ID, map[string]string{"action": "create", "role": role, "name": name})
	if err := a.Store.CreateKey(ctx, k, audit); err != nil {
		return "", nil, fmt.Errorf("create key: %w", err)
	}
	return secret, k, nil
}

// Keys lists every key (hashes included: they are not secrets).
func (a *LocalAdmin) Keys(ctx context.Context) ([]*screening.APIKey, error) {
	return a.Store.Keys(ctx)
}

// RevokeKey revokes a key by id.
func (a *LocalAdmin) RevokeKey(ctx context.Context, id string) error {
	now := a.Now().UTC()
	audit := screening.NewAuditRecord(now, screening.AuditKey, a.Actor, id, map[string]string{"action": "revoke"})
	return a.Store.RevokeKey(ctx, id, now, audit)
}

// AdminSocketHandler serves an Admin over a local socket. It has no auth of its
// own: the socket file is created 0600, so only the service's user reaches it.
func AdminSocketHandler(a Admin) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /keys", func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Role, Name string }
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil {
			writeAdminErr(w, invalid("body", err.Error()))
			return
		}
		secret, k, err := a.CreateKey(r.Context(), req.Role, req.Name)
		if err != nil {
			writeAdminErr(w, err)
			return
		}
		writeAdminJSON(w, map[string]any{"secret": secret, "key": k})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		ks, err := a.Keys(r.Context())
		if err != nil {
			writeAdminErr(w, err)
			return
		}
		writeAdminJSON(w, ks)
	})
	mux.HandleFunc("POST /lists/import", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Format string   `json:"format"`
			Files  []string `json:"files"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil {
			writeAdminErr(w, invalid("body", err.Error()))
			return
		}
		res, err := a.ImportLists(r.Context(), req.Format, req.Files)
		if err != nil {
			writeAdminErr(w, err)
			return
		}
		writeAdminJSON(w, res)
	})
	mux.HandleFunc("GET /lists", func(w http.ResponseWriter, r *http.Request) {
		ls, err := a.Lists(r.Context())
		if err != nil {
			writeAdminErr(w, err)
			return
		}
		writeAdminJSON(w, ls)
	})
	mux.HandleFunc("POST /keys/{id}/revoke", func(w http.ResponseWriter, r *http.Request) {
		if err := a.RevokeKey(r.Context(), r.PathValue("id")); err != nil {
			writeAdminErr(w, err)
			return
		}
		writeAdminJSON(w, map[string]string{"status": "revoked"})
	})
	registerAuditAdmin(mux, a)
	// Profiles of the running server, for the operator who owns the socket:
	// curl --unix-socket <data dir>/hikiai.sock http://x/debug/pprof/heap
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	return mux
}

func writeAdminJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeAdminErr(w http.ResponseWriter, err error) {
	code := screening.ErrorCode(err)
	status := statusOf[code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	msg := err.Error()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorBody{Error: ErrorDetail{Code: code, Message: msg}})
}

// AdminClient talks to a running server's admin socket.
type AdminClient struct {
	http *http.Client
}

var _ Admin = (*AdminClient)(nil)

// NewAdminClient returns a client for the socket at path.
func NewAdminClient(path string) *AdminClient {
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}
	return &AdminClient{http: &http.Client{Transport: tr, Timeout: 5 * time.Minute}}
}

func (ac *AdminClient) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://hikiai-admin"+path, rd)
	if err != nil {
		return err
	}
	resp, err := ac.http.Do(req)
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var eb ErrorBody
		if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
			return fmt.Errorf("admin socket: status %d", resp.StatusCode)
		}
		return &screening.Error{Code: eb.Error.Code, Message: eb.Error.Message, Fields: eb.Error.Fields}
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// CreateKey asks the server to create a key.
func (ac *AdminClient) CreateKey(ctx context.Context, role, name string) (string, *screening.APIKey, error) {
	var out struct {
		Secret string            `json:"secret"`
		Key    *screening.APIKey `json:"key"`
	}
	err := ac.call(ctx, http.MethodPost, "/keys", map[string]string{"Role": role, "Name": name}, &out)
	return out.Secret, out.Key, err
}

// Keys asks the server for every key.
func (ac *AdminClient) Keys(ctx context.Context) ([]*screening.APIKey, error) {
	var out []*screening.APIKey
	err := ac.call(ctx, http.MethodGet, "/keys", nil, &out)
	return out, err
}

// RevokeKey asks the server to revoke a key.
func (ac *AdminClient) RevokeKey(ctx context.Context, id string) error {
	var out map[string]string
	return ac.call(ctx, http.MethodPost, "/keys/"+id+"/revoke", nil, &out)
}
