package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/hikiai/hikiai/screening"
)

// decodeJSON reads the body strictly into v: one JSON value, no unknown fields,
// right types. On failure it returns an EINVALID error naming every bad field
// with its full path (items[0].quantity), or ETOOLARGE.
func decodeJSON(c *gin.Context, v any) error {
	body, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return screening.Errorf(screening.ETOOLARGE, "request body is larger than %d bytes", tooBig.Limit)
	}
	if err != nil {
		return invalid("body", "could not be read")
	}
	return unmarshalStrict(body, v)
}

func unmarshalStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return invalid("body", "empty: a JSON object is required")
	}
	if !utf8.Valid(body) {
		return invalid("body", "not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return invalid("body", "more than one JSON value")
		}
		return nil
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return invalid("body", fmt.Sprintf("malformed JSON at byte %d: %s", syn.Offset, syn.Error()))
	}
	// Type errors and unknown fields: walk the document against the Go type to name
	// every bad field with array indexes, which encoding/json does not give.
	var generic any
	if gerr := json.Unmarshal(body, &generic); gerr != nil {
		return invalid("body", "malformed JSON: "+gerr.Error())
	}
	fields := map[string]string{}
	walkJSON(generic, reflect.TypeOf(v), "", fields)
	if len(fields) == 0 {
		fields["body"] = strings.TrimPrefix(err.Error(), "json: ")
	}
	return &screening.Error{Code: screening.EINVALID, Message: "the request body has invalid fields", Fields: fields}
}

var timeType = reflect.TypeOf(time.Time{})

// walkJSON compares a generic JSON value with the Go type it must decode into and
// records each mismatch under its path.
func walkJSON(val any, t reflect.Type, path string, fields map[string]string) {
	for t.Kind() == reflect.Pointer {
		if val == nil {
			return
		}
		t = t.Elem()
	}
	name := path
	if name == "" {
		name = "body"
	}
	if val == nil {
		return // null leaves the zero value, as encoding/json does
	}
	switch {
	case t == timeType:
		s, ok := val.(string)
		if _, err := time.Parse(time.RFC3339, s); !ok || err != nil {
			fields[name] = "must be an RFC 3339 time, e.g. 2026-11-20T10:00:00Z"
		}
	case t.Kind() == reflect.Struct:
		obj, ok := val.(map[string]any)
		if !ok {
			fields[name] = "must be an object"
			return
		}
		for k, sub := range obj {
			f, ok := jsonField(t, k)
			if !ok {
				name := k
				if name == "" {
					name = `""` // an empty key still needs a visible name
				}
				fields[join(path, name)] = "unknown field"
				continue
			}
			walkJSON(sub, f.Type, join(path, k), fields)
		}
	case t.Kind() == reflect.Slice:
		arr, ok := val.([]any)
		if !ok {
			fields[name] = "must be an array"
			return
		}
		for i, sub := range arr {
			walkJSON(sub, t.Elem(), fmt.Sprintf("%s[%d]", path, i), fields)
		}
	case t.Kind() == reflect.Map:
		if _, ok := val.(map[string]any); !ok {
			fields[name] = "must be an object"
		}
	case t.Kind() == reflect.String:
		if _, ok := val.(string); !ok {
			fields[name] = "must be a string"
		}
	case t.Kind() == reflect.Bool:
		if _, ok := val.(bool); !ok {
			fields[name] = "must be true or false"
		}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Float64:
		n, ok := val.(float64)
		if !ok {
			fields[name] = "must be a number"
		} else if t.Kind() <= reflect.Uint64 && n != float64(int64(n)) {
			fields[name] = "must be a whole number"
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// jsonField finds the struct field a JSON key decodes into, by tag, exactly or
// ignoring case as encoding/json does.
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	var fold reflect.StructField
	found := false
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if sub, ok := jsonField(f.Type, key); ok {
				return sub, true
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == key {
			return f, true
		}
		if !found && strings.EqualFold(name, key) {
			fold, found = f, true
		}
	}
	return fold, found
}
