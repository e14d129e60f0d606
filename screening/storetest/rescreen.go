package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// testRescreenPending: the pending re-screenings are a set of entry keys
// that adds without repeats, removes only what is named, survives a reopen
// and takes a change of many thousands of entries.
func testRescreenPending(t *testing.T, f Factory) {
	st := f.New(t)
	ctx := ctxFor(t)
	pending := func(what string, want ...string) {
		t.Helper()
		got, err := st.RescreenPending(ctx)
		if err != nil {
			t.Fatalf("%s: RescreenPending: %v", what, err)
		}
		if len(got) != len(want) || (len(want) > 0 && !slices.Equal(got, want)) {
			t.Fatalf("%s: pending %v, want %v", what, got, want)
		}
	}
	pending("empty store")
	if err := st.AddRescreenPending(ctx, nil); err != nil {
		t.Fatalf("adding nothing: %v", err)
	}
	pending("after adding nothing")
	if err := st.AddRescreenPending(ctx, []string{"us_csl:SDN:2", "meti_eul:10", "us_csl:SDN:2"}); err != nil {
		t.Fatal(err)
	}
	if err := st.AddRescreenPending(ctx, []string{"meti_eul:10", "un_sc:KPi.001"}); err != nil {
		t.Fatal(err)
	}
	pending("after two adds", "meti_eul:10", "un_sc:KPi.001", "us_csl:SDN:2")

	// A run took the first two; a list change added another meanwhile.
	if err := st.AddRescreenPending(ctx, []string{"uk_fcdo:RUS0003"}); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveRescreenPending(ctx, []string{"meti_eul:10", "un_sc:KPi.001", "not:recorded"}); err != nil {
		t.Fatal(err)
	}
	pending("after a run", "uk_fcdo:RUS0003", "us_csl:SDN:2")

	st = f.Reopen(t, st)
	pending("after reopening", "uk_fcdo:RUS0003", "us_csl:SDN:2")

	// Replicas may record the same change at once.
	big := make([]string, 25_000)
	for i := range big {
		big[i] = fmt.Sprintf("synthetic:%06d", i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		wg.Go(func() { errs <- st.AddRescreenPending(ctx, big) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.RescreenPending(ctx)
	if err != nil || len(got) != len(big)+2 || !slices.IsSorted(got) {
		t.Fatalf("after a large change: %d pending (sorted %v), %v; want %d", len(got), slices.IsSorted(got), err, len(big)+2)
	}
	if err := st.RemoveRescreenPending(ctx, got); err != nil {
		t.Fatal(err)
	}
	pending("after the last run")
}
