//go:build !unix

package refresh

// lockDir does not lock where flock is missing: run one refresh at a time.
func lockDir(string) (func(), error) { return func() {}, nil }
