package main

import "testing"

func TestProcsFor(t *testing.T) {
	tests := []struct {
		name            string
		env             string
		numCPU, current int
		want            int
		set             bool
	}{
		{name: "2-core machine", numCPU: 2, current: 2, want: 4, set: true},
		{name: "1-core machine", numCPU: 1, current: 1, want: 4, set: true},
		{name: "GOMAXPROCS set by the operator", env: "2", numCPU: 2, current: 2},
		{name: "enough CPUs", numCPU: 8, current: 8},
		{name: "exactly enough", numCPU: 4, current: 4},
		{name: "a container quota below the CPUs", numCPU: 8, current: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, set := procsFor(tt.env, tt.numCPU, tt.current)
			if got != tt.want || set != tt.set {
				t.Errorf("procsFor(%q, %d, %d) = %d, %v; want %d, %v", tt.env, tt.numCPU, tt.current, got, set, tt.want, tt.set)
			}
		})
	}
}
