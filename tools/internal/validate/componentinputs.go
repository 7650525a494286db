package validate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// The checks of a step's inputs against its action module (componentactions.go).

// checkInputs checks a step's inputs against its action's spec.
func (cc *componentCheck) checkInputs(path, action string, spec actionSpec, inputs any) {
	comp := &cc.comp.Doc
	ipath := path + ".inputs"
	if inputs == nil {
		if !spec.optional {
			cc.c.report(diag.Errorf(comp.Pos(path+".action"), "component-inputs", "%s needs inputs", action).
				WithHint("%s", inputsExample(action, spec)))
		}
		return
	}
	type entry struct {
		path string
		m    map[string]any
	}
	var entries []entry
	switch v := inputs.(type) {
	case map[string]any:
		entries = append(entries, entry{ipath, v})
	case []any:
		if len(v) == 0 && !spec.optional {
			cc.c.report(diag.Errorf(comp.Pos(ipath), "component-inputs", "%s inputs are empty", action).
				WithHint("%s", inputsExample(action, spec)))
		}
		for i, item := range v {
			p := estate.ItemPath(ipath, i)
			m, ok := item.(map[string]any)
			if !ok {
				cc.c.report(diag.Errorf(comp.Pos(p), "component-inputs", "each %s input must be a mapping, got %s", action, describeValue(item)).
					WithHint("%s", inputsExample(action, spec)))
				continue
			}
			entries = append(entries, entry{p, m})
		}
	default:
		cc.c.report(diag.Errorf(comp.Pos(ipath), "component-inputs", "%s inputs must be a mapping, got %s", action, describeValue(inputs)).
			WithHint("%s", inputsExample(action, spec)))
	}
	for _, e := range entries {
		cc.checkEntry(e.path, action, spec, e.m)
	}
}

// checkEntry checks one input mapping: required keys, known keys and the
// shape of each value.
func (cc *componentCheck) checkEntry(path, action string, spec actionSpec, m map[string]any) {
	comp := &cc.comp.Doc
	for _, k := range spec.required {
		if _, ok := m[k]; !ok {
			cc.c.report(diag.Errorf(comp.Pos(path), "component-inputs", "%s input has no %s", action, k).
				WithHint("%s", inputsExample(action, spec)))
		}
	}
	if len(spec.oneOf) > 0 {
		var given []string
		for _, k := range spec.oneOf {
			if _, ok := m[k]; ok {
				given = append(given, k)
			}
		}
		if len(given) != 1 {
			at := path
			if len(given) > 1 {
				at = estate.FieldPath(path, given[1])
			}
			cc.c.report(diag.Errorf(comp.Pos(at), "component-inputs", "%s needs exactly one of %s", action, strings.Join(spec.oneOf, " and ")).
				WithHint("%s", inputsExample(action, spec)))
		}
	}
	if spec.keys == nil {
		if len(m) == 0 {
			cc.c.report(diag.Errorf(comp.Pos(path), "component-inputs", "%s needs an expression", action).
				WithHint("e.g. inputs: {stringEquals: expected, value: '{{ build.Step.outputs.stdout }}'}"))
		}
		return
	}
	known := slices.Sorted(maps.Keys(spec.keys))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kp := estate.FieldPath(path, k)
		kind, ok := spec.keys[k]
		if !ok {
			d := diag.Warningf(comp.Pos(kp), "component-input-unknown", "%s has no input %q", action, k)
			if h := diag.DidYouMean(k, known); h != "" {
				d = d.WithHint("%s", h)
			} else {
				d = d.WithHint("%s inputs: %s", action, strings.Join(known, ", "))
			}
			cc.c.report(d)
			continue
		}
		cc.checkInputValue(kp, action, k, kind, spec.enums[k], m[k])
	}
	if action == "WebDownload" {
		_, sum := m["checksum"]
		_, alg := m["algorithm"]
		if sum != alg {
			at := estate.FieldPath(path, "checksum")
			if alg {
				at = estate.FieldPath(path, "algorithm")
			}
			cc.c.report(diag.Errorf(comp.Pos(at), "component-inputs", "WebDownload verifies a download only with both checksum and algorithm").
				WithHint("give both, e.g. checksum: <sha256 hex> and algorithm: SHA256"))
		}
		if b, _ := m["ignoreCertificateErrors"].(bool); b {
			cc.c.report(diag.Warningf(comp.Pos(path+".ignoreCertificateErrors"), "component-insecure-download", "WebDownload ignores TLS certificate errors").
				WithHint("anyone on the path can swap the file; trust the certificate on the build instance, or give a checksum"))
		}
	}
}

var (
	s3URLPattern  = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$`)
	webURLPattern = regexp.MustCompile(`^https?://[^\s/]+`)
)

