package boltstore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/hikiai/hikiai/screening"
)

// The journal makes a screening save durable with one sequential write and
// one fdatasync, shared by every save that arrives while the previous group
// is being written. The bbolt file gets the saves afterwards, many per
// transaction (apply.go).
//
// Why: a save committed straight into bbolt dirtied 25 to 45 scattered pages
// (a leaf and its branches in each of a dozen buckets), written and synced
// before the caller got an answer: at 1,000 saves a second that was 11,000
// page writes a second and the commit wait was most of the latency. Applied
// a few hundred at a time, the saves share their branch pages and the
// appended leaves, and no caller waits for it.
//
// Two files take turns. Saves are appended to the current one. The applier
// switches to the other (which is empty), applies everything the first
// holds, and then empties it. At open, whatever the files still hold is
// applied again; a save that is already in bbolt is skipped, so replaying
// twice is harmless.
//
// File layout: a 16-byte header (magic, generation, CRC of both) and then
// frames of [length u32][checksum u32][payload]. The generation orders the
// two files at replay. A torn frame at the end (a crash during the write,
// never acknowledged) ends the file.
//
// Files are recycled, not truncated, while the server runs: emptying one
// overwrites its header, and the next generation writes over the old frames.
// An fdatasync then has no file size to commit: on this disk it took 202 us
// instead of 370 us and half the CPU. A frame's checksum is the CRC-32C of
// its payload XORed with a value of its file's generation, so the old frames
// left past the end of the new ones fail it and end the file like a torn
// frame. Files of the first format (HKJ1, plain CRC) are still read.
const (
	journalMagic   = "HKJ2"
	journalMagicV1 = "HKJ1" // frames carry the plain CRC of their payload
	journalHeader  = 16
	frameHeader    = 8
	// maxFrame bounds one save: far above any real one (a screening is a few
	// kilobytes), it stops a corrupt length from allocating gigabytes.
	maxFrame = 64 << 20
	// maxGroupBuf bounds the write buffer the journal keeps between groups;
	// a larger group's buffer is dropped after its write.
	maxGroupBuf = 1 << 20
	// maxRecycled: a file that a burst made larger than this is truncated
	// when it is emptied, so that the disk space comes back.
	maxRecycled = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errJournalClosed is returned by append after close.
var errJournalClosed = errors.New("journal is closed")

type journal struct {
	files [2]*os.File
	paths [2]string

	// wmu is held while a group is written and while the files turn, so a
	// turn never falls between a group's write and its confirmation.
	wmu    sync.Mutex
	cur    int      // the file appended to
	size   [2]int64 // the end of each file's frames; 0: empty
	extent [2]int64 // how far each file was ever written (recycled files keep old frames)
	gen    uint64   // the generation of files[cur]
	broken error    // a write or sync failed: nothing more is appended
	// failed mirrors broken for Ping, which must not wait behind an fsync.
	failed atomic.Pointer[error]
	closed bool
	// groupBuf is the memory of the last group's write, reused (under wmu).
	groupBuf []byte

	calls groupQueue[*journalCall]
}

type journalCall struct {
	frame     []byte
	onDurable func() // runs once the frame is synced, in file order, under wmu
	done      chan error
}

// journalPaths names the two journal files of the store at dbPath.
func journalPaths(dbPath string) [2]string {
	return [2]string{dbPath + ".journal-a", dbPath + ".journal-b"}
}

// openJournal opens (or creates) both files and returns their frames, oldest
// file first. The caller applies the frames, then calls reset.
func openJournal(dbPath string) (*journal, [][]byte, error) {
	j := &journal{paths: journalPaths(dbPath)}
	type found struct {
		gen    uint64
		frames [][]byte
	}
	var files []found
	for i, p := range j.paths {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			j.closeFiles()
			return nil, nil, fmt.Errorf("open journal %s: %w", p, err)
		}
		j.files[i] = f
		data, err := io.ReadAll(f)
		if err != nil {
			j.closeFiles()
			return nil, nil, fmt.Errorf("read journal %s: %w", p, err)
		}
		gen, frames, ok := parseJournal(data)
		if ok {
			files = append(files, found{gen, frames})
		}
		j.gen = max(j.gen, gen)
	}
	if len(files) == 2 && files[0].gen > files[1].gen {
		files[0], files[1] = files[1], files[0]
	}
	var frames [][]byte
	for _, f := range files {
		frames = append(frames, f.frames...)
	}
	return j, frames, nil
}

