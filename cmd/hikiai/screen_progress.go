package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progress shows how far a batch has got: a redrawn bar with rate and ETA on a
// terminal, a plain line every few seconds otherwise (logs, CI). Every other
// message to the same stream goes through printf, so that it does not land in
// the middle of the bar.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool
	total    int // 0 when unknown (standard input)
	done     int
	start    time.Time
	lastDraw time.Time
	every    time.Duration
	drawn    bool // the bar is on the terminal's current line
	hidden   bool // --quiet: count, print messages, draw nothing
	now      func() time.Time
}

func newProgress(w io.Writer, tty bool, total int, now func() time.Time) *progress {
	p := &progress{w: w, tty: tty, total: total, now: now, start: now(), every: 5 * time.Second}
	if tty {
		p.every = 100 * time.Millisecond
	}
	return p
}

// isTerminal reports whether w is a character device (a terminal), without a
// terminal library: a pipe or a file is not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// add counts n more rows done and redraws when it is time.
func (p *progress) add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if t := p.now(); !p.hidden && t.Sub(p.lastDraw) >= p.every {
		p.lastDraw = t
		p.draw(t)
	}
}

// printf writes a message line, moving the bar below it.
func (p *progress) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintf(p.w, format, args...)
	if p.tty && !p.hidden {
		p.draw(p.now())
	}
}

// finish draws the final state and leaves the line.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && !p.hidden {
		p.draw(p.now())
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

func (p *progress) clear() {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// rate is rows per second since the start.
func (p *progress) rate(t time.Time) float64 {
	el := t.Sub(p.start).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(p.done) / el
}

func (p *progress) draw(t time.Time) {
	rate := p.rate(t)
	eta := ""
	if p.total > 0 && rate > 0 && p.done <= p.total {
		eta = formatETA(time.Duration(float64(p.total-p.done) / rate * float64(time.Second)))
	}
	if !p.tty {
		if p.total > 0 {
			fmt.Fprintf(p.w, "progress: %d/%d rows (%.1f%%), %.0f rows/s, ETA %s\n", p.done, p.total, percent(p.done, p.total), rate, eta)
		} else {
			fmt.Fprintf(p.w, "progress: %d rows, %.0f rows/s\n", p.done, rate)
		}
		return
	}
	var line string
	if p.total > 0 {
		const width = 30
		filled := min(width, p.done*width/p.total)
		bar := strings.Repeat("=", filled)
		if filled < width {
			bar += ">" + strings.Repeat(" ", width-filled-1)
		}
		line = fmt.Sprintf("[%s] %5.1f%% %s/%s  %s rows/s  ETA %s", bar, percent(p.done, p.total),
			groupDigits(p.done), groupDigits(p.total), groupDigits(int(rate)), eta)
	} else {
		line = fmt.Sprintf("%s rows  %s rows/s", groupDigits(p.done), groupDigits(int(rate)))
	}
	fmt.Fprint(p.w, "\r\x1b[K"+line)
	p.drawn = true
}

func percent(done, total int) float64 {
	if total == 0 {
		return 0
	}
	return 100 * float64(min(done, total)) / float64(total)
}

// formatETA shows 1:02:03, 2:03 or 0:07.
func formatETA(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// groupDigits writes 100000 as 100,000.
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
