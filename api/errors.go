package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

// statusOf is the one place where domain error codes become HTTP statuses.
var statusOf = map[string]int{
	screening.EINVALID:       http.StatusBadRequest,
	screening.EUNAUTHORIZED:  http.StatusUnauthorized,
	screening.EFORBIDDEN:     http.StatusForbidden,
	screening.ENOTFOUND:      http.StatusNotFound,
	screening.ECONFLICT:      http.StatusConflict,
	screening.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	screening.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	screening.ERATELIMITED:   http.StatusTooManyRequests,
	screening.EUNAVAILABLE:   http.StatusServiceUnavailable,
	screening.EINTERNAL:      http.StatusInternalServerError,
}

// statusClientClosed is nginx's status for a request whose client left
// before the answer; only logs and metrics see it.
const statusClientClosed = 499

// ErrorBody is the JSON shape of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong; Fields names each bad input field.
type ErrorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// fail writes err as a JSON error answer and aborts the chain. Internal errors
// are logged with the request id and shown only as "internal error".
func fail(c *gin.Context, err error) {
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client went away (an ERP that timed out, a closed tab): nobody
		// reads this answer, and it is not the server's fault. 499 is the
		// status proxies log for it; a 500 would page someone for nothing.
		logger(c).Info("client closed the request", slog.Any("err", err))
		c.AbortWithStatusJSON(statusClientClosed, ErrorBody{Error: ErrorDetail{
			Code: screening.EUNAVAILABLE, Message: "the client closed the request", RequestID: requestID(c)}})
		return
	}
	code := screening.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status, code = http.StatusInternalServerError, screening.EINTERNAL
	}
	detail := ErrorDetail{Code: code, Message: screening.ErrorMessage(err), RequestID: requestID(c)}
	var e *screening.Error
	if errors.As(err, &e) {
		detail.Fields = e.Fields
	}
	switch status {
	case http.StatusInternalServerError:
		logger(c).Error("internal error", slog.Any("err", err))
	case http.StatusServiceUnavailable:
		logger(c).Warn("unavailable", slog.Any("err", err))
		c.Header("Retry-After", "5")
	}
	c.AbortWithStatusJSON(status, ErrorBody{Error: detail})
}

func invalid(field, why string) error {
	return &screening.Error{Code: screening.EINVALID, Message: "invalid " + field, Fields: map[string]string{field: why}}
}
