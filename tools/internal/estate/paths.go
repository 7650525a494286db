package estate

import (
	"reflect"
	"strings"
)

// ValidPath tells whether path (as Doc.Pos takes it, e.g.
// vpcs[0].subnets[1].cidr) could name a value in a document of type t:
// each key a field of the struct it is in, by its YAML name, and each index
// on a list. Below a map, or a value of any type, every path is valid (the
// keys are the user's); a value the loader decodes from a scalar has
// nothing below it.
func ValidPath(t reflect.Type, path string) bool {
	for path != "" {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Map, reflect.Interface:
			return true
		case reflect.Slice, reflect.Array:
			if !strings.HasPrefix(path, "[") {
				return false
			}
			end := strings.IndexByte(path, ']')
			if end < 2 || strings.Trim(path[1:end], "0123456789") != "" {
				return false
			}
			path = path[end+1:]
			t = t.Elem()
		case reflect.Struct:
			path = strings.TrimPrefix(path, ".")
			key := path
			if i := strings.IndexAny(path, ".["); i >= 0 {
				key = path[:i]
			}
			f, ok := yamlField(t, key)
			if !ok {
				return false
			}
			path = path[len(key):]
			t = f.Type
		default:
			return false
		}
	}
	return true
}

// yamlField finds the field of struct t whose YAML name is key.
func yamlField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.IsExported() && name != "-" && name != "" && name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
