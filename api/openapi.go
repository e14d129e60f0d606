package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openAPIDocument is the hand-written OpenAPI 3.1 description of every route.
// openapi_test.go keeps it true: it validates real answers of the handlers
// against it and fails when a route is added without being documented.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the OpenAPI document served at GET /openapi.json.
func OpenAPIDocument() []byte { return openAPIDocument }

// serveOpenAPI is GET /openapi.json (no auth: the document holds no secrets and
// client generators fetch it before they have a key).
func serveOpenAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json", openAPIDocument)
}
