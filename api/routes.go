package api

import (
	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

// routes registers every route of the service in one place.
func (s *Server) routes(r *gin.Engine) {
	r.Use(s.withRequest, recoverPanic)
	r.NoRoute(func(c *gin.Context) { fail(c, screening.Errorf(screening.ENOTFOUND, "no such route")) })
	r.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(405, ErrorBody{Error: ErrorDetail{Code: "method_not_allowed", Message: "method not allowed", RequestID: requestID(c)}})
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.GET("/metrics", gin.WrapH(s.metrics.handler()))
	r.GET("/openapi.json", serveOpenAPI)

	const (
		sales    = screening.RoleSales
		erp      = screening.RoleERP
		reviewer = screening.RoleReviewer
		admin    = screening.RoleAdmin
	)
	v1 := r.Group("/v1", limitBody, s.authenticate, s.limiter.limit)
	v1.POST("/screenings", allow(sales, erp, admin), s.createScreening)
	v1.GET("/screenings", allow(sales, erp, reviewer, admin), s.listScreenings)
	v1.GET("/screenings/:id", allow(sales, erp, reviewer, admin), s.getScreening)
	v1.GET("/lists", allow(sales, erp, reviewer, admin), s.getLists)
	v1.GET("/search", allow(sales, erp, reviewer, admin), s.search)
	v1.POST("/names/compare", allow(sales, erp, reviewer, admin), s.compareNames)
	// A batch may be larger than MaxBodyBytes, so it has its own group and limit.
	// "\\:" is gin's escape for a literal colon (Google's custom-method style).
	r.Group("/v1", limitBodyTo(MaxBatchBodyBytes), s.authenticate, s.limiter.limit).
		POST("/screenings\\:batch", allow(sales, erp, admin), s.createScreeningBatch)
	v1.GET("/cases", allow(reviewer, admin), s.listCases)
	v1.GET("/cases/:id", allow(reviewer, admin), s.getCase)
	v1.POST("/cases/:id/decision", allow(reviewer, admin), s.decideCase)
	v1.POST("/cases/:id/suppressions", allow(reviewer, admin), s.suppressHit)
	v1.GET("/audit", allow(admin), s.listAudit)
	v1.POST("/webhooks", allow(admin), s.createWebhook)
	v1.GET("/webhooks", allow(admin), s.listWebhooks)
	v1.GET("/webhooks/:id", allow(admin), s.getWebhook)
	v1.PATCH("/webhooks/:id", allow(admin), s.updateWebhook)
	v1.DELETE("/webhooks/:id", allow(admin), s.deleteWebhook)
	v1.GET("/webhooks/:id/deliveries", allow(admin), s.listDeliveries)

	// The pages for people: "/" and /ui/... (package web, sessions instead of bearer keys).
	s.mountWeb(r)
}
