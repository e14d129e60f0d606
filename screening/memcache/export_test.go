package memcache

// LeasesAndWindows is the number of locks and rate windows held (tests only).
func LeasesAndWindows(c *Cache) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.locks) + len(c.windows)
}
