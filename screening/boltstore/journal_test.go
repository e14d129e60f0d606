package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hikiai/hikiai/screening"
	bolt "go.etcd.io/bbolt"
)

// journalSave saves screening id with a reference, a case for every other
// one, and a history entry recorded first, as the engine does.
func journalSave(t *testing.T, st *Store, i int) {
	t.Helper()
	ctx := context.Background()
	id := fmt.Sprintf("scr_%03d", i)
	at := pendingBase.Add(time.Duration(i) * time.Second)
	if _, err := st.RecordHistory(ctx, []screening.HistoryEntry{pendingEntryFor(screening.HistoryProduct, "MC-5X200", id, at)}, 10); err != nil {
		t.Fatal(err)
	}
	s := &screening.Screening{Result: screening.Result{ID: id, Reference: "INQ-" + id, ScreenedAt: at, Score: i}, KeyID: "key_1", CustomerKey: "acme"}
	var c *screening.Case
	if i%2 == 0 {
		c = &screening.Case{ID: "case_" + id, ScreeningID: id, Status: screening.CaseOpen, Level: screening.LevelHigh,
			CustomerKey: "acme", CreatedAt: at, UpdatedAt: at, Version: 1}
		s.CaseID = c.ID
	}
	if err := st.SaveScreening(ctx, s, c, screening.NewAuditRecord(at, screening.AuditScreening, "key_1", id, map[string]int{"i": i})); err != nil {
		t.Fatalf("save %s: %v", id, err)
	}
}

// checkSaved reads back what journalSave wrote for 0..n-1.
func checkSaved(t *testing.T, st *Store, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		id := fmt.Sprintf("scr_%03d", i)
		s, err := st.Screening(ctx, id)
		if err != nil || s.Score != i {
			t.Fatalf("Screening(%s) = %+v, %v", id, s, err)
		}
		if r, err := st.ScreeningByReference(ctx, "key_1", "INQ-"+id); err != nil || r.ID != id {
			t.Fatalf("ScreeningByReference(INQ-%s) = %+v, %v", id, r, err)
		}
		if i%2 == 0 {
			if _, err := st.Case(ctx, "case_"+id); err != nil {
				t.Fatalf("Case(case_%s): %v", id, err)
			}
		}
	}
	list, _, err := st.ListScreenings(ctx, screening.ScreeningFilter{CustomerKey: "acme", Limit: 500})
	if err != nil || len(list) != n {
		t.Fatalf("ListScreenings = %d, %v; want %d", len(list), err, n)
	}
	cases, _, err := st.ListCases(ctx, screening.CaseFilter{Status: screening.CaseOpen, Limit: 500})
	if err != nil || len(cases) != (n+1)/2 {
		t.Fatalf("ListCases = %d, %v; want %d", len(cases), err, (n+1)/2)
	}
	audit, err := st.Audit(ctx, screening.AuditFilter{Limit: 1000})
	if err != nil || len(audit) != n {
		t.Fatalf("Audit = %d records, %v; want %d", len(audit), err, n)
	}
	var prev *screening.AuditRecord
	for i := range audit {
		r := audit[i]
		want := r
		want.Seal(prev)
		if r.Hash != want.Hash || r.Seq != uint64(i+1) {
			t.Fatalf("audit record %d does not chain: %+v", i, r)
		}
		prev = &audit[i]
	}
	if h, _ := committed(t, st); h != n {
		t.Fatalf("%d history records in bbolt, want %d", h, n)
	}
}

