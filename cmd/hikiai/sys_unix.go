//go:build unix

package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

func umask(mask int) int { return syscall.Umask(mask) }

// errLocked says another process holds the lock.
var errLocked = errors.New("another process holds the lock")

// lockFile takes an exclusive lock on path (created 0600 if missing) for as
// long as the process lives or until release. The kernel drops the lock when
// the process dies, so a killed server leaves no stale lock behind. The file
// itself stays: removing it would let two processes lock two different files
// of the same name.
func lockFile(path string) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock %s: %w", path, errLocked)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
