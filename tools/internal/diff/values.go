package diff

import (
	"encoding/json"
	"regexp"
	"strings"
)

// secretPath matches property paths whose values may be secrets: they are
// reported as changed, never shown.
var secretPath = regexp.MustCompile(`(?i)(password|passphrase|secret(string|accesskey|key)?$|token|privatekey|credential|apikey|authkey)`)

// maxValue is the longest value shown; a longer one is cut.
const maxValue = 120

// display renders a template value for the report: "" when absent,
// "(redacted)" for a secret's path.
func display(path string, v any, set bool) string {
	if !set {
		return ""
	}
	if secretPath.MatchString(lastSegment(path)) {
		return "(redacted)"
	}
	var s string
	if str, ok := v.(string); ok {
		s = str
	} else {
		b, err := json.Marshal(v)
		if err != nil {
			return "(unprintable)"
		}
		s = string(b)
	}
	if len(s) > maxValue {
		s = s[:maxValue] + "…"
	}
	return s
}

// lastSegment is the last named key of a slash path (list indexes skipped).
func lastSegment(path string) string {
	parts := strings.Split(path, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if strings.Trim(parts[i], "0123456789") != "" {
			return parts[i]
		}
	}
	return path
}
