package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// healthz says the process is alive; it checks nothing else, so that an
// orchestrator restarts only a stuck process, not one waiting for Redis.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz says whether this replica can screen: the store answers and the extra
// readiness checks (lists loaded) pass.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	checks := gin.H{}
	ready := true
	if err := s.store.Ping(ctx); err != nil {
		checks["store"], ready = err.Error(), false
	} else {
		checks["store"] = "ok"
	}
	if s.ready != nil {
		if err := s.ready(ctx); err != nil {
			checks["lists"], ready = err.Error(), false
		} else {
			checks["lists"] = "ok"
		}
	}
	if !ready {
		c.Header("Retry-After", "5")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "checks": checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": checks})
}