// TestJournalReplaysAcknowledgedSaves holds saves in the journal, as a crash
// right after their acknowledgement would find them, and opens a copy of the
// files: everything is there, the audit chain holds, references stay taken,
// and the journal is empty after the replay.
func TestJournalReplaysAcknowledgedSaves(t *testing.T) {
	st := openTemp(t)
	st.unapplied.paused.Store(true)
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { journalSave(t, st, i) })
	}
	wg.Wait()
	var inBolt int
	_ = st.db.View(func(tx *bolt.Tx) error { inBolt = tx.Bucket(bScreening).Stats().KeyN; return nil })
	if inBolt != 0 {
		t.Fatalf("%d screenings in bbolt while the applier is paused, want 0", inBolt)
	}

	path := filepath.Join(t.TempDir(), "crashed.db")
	copyFiles(t, st.Path(), path)
	after := openAgain(t, path)
	if after.Replayed() != n {
		t.Errorf("Replayed() = %d, want %d", after.Replayed(), n)
	}
	checkSaved(t, after, n)
	ctx := context.Background()
	dup := &screening.Screening{Result: screening.Result{ID: "scr_new", Reference: "INQ-scr_000", ScreenedAt: pendingBase}, KeyID: "key_1"}
	if err := after.SaveScreening(ctx, dup, nil, screening.NewAuditRecord(pendingBase, screening.AuditScreening, "key_1", "scr_new", nil)); screening.ErrorCode(err) != screening.ECONFLICT {
		t.Errorf("reusing a replayed reference: %v, want ECONFLICT", err)
	}
	for _, p := range journalPaths(path) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, frames, _ := parseJournal(data); len(frames) != 0 {
			t.Errorf("%s still holds %d saves after the replay", filepath.Base(p), len(frames))
		}
	}

	// Replaying the same journal over a file that has the saves already
	// (a crash after the apply, before the journal was emptied) adds nothing.
	again := filepath.Join(t.TempDir(), "again.db")
	copyFiles(t, st.Path(), again)
	if err := os.Remove(again); err != nil {
		t.Fatal(err)
	}
	if err := after.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(again, data, 0o600); err != nil {
		t.Fatal(err)
	}
	checkSaved(t, openAgain(t, again), n)
}

// TestJournalTornTail cuts the journal in the middle of its last save (a
// crash during the write, which was never acknowledged) and adds garbage
// after another: the whole saves before the cut are replayed, nothing else.
func TestJournalTornTail(t *testing.T) {
	for _, damage := range []string{"cut", "garbage", "bit flip"} {
		t.Run(damage, func(t *testing.T) {
			st := openTemp(t)
			st.unapplied.paused.Store(true)
			for i := range 3 {
				journalSave(t, st, i)
			}
			path := filepath.Join(t.TempDir(), "crashed.db")
			copyFiles(t, st.Path(), path)
			jp := journalPaths(path)[0]
			data, err := os.ReadFile(jp)
			if err != nil {
				t.Fatal(err)
			}
			_, frames, ok := parseJournal(data)
			if !ok || len(frames) != 3 {
				t.Fatalf("journal holds %d saves (header ok %v), want 3", len(frames), ok)
			}
			lastLen := frameHeader + len(frames[2])
			switch damage {
			case "cut":
				data = data[:len(data)-lastLen/2]
			case "garbage":
				data = append(data[:len(data)-lastLen], bytes.Repeat([]byte{0xff}, 100)...)
			case "bit flip":
				data[len(data)-10] ^= 0x01
			}
			if err := os.WriteFile(jp, data, 0o600); err != nil {
				t.Fatal(err)
			}
			after := openAgain(t, path)
			checkSaved(t, after, 2)
			if _, err := after.Screening(context.Background(), "scr_002"); screening.ErrorCode(err) != screening.ENOTFOUND {
				t.Errorf("the torn save: %v, want ENOTFOUND", err)
			}
		})
	}
}

// frame wraps a payload for the journal (checksum not yet stamped), as
// encodeSave does in place.
func frame(payload []byte) []byte {
	return seal(append(make([]byte, frameHeader, frameHeader+len(payload)), payload...))
}

