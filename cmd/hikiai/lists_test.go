package main

import (
	"slices"
	"testing"
	"time"
)

// The duty cycle lets a build run for a slice and then sleeps it for the rest
// of its share: at 25 %, three times what it ran. A long gap starts afresh
// instead of sleeping it off, and 0 and 100 percent never sleep.
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
		{"100 %", 100, []time.Duration{0, 10 * ms, 10 * ms}, nil},
		{"unset", 0, []time.Duration{0, 10 * ms, 10 * ms}, nil},
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
}

const ms = time.Millisecond