// parseJournal reads a journal file: its generation and its whole frames. ok
// is false for an empty file or one without a valid header.
func parseJournal(data []byte) (gen uint64, frames [][]byte, ok bool) {
	if len(data) < journalHeader || (string(data[:4]) != journalMagic && string(data[:4]) != journalMagicV1) ||
		crc32.Checksum(data[:12], castagnoli) != binary.BigEndian.Uint32(data[12:16]) {
		return 0, nil, false
	}
	gen = binary.BigEndian.Uint64(data[4:12])
	var mask uint32
	if string(data[:4]) == journalMagic {
		mask = genMask(gen)
	}
	rest := data[journalHeader:]
	for len(rest) >= frameHeader {
		n := binary.BigEndian.Uint32(rest[:4])
		if n > maxFrame || uint64(len(rest)-frameHeader) < uint64(n) {
			break
		}
		payload := rest[frameHeader : frameHeader+int(n)]
		if crc32.Checksum(payload, castagnoli)^mask != binary.BigEndian.Uint32(rest[4:8]) {
			break
		}
		frames = append(frames, payload)
		rest = rest[frameHeader+int(n):]
	}
	return gen, frames, true
}

// genMask is what a frame's CRC is XORed with in a file of generation gen.
// The CRC of the generation's 8 bytes: two generations less than 2^32
// apart always give different values (CRC-32 catches every error burst of
// up to 32 bits), so no frame of an earlier generation passes.
func genMask(gen uint64) uint32 {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], gen)
	return crc32.Checksum(b[:], castagnoli)
}

// stamp XORs the checksum of each frame in buf with the generation's mask;
// buf holds whole sealed frames.
func stamp(buf []byte, gen uint64) {
	mask := genMask(gen)
	for len(buf) >= frameHeader {
		n := binary.BigEndian.Uint32(buf[:4])
		binary.BigEndian.PutUint32(buf[4:8], binary.BigEndian.Uint32(buf[4:8])^mask)
		buf = buf[frameHeader+int(n):]
	}
}