// journalFile is a journal file of the given magic and generation holding
// the frames of payloads, checksums as that format writes them.
func journalFile(magic string, gen uint64, payloads ...[]byte) []byte {
	var h [journalHeader]byte
	copy(h[:4], magic)
	binary.BigEndian.PutUint64(h[4:12], gen)
	binary.BigEndian.PutUint32(h[12:16], crc32.Checksum(h[:12], castagnoli))
	data := h[:]
	for _, p := range payloads {
		fr := frame(p)
		if magic == journalMagic {
			stamp(fr, gen)
		}
		data = append(data, fr...)
	}
	return data
}

// TestJournalFilesReplayInGenerationOrder writes the newer generation into
// the first file: replay still goes oldest first.
func TestJournalFilesReplayInGenerationOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hikiai.db")
	write := func(file int, gen uint64, payloads ...string) {
		var ps [][]byte
		for _, p := range payloads {
			ps = append(ps, []byte(p))
		}
		if err := os.WriteFile(journalPaths(path)[file], journalFile(journalMagic, gen, ps...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(0, 8, "c", "d")
	write(1, 7, "a", "b")
	j, frames, err := openJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.close(false)
	if got := fmt.Sprintf("%s", frames); got != "[a b c d]" {
		t.Errorf("frames = %s, want [a b c d]", got)
	}
	if j.gen != 8 {
		t.Errorf("generation = %d, want 8", j.gen)
	}
}

// TestUnappliedSavesCountAndAreRead checks the rules while saves wait for
// the applier: a reused reference, id or case id is a conflict, the
// idempotency look-up finds the save at once, and other reads wait until it
// is applied.
func TestUnappliedSavesCountAndAreRead(t *testing.T) {
	st := openTemp(t)
	st.unapplied.paused.Store(true)
	journalSave(t, st, 0)
	ctx := context.Background()
	audit := screening.NewAuditRecord(pendingBase, screening.AuditScreening, "key_1", "x", nil)
	cases := []struct {
		name string
		scr  *screening.Screening
		c    *screening.Case
	}{
		{"same reference", &screening.Screening{Result: screening.Result{ID: "scr_x", Reference: "INQ-scr_000"}, KeyID: "key_1"}, nil},
		{"same id", &screening.Screening{Result: screening.Result{ID: "scr_000"}, KeyID: "key_1"}, nil},
		{"same case", &screening.Screening{Result: screening.Result{ID: "scr_y"}, KeyID: "key_1"}, &screening.Case{ID: "case_scr_000"}},
	}
	for _, tc := range cases {
		if err := st.SaveScreening(ctx, tc.scr, tc.c, audit); screening.ErrorCode(err) != screening.ECONFLICT {
			t.Errorf("%s: %v, want ECONFLICT", tc.name, err)
		}
	}
	// The same reference under another key is another inquiry.
	other := &screening.Screening{Result: screening.Result{ID: "scr_z", Reference: "INQ-scr_000"}, KeyID: "key_2"}
	if err := st.SaveScreening(ctx, other, nil, audit); err != nil {
		t.Errorf("same reference, other key: %v", err)
	}
	got, err := st.ScreeningByReference(ctx, "key_1", "INQ-scr_000")
	if err != nil || got.ID != "scr_000" {
		t.Fatalf("ScreeningByReference while unapplied = %+v, %v", got, err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := st.Screening(short, "scr_000"); err == nil {
		t.Fatal("Screening answered while its save was unapplied and the applier paused; it must wait")
	}
	st.unapplied.paused.Store(false)
	signal(st.unapplied.kick)
	if s, err := st.Screening(ctx, "scr_000"); err != nil || s.ID != "scr_000" {
		t.Fatalf("Screening after the apply = %+v, %v", s, err)
	}
	// Once applied, the conflicts come from bbolt.
	for _, tc := range cases {
		if err := st.SaveScreening(ctx, tc.scr, tc.c, audit); screening.ErrorCode(err) != screening.ECONFLICT {
			t.Errorf("%s after the apply: %v, want ECONFLICT", tc.name, err)
		}
	}
}

// TestCloseAppliesAndEmptiesTheJournal: after Close, bbolt holds every save
// and the journal files are empty, so the next open replays nothing.
func TestCloseAppliesAndEmptiesTheJournal(t *testing.T) {
	st := openTemp(t)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() { journalSave(t, st, i) })
	}
	wg.Wait()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range journalPaths(st.Path()) {
		if fi, err := os.Stat(p); err != nil || fi.Size() != 0 {
			t.Errorf("%s after Close: %v, %v; want empty", filepath.Base(p), fi, err)
		}
	}
	s := &screening.Screening{Result: screening.Result{ID: "scr_late"}, KeyID: "key_1"}
	err := st.SaveScreening(context.Background(), s, nil, screening.NewAuditRecord(pendingBase, screening.AuditScreening, "key_1", "scr_late", nil))
	if screening.ErrorCode(err) != screening.EUNAVAILABLE {
		t.Errorf("save after Close: %v, want EUNAVAILABLE", err)
	}
	checkSaved(t, openAgain(t, st.Path()), 30)
}

// TestFailedApplyLosesNothing breaks the audit head, so that applying fails:
// the save was acknowledged and stays in the journal, reads and Ping answer
// EUNAVAILABLE instead of stale data, and once the head is repaired the
// applier retries and the save appears.
func TestFailedApplyLosesNothing(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	if err := st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Put(auditHead, []byte{1}) }); err != nil {
		t.Fatal(err)
	}
	journalSave(t, st, 0)
	deadline := time.Now().Add(10 * time.Second)
	for st.Ping(ctx) == nil {
		if time.Now().After(deadline) {
			t.Fatal("Ping stayed green while the applier failed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := st.Ping(ctx); screening.ErrorCode(err) != screening.EUNAVAILABLE {
		t.Errorf("Ping = %v, want EUNAVAILABLE", err)
	}
	if _, err := st.Screening(ctx, "scr_000"); screening.ErrorCode(err) != screening.EUNAVAILABLE {
		t.Errorf("Screening while the applier fails = %v, want EUNAVAILABLE", err)
	}
	if err := st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bMeta).Delete(auditHead) }); err != nil {
		t.Fatal(err)
	}
	for st.Ping(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("the applier did not recover after the repair")
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkSaved(t, st, 1)
}

