package load

// This file is how the decoder sees through anchors, aliases, tags and
// merge keys.

import "github.com/goccy/go-yaml/ast"

// resolve unwraps anchors, aliases and tags. It returns nil after recording
// a finding when the node cannot be used.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for range maxDepth {
		switch t := n.(type) {
		case *ast.AnchorNode:
			// An alias inside its own anchor recurses until maxDepth stops it.
			d.register(t)
			n = t.Value
		case *ast.AliasNode:
			name := aliasName(t)
			target, ok := d.anchors[name]
			if !ok {
				d.errorf(t, "yaml-alias", "alias *%s refers to no anchor", name).
					hint("define &%s before this line, or spell the alias like its anchor", name)
				return nil
			}
			n = target
		case *ast.TagNode:
			n = t.Value
		default:
			return n
		}
	}
	d.errorf(n, "yaml-alias", "aliases nest too deeply").
		hint("an anchor that holds an alias to itself has no value; write the value out")
	return nil
}

func aliasName(a *ast.AliasNode) string {
	if a.Value == nil || a.Value.GetToken() == nil {
		return ""
	}
	return a.Value.GetToken().Value
}

// unwrap looks through anchors and tags, but not aliases.
func unwrap(n ast.Node) ast.Node {
	for range maxDepth {
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		default:
			return n
		}
	}
	return n
}

// peek looks through anchors, tags and aliases without recording anything,
// to see what a value is before decoding it.
func (d *decoder) peek(n ast.Node) ast.Node {
	for range maxDepth {
		n = unwrap(n)
		a, ok := n.(*ast.AliasNode)
		if !ok {
			return n
		}
		target, ok := d.anchors[aliasName(a)]
		if !ok {
			return n
		}
		n = target
	}
	return n
}

func (d *decoder) register(a *ast.AnchorNode) {
	d.anchors[a.Name.GetToken().Value] = a.Value
}

// skip walks a value that is not decoded (under an unknown key) to
// register its anchors, so later aliases to them do not cascade into
// errors, and to report plain values that run on, which are syntax errors
// wherever they are.
func (d *decoder) skip(n ast.Node) {
	ast.Walk(skipVisitor{d}, n)
}

type skipVisitor struct{ d *decoder }

func (v skipVisitor) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok {
		v.d.register(a)
	}
	if r, bad := checkPlain(n); bad {
		v.d.runOn(r, "")
	}
	return v
}

// entry is one key of a mapping, after merge keys are applied.
type entry struct {
	key   string
	keyN  ast.Node
	value ast.Node
	// via is the merge key (<<) that brought the entry in through an alias.
	via ast.Node
}

// key is a mapping key as text, registering an anchor on it and following
// an alias.
func (d *decoder) key(k ast.MapKeyNode) string {
	var n ast.Node = k
	if mk, ok := n.(*ast.MappingKeyNode); ok {
		n = mk.Value
	}
	if a, ok := n.(*ast.AnchorNode); ok {
		d.register(a)
	}
	if a, ok := unwrap(n).(*ast.AliasNode); ok {
		if target, ok := d.anchors[aliasName(a)]; ok {
			return scalarText(unwrap(target))
		}
	}
	return keyString(k)
}

// entries lists a mapping's keys in source order; keys merged in with `<<`
// come after and never override a key written explicitly.
func (d *decoder) entries(n ast.Node, path string) ([]entry, bool) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.typeError(n, "a mapping")
		return nil, false
	}
	out := make([]entry, 0, len(m.Values))
	var merged []entry
	for _, mv := range m.Values {
		if _, isMerge := mv.Key.(*ast.MergeKeyNode); isMerge {
			merged = append(merged, d.mergeSources(mv.Key, mv.Value, path)...)
			continue
		}
		out = append(out, entry{key: d.key(mv.Key), keyN: mv.Key, value: mv.Value})
	}
	if len(merged) == 0 {
		return out, true
	}
	seen := make(map[string]bool, len(out)+len(merged))
	for _, e := range out {
		seen[e.key] = true
	}
	for _, e := range merged {
		if !seen[e.key] {
			seen[e.key] = true
			out = append(out, e)
		}
	}
	return out, true
}

// mergeSources returns the entries a merge key's value brings in: one
// mapping or a list of mappings, earlier ones taking precedence. Merged
// mappings may merge others in turn, so each source counts toward the
// document's size and depth limits.
func (d *decoder) mergeSources(key, n ast.Node, path string) []entry {
	if !d.enter(n) {
		return nil
	}
	defer d.leave()
	_, allAliased := unwrap(n).(*ast.AliasNode)
	n = d.resolve(n)
	if n == nil {
		return nil
	}
	var sources []ast.Node
	if s, ok := n.(*ast.SequenceNode); ok {
		sources = s.Values
	} else {
		sources = []ast.Node{n}
	}
	var out []entry
	for _, s := range sources {
		if !d.enter(s) {
			return out
		}
		_, aliased := unwrap(s).(*ast.AliasNode)
		s = d.resolve(s)
		if s == nil {
			d.leave()
			continue
		}
		if _, ok := s.(*ast.MappingNode); !ok {
			d.errorf(s, "yaml-merge", "a merge key takes a mapping or a list of mappings, got %s", describe(s)).
				hint("write <<: *anchor where &anchor names a mapping")
			d.leave()
			continue
		}
		es, _ := d.entries(s, path)
		if aliased || allAliased {
			for i := range es {
				es[i].via = key
			}
		}
		out = append(out, es...)
		d.leave()
	}
	return out
}