// checkInputValue checks the shape of one input value. Strings holding a
// {{ reference }} are resolved at run time and pass any typed check.
func (cc *componentCheck) checkInputValue(path, action, key string, kind inputKind, enum []string, v any) {
	comp := &cc.comp.Doc
	bad := func(want, hint string) {
		cc.c.report(diag.Errorf(comp.Pos(path), "component-inputs", "%s input %s must be %s, got %s", action, key, want, describeValue(v)).
			WithHint("%s", hint))
	}
	s, isString := v.(string)
	if isString && strings.Contains(s, "{{") && kind != inStringList && kind != inStringMap && kind != inDocParams {
		return
	}
	switch kind {
	case inString:
		switch v.(type) {
		case string, int64, float64:
		default:
			bad("a string", "write one value, quoted if it looks like a number")
			return
		}
	case inStringList:
		list, ok := v.([]any)
		if !ok {
			if isString && key == "commands" {
				bad("a list of strings", "write each command as a list item:\n  commands:\n    - |\n      "+firstLine(s))
			} else {
				bad("a list of strings", "write it as a YAML list: - item")
			}
			return
		}
		if len(list) == 0 && key == "commands" {
			cc.c.report(diag.Errorf(comp.Pos(path), "component-inputs", "%s input commands is empty", action).
				WithHint("add the commands to run, one list item each"))
			return
		}
		for i, item := range list {
			if _, ok := item.(string); !ok {
				cc.c.report(diag.Errorf(comp.Pos(estate.ItemPath(path, i)), "component-inputs", "%s input %s[%d] must be a string, got %s", action, key, i, describeValue(item)).
					WithHint("quote it so YAML keeps it text"))
			}
		}
		return
	case inBool:
		if _, ok := v.(bool); !ok && !(isString && (s == "true" || s == "false")) {
			bad("true or false", "write true or false")
		}
		return
	case inInt:
		if n, ok := asInt(v); !ok || n < 0 {
			bad("a whole number of seconds, 0 or more", "e.g. delaySeconds: 60")
		}
		return
	case inStringMap:
		m, ok := v.(map[string]any)
		if !ok {
			bad("a mapping of names to values", "e.g. properties: {TARGETDIR: 'C:\\\\app'}")
			return
		}
		for k, item := range m {
			switch item.(type) {
			case string, int64, float64, bool:
			default:
				cc.c.report(diag.Errorf(comp.Pos(estate.FieldPath(path, k)), "component-inputs", "%s input %s.%s must be a single value, got %s", action, key, k, describeValue(item)).
					WithHint("write one value, quoted"))
			}
		}
		return
	case inAny:
		return
	case inS3URL:
		if !isString || !s3URLPattern.MatchString(s) {
			bad("an S3 URL", "write s3://bucket/key (end a key prefix with /* to take every object under it)")
		}
		return
	case inWebURL:
		if !isString || !webURLPattern.MatchString(s) {
			bad("an https:// URL", "write the full URL, e.g. https://example.com/app.zip")
			return
		}
		if strings.HasPrefix(s, "http://") {
			cc.c.report(diag.Warningf(comp.Pos(path), "component-insecure-download", "WebDownload fetches %s over plain HTTP", s).
				WithHint("use https://, or verify the file with checksum and algorithm"))
		}
		return
	case inDocParams:
		list, ok := v.([]any)
		if !ok {
			bad("a list of {name, value}", "parameters:\n  - name: MyParameter\n    value: my-value")
			return
		}
		for i, item := range list {
			m, ok := item.(map[string]any)
			_, hasName := m["name"]
			_, hasValue := m["value"]
			if !ok || !hasName || !hasValue {
				cc.c.report(diag.Errorf(comp.Pos(estate.ItemPath(path, i)), "component-inputs", "ExecuteDocument parameter %d needs name and value", i).
					WithHint("- name: MyParameter\n  value: my-value"))
			}
		}
		return
	}
	if enum != nil && isString && !slices.ContainsFunc(enum, func(e string) bool { return strings.EqualFold(e, s) }) {
		d := diag.Errorf(comp.Pos(path), "component-inputs", "%s input %s %q is not one of %s", action, key, s, strings.Join(enum, ", "))
		if h := diag.DidYouMean(s, enum); h != "" {
			d = d.WithHint("%s", h)
		} else {
			d = d.WithHint("use one of %s", strings.Join(enum, ", "))
		}
		cc.c.report(d)
	}
}

// asInt reads an integer input. The loader hands positive integers of
// free-form values over as their text, so digit strings count too.
func asInt(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case string:
		n, err := strconv.ParseInt(t, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// describeValue names a generic value's type for messages.
func describeValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case bool:
		return fmt.Sprintf("boolean %v", t)
	case int64, float64:
		return fmt.Sprintf("number %v", t)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// inputsExample shows the documented form of an action's inputs.
func inputsExample(action string, spec actionSpec) string {
	switch action {
	case "ExecuteBash", "ExecutePowerShell":
		return "inputs:\n  commands:\n    - echo hello\n(or inputs: {file: path/to/script})"
	case "Assert":
		return "inputs: {stringEquals: expected, value: '{{ build.Step.outputs.stdout }}'}"
	}
	var keys []string
	for _, k := range spec.required {
		keys = append(keys, k+": …")
	}
	if len(keys) == 0 {
		for _, k := range slices.Sorted(maps.Keys(spec.keys)) {
			keys = append(keys, k+": …")
		}
	}
	if spec.list {
		return "inputs:\n  - " + strings.Join(keys, "\n    ")
	}
	return "inputs:\n  " + strings.Join(keys, "\n  ")
}