// TestEncodeSaveReusesFrames: a frame built into a reused buffer, dirty and
// of any size, is the same as one built afresh, and a small buffer grows.
func TestEncodeSaveReusesFrames(t *testing.T) {
	sv := &savedScreening{scrJSON: []byte(`{"id":"scr_1","reference":"R"}`), caseJSON: []byte(`{"id":"case_1"}`),
		history: []*pendingEntry{{seq: 7, data: []byte("h")}, {seq: 8, data: []byte("hh")}}}
	want, err := encodeSave(sv, nil)
	if err != nil {
		t.Fatal(err)
	}
	dirty := bytes.Repeat([]byte{0xff}, 4096)
	for _, buf := range [][]byte{dirty, dirty[:10], make([]byte, 0, 4)} {
		got, err := encodeSave(sv, buf)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("into a buffer of cap %d: frame differs", cap(buf))
		}
	}
	var fp framePool
	fp.put(make([]byte, 0, maxPooledFrame+1))
	if b := fp.get(); cap(b) > maxPooledFrame {
		t.Errorf("pool kept a frame of %d bytes", cap(b))
	}
}

// FuzzJournal feeds arbitrary bytes to the journal reader and the save
// decoder: a damaged file must be read up to the damage, never panic.
func FuzzJournal(f *testing.F) {
	sv := &savedScreening{scrJSON: []byte(`{"id":"scr_1","reference":"R"}`), caseJSON: []byte(`{"id":"case_1"}`),
		history: []*pendingEntry{{seq: 7, data: []byte("h")}}}
	fr, err := encodeSave(sv, nil)
	if err != nil {
		f.Fatal(err)
	}
	payload := fr[frameHeader:]
	f.Add(journalFile(journalMagic, 3, payload))
	f.Add(journalFile(journalMagicV1, 3, payload))
	f.Add(journalFile(journalMagic, 3))
	f.Add([]byte("HKJ2"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, frames, _ := parseJournal(data)
		for _, fr := range frames {
			_, _ = decodeSave(fr)
		}
		_, _ = decodeSave(data)
	})
}

