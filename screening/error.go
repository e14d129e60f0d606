package screening

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error codes, after benbjohnson/wtf. The HTTP layer maps each to one status.
const (
	ECONFLICT      = "conflict"      // 409: idempotency clash, concurrent decision
	EINTERNAL      = "internal"      // 500: logged, never shown in detail
	EINVALID       = "invalid"       // 400: input that fails validation
	ENOTFOUND      = "not_found"     // 404
	EUNAUTHORIZED  = "unauthorized"  // 401
	EFORBIDDEN     = "forbidden"     // 403
	EUNAVAILABLE   = "unavailable"   // 503: store or list data out of reach
	ETOOLARGE      = "too_large"     // 413
	ERATELIMITED   = "rate_limited"  // 429
	EUNPROCESSABLE = "unprocessable" // 422: well-formed but cannot be acted on
)

// Error is an error the domain means a caller to see: a code, a message for
// people, and for EINVALID the fields that are wrong ("customer.name": "required").
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return fmt.Sprintf("%s: %s (%s)", e.Code, e.Message, strings.Join(parts, "; "))
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of an *Error, or "internal error" for any
// other error, so that internal details never reach a client.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
