package diff

import (
	"encoding/json"
	"regexp"
	"strconv"
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
	if secretPath.MatchString(lastSegment(path)) || holdsSecret(v) {
		return redacted(true)
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
	// One line per value: a multi-line string (gitlab.rb) shows its breaks.
	s = strings.ReplaceAll(s, "\n", `\n`)
	if len(s) > maxValue {
		s = s[:maxValue] + "…"
	}
	return s
}

// holdsSecret tells whether a whole object or list shown as one value (a
// list that changed length, a property added) holds a secret anywhere
// inside: a key named like one, or an object whose Name or Key is.
func holdsSecret(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if secretPath.MatchString(k) || holdsSecret(e) {
				return true
			}
		}
		for _, key := range []string{"Name", "Key"} {
			if name, ok := x[key].(string); ok && secretPath.MatchString(name) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if holdsSecret(e) {
				return true
			}
		}
	}
	return false
}

// namedSecret tells whether the value at a slash path sits in an object
// whose Name or Key looks like a secret's: {"Name": "DB_PASSWORD", "Value": …}.
func namedSecret(props any, path string) bool {
	parts := strings.Split(path, "/")
	if len(parts) < 2 {
		return false
	}
	v := props
	for _, part := range parts[:len(parts)-1] {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return false
			}
			v = x[i]
		default:
			return false
		}
	}
	parent, ok := v.(map[string]any)
	if !ok {
		return false
	}
	for _, key := range []string{"Name", "Key"} {
		if name, ok := parent[key].(string); ok && secretPath.MatchString(name) {
			return true
		}
	}
	return false
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

func redacted(set bool) string {
	if !set {
		return ""
	}
	return "(redacted)"
}
