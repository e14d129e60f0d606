package main

import (
	"slices"
	"testing"
	"time"
)

// The duty cycle lets a build run for a slice and then sleeps it for the rest
// of its share: at 25 %, three times what it ran. A long gap starts afresh
// instead of sleeping it off, and 0 and 100 percent are not paced at all.
func TestDutyCycle(t *testing.T) {
	tests := []struct {
		name    string
		percent int
		steps   []time.Duration // clock advance before each call of pace
		want    []time.Duration
	}{
		{"25 %", 25, []time.Duration{0, 2 * ms, 2 * ms, 2 * ms, 1 * ms, 6 * ms}, []time.Duration{18 * ms, 21 * ms}},
		{"50 %", 50, []time.Duration{0, 5 * ms, 5 * ms}, []time.Duration{5 * ms, 5 * ms}},
		{"under a slice", 25, []time.Duration{0, ms, ms, ms}, nil},
		{"a gap is not slept off", 25, []time.Duration{0, time.Hour, 2 * ms, 4 * ms}, []time.Duration{18 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
			var slept []time.Duration
			d := newDutyCycle(tt.percent)
			d.now = func() time.Time { return clock }
			d.sleep = func(s time.Duration) { slept = append(slept, s); clock = clock.Add(s) }
			for _, step := range tt.steps {
				clock = clock.Add(step)
				d.pace()
			}
			if !slices.Equal(slept, tt.want) {
				t.Errorf("slept %v, want %v", slept, tt.want)
			}
		})
	}
	for percent, paced := range map[int]bool{0: false, 1: true, 25: true, 99: true, 100: false} {
		if got := reloadPace(percent) != nil; got != paced {
			t.Errorf("reloadPace(%d): paced %v, want %v", percent, got, paced)
		}
	}
}

const ms = time.Millisecond