// TestUnreadableJournalStopsOpen: a save whose frame is whole (its checksum
// holds) but cannot be decoded is not skipped. Open fails, names the journal
// and leaves it as it was.
func TestUnreadableJournalStopsOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hikiai.db")
	data := journalFile(journalMagic, 1, []byte("not a save"))
	jp := journalPaths(path)[0]
	if err := os.WriteFile(jp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(path, Options{})
	if err == nil {
		st.Close()
		t.Fatal("Open succeeded over a journal it could not read")
	}
	for _, want := range []string{"hikiai.db.journal-a", "move the journal files aside"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open error %q does not say %q", err, want)
		}
	}
	after, err := os.ReadFile(jp)
	if err != nil || !bytes.Equal(after, data) {
		t.Errorf("the journal changed after the failed open (%d bytes, %v)", len(after), err)
	}
}

// TestJournalWriteFailure: once a journal write fails, saves answer
// EUNAVAILABLE (never a success that is not on disk), Ping turns red, and
// what was saved before stays readable.
func TestJournalWriteFailure(t *testing.T) {
	st := openTemp(t)
	ctx := context.Background()
	journalSave(t, st, 0)
	if err := st.settle(ctx); err != nil {
		t.Fatal(err)
	}
	st.journal.wmu.Lock()
	for _, f := range st.journal.files { // both: the applier may turn at any time
		_ = f.Close() // the next write fails
	}
	st.journal.wmu.Unlock()
	s := &screening.Screening{Result: screening.Result{ID: "scr_lost", Reference: "INQ-lost", ScreenedAt: pendingBase}, KeyID: "key_1"}
	err := st.SaveScreening(ctx, s, nil, screening.NewAuditRecord(pendingBase, screening.AuditScreening, "key_1", s.ID, nil))
	if screening.ErrorCode(err) != screening.EUNAVAILABLE {
		t.Fatalf("save after a failed write: %v, want EUNAVAILABLE", err)
	}
	if err := st.Ping(ctx); screening.ErrorCode(err) != screening.EUNAVAILABLE {
		t.Errorf("Ping = %v, want EUNAVAILABLE", err)
	}
	if _, err := st.ScreeningByReference(ctx, "key_1", "INQ-lost"); screening.ErrorCode(err) != screening.ENOTFOUND {
		t.Errorf("the failed save is visible: %v", err)
	}
	if got, err := st.Screening(ctx, "scr_000"); err != nil || got.ID != "scr_000" {
		t.Errorf("the earlier save: %+v, %v", got, err)
	}
}

// TestReadsHurryTheApplier: a read that finds saves unapplied while the
// applier is idle gets them applied at once, not after the applier's
// gathering delay.
func TestReadsHurryTheApplier(t *testing.T) {
	st := openTemp(t)
	// Gathering saves now takes an hour: a read that returns at all woke
	// the applier itself. (It compared the wait with the 100 ms delay,
	// which a loaded CI machine's fsync under -race once took 280 ms.)
	st.unapplied.delay.Store(int64(time.Hour))
	ctx := context.Background()
	for i := range 5 {
		// A save the applier has been told of but skipped (paused), so that
		// the read's request is the only thing that wakes it.
		st.unapplied.paused.Store(true)
		journalSave(t, st, i)
		for len(st.unapplied.kick) > 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(5 * time.Millisecond) // the applier is back in its wait
		st.unapplied.paused.Store(false)
		readCtx, cancel := context.WithTimeout(ctx, time.Minute)
		_, err := st.Screening(readCtx, fmt.Sprintf("scr_%03d", i))
		cancel()
		if err != nil {
			t.Fatalf("read %d: %v (it waited for the applier's delay of an hour instead of hurrying it)", i, err)
		}
	}
}

