package schema

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/invopop/jsonschema"
)

// restorePatterns puts back the pattern of every field whose jsonschema tag
// holds one. The reflector splits tags at every comma, so a pattern such as
// ^[a-z][a-z0-9-]{0,62}$ reaches the schema cut after {0; the model's tags
// stay readable, without escaped commas, and the cut is repaired here.
func restorePatterns(s *jsonschema.Schema, root reflect.Type) error {
	var errs []string
	for t, fields := range tagPatterns(root) {
		props := s.Properties
		if t != root {
			def, ok := s.Definitions[t.Name()]
			if !ok {
				errs = append(errs, fmt.Sprintf("no definition for %s", t))
				continue
			}
			props = def.Properties
		}
		for key, pattern := range fields {
			if _, err := regexp.Compile(pattern); err != nil {
				errs = append(errs, fmt.Sprintf("%s.%s: pattern %q: %v", t.Name(), key, pattern, err))
				continue
			}
			p, ok := props.Get(key)
			if !ok {
				errs = append(errs, fmt.Sprintf("%s has no property %s", t.Name(), key))
				continue
			}
			if p.Type == "array" && p.Items != nil {
				p = p.Items
			}
			p.Pattern = pattern
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("patterns: %s", strings.Join(errs, "; "))
	}
	return nil
}

// tagPatterns returns, for root and every struct type reachable from it, the
// pattern of each field that has one, by YAML key.
func tagPatterns(root reflect.Type) map[reflect.Type]map[string]string {
	out := map[reflect.Type]map[string]string{}
	seen := map[reflect.Type]bool{}
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for f := range t.Fields() {
			key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if key == "-" || !f.IsExported() {
				continue
			}
			if pattern, ok := tagPattern(f.Tag.Get("jsonschema")); ok {
				if out[t] == nil {
					out[t] = map[string]string{}
				}
				out[t][key] = pattern
			}
			walk(f.Type)
		}
	}
	walk(root)
	return out
}

// tagPattern finds pattern=… in a jsonschema tag. Commas inside brackets,
// braces and parentheses belong to the pattern; a comma outside them starts
// the next keyword.
func tagPattern(tag string) (string, bool) {
	depth := 0
	start := 0
	for i := 0; i <= len(tag); i++ {
		if i < len(tag) {
			switch tag[i] {
			case '\\':
				i++
				continue
			case '[', '{', '(':
				depth++
				continue
			case ']', '}', ')':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		if p, ok := strings.CutPrefix(tag[start:min(i, len(tag))], "pattern="); ok {
			return p, true
		}
		start = i + 1
	}
	return "", false
}
