package boltstore

import (
	"os"
	"syscall"
)

// fdatasync flushes f's data and the metadata needed to read it back (its
// size), but not its times: one disk flush fewer than fsync on most
// filesystems.
func fdatasync(f *os.File) error { return syscall.Fdatasync(int(f.Fd())) }