// seal fills in the header of a frame whose payload follows its first
// frameHeader bytes. writeGroup stamps the checksum with the generation.
func seal(fr []byte) []byte {
	payload := fr[frameHeader:]
	binary.BigEndian.PutUint32(fr[:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(fr[4:8], crc32.Checksum(payload, castagnoli))
	return fr
}

// reset empties both files (their frames are in bbolt now) and starts the
// first with a new generation.
func (j *journal) reset() error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	for i := range j.files {
		if err := j.truncate(i); err != nil {
			return err
		}
	}
	j.cur = 0
	return j.startFile(0)
}

// startFile writes a new generation's header at the start of an empty file.
// It is synced with the first group written after it.
func (j *journal) startFile(i int) error {
	j.gen++
	var h [journalHeader]byte
	copy(h[:4], journalMagic)
	binary.BigEndian.PutUint64(h[4:12], j.gen)
	binary.BigEndian.PutUint32(h[12:16], crc32.Checksum(h[:12], castagnoli))
	if _, err := j.files[i].WriteAt(h[:], 0); err != nil {
		return fmt.Errorf("start journal %s: %w", j.paths[i], err)
	}
	j.size[i] = journalHeader
	return nil
}

func (j *journal) truncate(i int) error {
	if err := j.files[i].Truncate(0); err != nil {
		return fmt.Errorf("empty journal %s: %w", j.paths[i], err)
	}
	if err := fdatasync(j.files[i]); err != nil {
		return fmt.Errorf("empty journal %s: %w", j.paths[i], err)
	}
	j.size[i], j.extent[i] = 0, 0
	return nil
}

// recycle empties file i but keeps its blocks: its header is overwritten
// with zeros (an empty file to parseJournal), and the next generation writes
// over the old frames.
func (j *journal) recycle(i int) error {
	if j.extent[i] > maxRecycled {
		return j.truncate(i)
	}
	var zero [journalHeader]byte
	if _, err := j.files[i].WriteAt(zero[:], 0); err != nil {
		return fmt.Errorf("empty journal %s: %w", j.paths[i], err)
	}
	if err := fdatasync(j.files[i]); err != nil {
		return fmt.Errorf("empty journal %s: %w", j.paths[i], err)
	}
	j.size[i] = 0
	return nil
}

// append writes frame and returns once it is synced. onDurable runs before
// append returns, after the sync, in the order the frames are in the file.
// Frames queued while a group is written go together in the next one
// (groupQueue).
func (j *journal) append(frame []byte, onDurable func()) error {
	c := &journalCall{frame: frame, onDurable: onDurable, done: make(chan error, 1)}
	if j.calls.join(c) {
		j.calls.drain(0, func(calls []*journalCall) {
			err := j.writeGroup(calls)
			for _, c := range calls {
				c.done <- err
			}
		})
	}
	return <-c.done
}

func (j *journal) writeGroup(calls []*journalCall) error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	switch {
	case j.closed:
		return errJournalClosed
	case j.broken != nil:
		return j.broken
	}
	buf := calls[0].frame // a group of one is written as it is: the frame is the journal's now
	if len(calls) > 1 {
		buf = j.groupBuf[:0] // reused: one group is written at a time (wmu)
		for _, c := range calls {
			buf = append(buf, c.frame...)
		}
		if cap(buf) <= maxGroupBuf {
			j.groupBuf = buf
		}
	}
	stamp(buf, j.gen) // j.gen is the current file's
	n := len(buf)
	f, at := j.files[j.cur], j.size[j.cur]
	_, err := f.WriteAt(buf, at)
	if err == nil {
		err = fdatasync(f)
	}
	if err != nil {
		// What reached the disk is unknown: stop appending, so that no later
		// save is acknowledged after a hole. Cut the group off where possible,
		// so that its callers, who get an error, do not find it replayed.
		_ = f.Truncate(at)
		j.broken = fmt.Errorf("write journal %s: %w", j.paths[j.cur], err)
		j.failed.Store(&j.broken)
		return j.broken
	}
	j.size[j.cur] += int64(n)
	j.extent[j.cur] = max(j.extent[j.cur], j.size[j.cur])
	for _, c := range calls {
		c.onDurable()
	}
	return nil
}

// turn makes the other file current, if it is empty, and returns the file
// that was current. Every frame in it is confirmed by then. atTurn runs
// while no group is being written, so it sees exactly the saves confirmed
// into the old file and those before it. ok is false when the other file
// still waits to be emptied.
func (j *journal) turn(atTurn func()) (old int, ok bool, err error) {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	atTurn()
	next := 1 - j.cur
	if j.size[next] != 0 {
		return j.cur, false, nil
	}
	if err := j.startFile(next); err != nil {
		return j.cur, false, err
	}
	old, j.cur = j.cur, next
	return old, true, nil
}

// empty recycles file i once everything in it is in bbolt.
func (j *journal) empty(i int) error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	if i == j.cur {
		return nil
	}
	return j.recycle(i)
}

// err is the write failure that stopped the journal, or nil.
func (j *journal) err() error {
	if p := j.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// stopAppends makes every later append fail; a group being written finishes.
func (j *journal) stopAppends() {
	j.wmu.Lock()
	j.closed = true
	j.wmu.Unlock()
}

// close closes the files. When applied is true (bbolt holds everything),
// they are emptied first, so that the next open has nothing to replay.
func (j *journal) close(applied bool) error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	j.closed = true
	var errs []error
	if applied && j.broken == nil && j.files[0] != nil {
		for i := range j.files {
			errs = append(errs, j.truncate(i))
		}
	}
	errs = append(errs, j.closeFiles())
	return errors.Join(errs...)
}

