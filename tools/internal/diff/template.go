package diff

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
)

// Template is what the diff reads of a CloudFormation template.
type Template struct {
	Parameters map[string]any      `json:"Parameters"`
	Resources  map[string]Resource `json:"Resources"`
	Outputs    map[string]Output   `json:"Outputs"`
}

// Resource is one resource of a template.
type Resource struct {
	Type                string         `json:"Type"`
	Properties          map[string]any `json:"Properties"`
	DeletionPolicy      string         `json:"DeletionPolicy"`
	UpdateReplacePolicy string         `json:"UpdateReplacePolicy"`
}

// Output is one output of a template.
type Output struct {
	Value any `json:"Value"`
}

// ParseTemplate reads a JSON template.
func ParseTemplate(data []byte) (*Template, error) {
	var t Template
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// ref is a reference from a value to a resource or parameter of its
// template: Ref (the physical id), GetAtt (an attribute) or a ${} of Fn::Sub.
type ref struct {
	target string
	getAtt bool
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// refsOf lists the references inside v.
func refsOf(v any) []ref {
	var out []ref
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 1 {
				if s, ok := x["Ref"].(string); ok {
					out = append(out, ref{target: s})
					return
				}
				if a, ok := x["Fn::GetAtt"]; ok {
					switch a := a.(type) {
					case []any:
						if len(a) > 0 {
							if s, ok := a[0].(string); ok {
								out = append(out, ref{target: s, getAtt: true})
							}
						}
					case string:
						name, _, _ := strings.Cut(a, ".")
						out = append(out, ref{target: name, getAtt: true})
					}
					return
				}
				if sub, ok := x["Fn::Sub"]; ok {
					text := sub
					if list, ok := sub.([]any); ok && len(list) > 0 {
						text = list[0]
						for _, rest := range list[1:] {
							walk(rest)
						}
					}
					if s, ok := text.(string); ok {
						for _, m := range subVar.FindAllStringSubmatch(s, -1) {
							name, _, dotted := strings.Cut(m[1], ".")
							out = append(out, ref{target: name, getAtt: dotted})
						}
					}
					return
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// intrinsic tells whether v holds a value CloudFormation computes at
// deploy time: a function, a reference or a dynamic reference.
func intrinsic(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if isFunction(x) {
			return true
		}
		for _, e := range x {
			if intrinsic(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if intrinsic(e) {
				return true
			}
		}
	case string:
		return strings.Contains(x, "{{resolve:")
	}
	return false
}

// isFunction tells whether m is itself an intrinsic function call.
func isFunction(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// valuesAt collects the values at a create-only path (segments separated
// by /, * for every item of a list); absent values are nil.
func valuesAt(v any, path string) []any {
	if path == "" {
		return []any{v}
	}
	head, rest, _ := strings.Cut(path, "/")
	switch x := v.(type) {
	case map[string]any:
		if head == "*" {
			return nil
		}
		return valuesAt(x[head], rest)
	case []any:
		if head != "*" {
			return nil
		}
		var out []any
		for _, e := range x {
			out = append(out, valuesAt(e, rest)...)
		}
		if out == nil {
			out = []any{}
		}
		return out
	}
	return []any{nil}
}

func equal(a, b any) bool { return reflect.DeepEqual(a, b) }

// leafChange is one changed value below a resource's properties.
type leafChange struct {
	path     string
	old, new any
	// oldSet, newSet tell absent from null.
	oldSet, newSet bool
}

// leafChanges lists what differs between two values, descending into
// objects and same-length lists so a policy edit shows the statement
// that changed rather than the whole document.
func leafChanges(path string, old, new any, oldSet, newSet bool, out *[]leafChange) {
	walkLeaves(path, old, new, oldSet, newSet, false, out)
}

// stringBuilders are the functions whose result changes when a literal
// piece of them does.
var stringBuilders = []string{"Fn::Join", "Fn::Sub"}

// walkLeaves is leafChanges; intoBuilders also descends into the same
// string-building function on both sides, to find the literal that changed.
func walkLeaves(path string, old, new any, oldSet, newSet, intoBuilders bool, out *[]leafChange) {
	if oldSet && newSet && equal(old, new) {
		return
	}
	om, ok1 := old.(map[string]any)
	nm, ok2 := new.(map[string]any)
	if intoBuilders && ok1 && ok2 && isFunction(om) && isFunction(nm) {
		for _, fn := range stringBuilders {
			oa, inOld := om[fn]
			na, inNew := nm[fn]
			if inOld && inNew {
				walkLeaves(path, oa, na, true, true, intoBuilders, out)
				return
			}
		}
	}
	if ok1 && ok2 && !isFunction(om) && !isFunction(nm) {
		for _, k := range sortedKeys(om, nm) {
			ov, oin := om[k]
			nv, nin := nm[k]
			walkLeaves(joinPath(path, k), ov, nv, oin, nin, intoBuilders, out)
		}
		return
	}
	ol, ok1 := old.([]any)
	nl, ok2 := new.([]any)
	if ok1 && ok2 && len(ol) == len(nl) {
		for i := range ol {
			walkLeaves(joinPath(path, fmt.Sprint(i)), ol[i], nl[i], true, true, intoBuilders, out)
		}
		return
	}
	*out = append(*out, leafChange{path: path, old: old, new: new, oldSet: oldSet, newSet: newSet})
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "/" + key
}

func sortedKeys[V any](maps ...map[string]V) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	return keys
}
