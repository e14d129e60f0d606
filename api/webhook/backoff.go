package webhook

import (
	"time"
)

// Backoff is the retry schedule of failed deliveries: First after the first
// failure, doubling after each further one up to Max, and no more tries once a
// failure happens GiveUpAfter or later past the delivery's creation. With the
// defaults a receiver that is down for a day still gets every event.
type Backoff struct {
	First       time.Duration
	Max         time.Duration
	GiveUpAfter time.Duration
}

// DefaultBackoff: 10 s doubling, capped at 1 h, for 24 h (about 32 tries).
func DefaultBackoff() Backoff {
	return Backoff{First: 10 * time.Second, Max: time.Hour, GiveUpAfter: 24 * time.Hour}
}

// Delay is the wait after the nth failed attempt (n from 1).
func (b Backoff) Delay(n int) time.Duration {
	d := b.First
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Next says when to try again after the nth failed attempt at now, for a
// delivery created at created; retryAfter is what the receiver asked for (0 for
// nothing) and only ever lengthens the wait, up to Max. ok is false when the
// delivery has been retried long enough and should be marked failed.
func (b Backoff) Next(created, now time.Time, n int, retryAfter time.Duration) (next time.Time, ok bool) {
	if now.Sub(created) >= b.GiveUpAfter {
		return time.Time{}, false
	}
	d := b.Delay(n)
	if retryAfter > d {
		d = min(retryAfter, b.Max)
	}
	return now.Add(d), true
}