func (j *journal) closeFiles() error {
	var errs []error
	for i, f := range j.files {
		if f != nil {
			errs = append(errs, f.Close())
			j.files[i] = nil
		}
	}
	return errors.Join(errs...)
}

// encodeSave is the journal frame of one save. Its payload: length-prefixed
// screening JSON, case JSON (empty for none), audit JSON, then the history
// entries as count and (seq, length-prefixed record) pairs. It is built in
// place behind the frame header, not copied into a frame after, and into
// buf when it is large enough (frames are reused: see framePool).
func encodeSave(sv *savedScreening, buf []byte) ([]byte, error) {
	audit, err := json.Marshal(sv.audit)
	if err != nil {
		return nil, fmt.Errorf("encode audit record: %w", err)
	}
	n := frameHeader + len(sv.scrJSON) + len(sv.caseJSON) + len(audit) + 32
	for _, h := range sv.history {
		n += len(h.data) + 20
	}
	b := buf[:0]
	if cap(b) < n {
		b = make([]byte, 0, n)
	}
	b = b[:frameHeader]
	b = appendLPBytes(b, sv.scrJSON)
	b = appendLPBytes(b, sv.caseJSON)
	b = appendLPBytes(b, audit)
	b = binary.AppendUvarint(b, uint64(len(sv.history)))
	for _, h := range sv.history {
		b = binary.AppendUvarint(b, h.seq)
		b = appendLPBytes(b, h.data)
	}
	return seal(b), nil
}

// framePool keeps frames for reuse: append is done with its frame once it
// returns, and a frame is a few KB for every screening.
type framePool struct{ p sync.Pool }

// maxPooledFrame keeps rare large frames (a screening with huge evidence)
// from staying in the pool.
const maxPooledFrame = 64 << 10

func (fp *framePool) get() []byte {
	if b, ok := fp.p.Get().(*[]byte); ok {
		return *b
	}
	return nil
}

func (fp *framePool) put(b []byte) {
	if cap(b) <= maxPooledFrame {
		fp.p.Put(&b)
	}
}

func appendLPBytes(b, field []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(field)))
	return append(b, field...)
}

// decodeSave reads a journal payload back. The screening, case and audit
// record are decoded; history entries carry only what writing them needs.
func decodeSave(b []byte) (*savedScreening, error) {
	var fields [3][]byte
	rest := b
	for i := range fields {
		var ok bool
		if fields[i], rest, ok = cutLP(rest); !ok {
			return nil, errors.New("truncated save")
		}
	}
	sv := &savedScreening{scrJSON: fields[0], caseJSON: fields[1]}
	var scr screening.Screening
	if err := json.Unmarshal(fields[0], &scr); err != nil {
		return nil, fmt.Errorf("screening: %w", err)
	}
	if scr.ID == "" {
		return nil, errors.New("screening without an id")
	}
	sv.scr = keysOf(&scr)
	if len(fields[1]) > 0 {
		if err := json.Unmarshal(fields[1], &sv.c); err != nil {
			return nil, fmt.Errorf("case: %w", err)
		}
		if sv.c == nil || sv.c.ID == "" {
			return nil, errors.New("case without an id")
		}
	}
	if err := json.Unmarshal(fields[2], &sv.audit); err != nil {
		return nil, fmt.Errorf("audit record: %w", err)
	}
	count, size := binary.Uvarint(rest)
	if size <= 0 || count > uint64(len(rest)) {
		return nil, errors.New("truncated history count")
	}
	rest = rest[size:]
	for range count {
		seq, size := binary.Uvarint(rest)
		if size <= 0 {
			return nil, errors.New("truncated history number")
		}
		data, r, ok := cutLP(rest[size:])
		if !ok {
			return nil, errors.New("truncated history record")
		}
		sv.history = append(sv.history, &pendingEntry{seq: seq, data: bytes.Clone(data)})
		rest = r
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes after the save", len(rest))
	}
	return sv, nil
}