// TestJournalFormats: a file's frames are read up to the first one whose
// checksum fails for the file's generation. Frames an earlier generation
// left in a recycled file end it like a torn frame; files of the first
// format (HKJ1, plain CRC) still read.
func TestJournalFormats(t *testing.T) {
	a, b, x := []byte("a"), []byte("b"), []byte("stale")
	tests := []struct {
		name   string
		data   []byte
		ok     bool
		frames string
	}{
		{name: "current format", data: journalFile(journalMagic, 5, a, b), ok: true, frames: "[a b]"},
		{name: "first format", data: journalFile(journalMagicV1, 5, a, b), ok: true, frames: "[a b]"},
		{name: "an earlier generation's frames after the end",
			data: append(journalFile(journalMagic, 5, a, b), journalFile(journalMagic, 3, x, x)[journalHeader:]...), ok: true, frames: "[a b]"},
		{name: "the generation two turns back, in the same file",
			data: append(journalFile(journalMagic, 7, a), journalFile(journalMagic, 5, x)[journalHeader:]...), ok: true, frames: "[a]"},
		{name: "frames without the generation's stamp", data: journalFile(journalMagicV1, 5, a)[journalHeader:], ok: false, frames: "[]"},
		{name: "recycled: header zeroed, old frames behind it",
			data: append(make([]byte, journalHeader), journalFile(journalMagic, 5, a, b)[journalHeader:]...), ok: false, frames: "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, frames, ok := parseJournal(tt.data)
			if ok != tt.ok || fmt.Sprintf("%s", frames) != tt.frames {
				t.Errorf("parseJournal = %s, %v; want %s, %v", frames, ok, tt.frames, tt.ok)
			}
		})
	}
	// A current-format header over plain-CRC frames reads none of them.
	plain := journalFile(journalMagicV1, 5, a)
	copy(plain[:4], journalMagic)
	binary.BigEndian.PutUint32(plain[12:16], crc32.Checksum(plain[:12], castagnoli))
	if _, frames, _ := parseJournal(plain); len(frames) != 0 {
		t.Errorf("unstamped frames read under an HKJ2 header: %s", frames)
	}
}

// TestJournalRecyclesFiles: while the server runs, emptied files keep their
// blocks and the next generation writes over the old frames. After a crash
// only the saves not yet applied are replayed, none of the old ones behind
// them.
func TestJournalRecyclesFiles(t *testing.T) {
	st := openTemp(t)
	emptied := func() bool { // the file the appends left is emptied
		st.journal.wmu.Lock()
		defer st.journal.wmu.Unlock()
		return st.journal.size[1-st.journal.cur] == 0
	}
	next := 0
	for round := range 4 {
		for range 12 - 2*round { // each round shorter, so older frames stick out behind newer ones
			journalSave(t, st, next)
			next++
		}
		if err := st.settle(context.Background()); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for !emptied() && time.Now().Before(deadline) {
			signal(st.unapplied.urgent)
			time.Sleep(time.Millisecond)
		}
		if !emptied() {
			t.Fatalf("round %d: the turned file was not emptied", round)
		}
	}
	st.unapplied.paused.Store(true)
	journalSave(t, st, next)
	journalSave(t, st, next+1)
	next += 2

	stale := 0
	for _, p := range journalPaths(st.Path()) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		_, frames, _ := parseJournal(data)
		used := journalHeader
		for _, f := range frames {
			used += frameHeader + len(f)
		}
		stale += len(data) - used
	}
	if stale == 0 {
		t.Fatal("no old frames left in the files: nothing was recycled")
	}
	path := filepath.Join(t.TempDir(), "crashed.db")
	copyFiles(t, st.Path(), path)
	after := openAgain(t, path)
	if after.Replayed() != 2 {
		t.Errorf("Replayed() = %d, want the 2 unapplied saves (%d bytes of old frames in the files)", after.Replayed(), stale)
	}
	checkSaved(t, after, next)
}
