package load

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// ScalarDecoder lets a type accept any YAML scalar; typ is string, int,
// float or bool and text the value as written. It returns false to refuse.
type ScalarDecoder interface {
	DecodeScalar(typ, text string) bool
}

// maxNodes bounds the values one document may expand to, so a few aliases
// nested into each other (a "billion laughs") cannot exhaust memory.
const maxNodes = 1_000_000

// maxDepth bounds nesting, so hostile input cannot exhaust the stack.
const maxDepth = 64

// decoder turns one YAML document's AST into a typed value, strictly: unknown
// keys, wrong types, missing required keys and aliases without an anchor are
// findings. It records the position of every value in doc, and carries on
// after a finding so one run reports them all.
type decoder struct {
	doc     *estate.Doc
	diags   *diag.List
	anchors map[string]ast.Node
	nodes   int
	depth   int
}

func newDecoder(doc *estate.Doc, diags *diag.List) *decoder {
	return &decoder{doc: doc, diags: diags, anchors: map[string]ast.Node{}}
}

func (d *decoder) pos(n ast.Node) estate.Pos {
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return estate.Pos{File: d.doc.File, Line: 1, Col: 1}
	}
	return estate.Pos{File: d.doc.File, Line: tk.Position.Line, Col: tk.Position.Column}
}

func (d *decoder) errorf(n ast.Node, rule, format string, args ...any) *diagBuilder {
	dg := diag.Errorf(d.pos(n), rule, format, args...)
	return &diagBuilder{d: d, dg: dg}
}

// diagBuilder adds an optional hint before the finding is recorded.
type diagBuilder struct {
	d  *decoder
	dg diag.Diagnostic
}

func (b *diagBuilder) hint(format string, args ...any) {
	b.d.diags.Add(b.dg.WithHint(format, args...))
}

func (b *diagBuilder) add() { b.d.diags.Add(b.dg) }

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
			name := t.Value.GetToken().Value
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
	d.errorf(n, "yaml-alias", "aliases nest too deeply").add()
	return nil
}

func (d *decoder) register(a *ast.AnchorNode) {
	d.anchors[a.Name.GetToken().Value] = a.Value
}

// skip walks a value that is not decoded (under an unknown key) only to
// register its anchors, so later aliases to them do not cascade into errors.
func (d *decoder) skip(n ast.Node) {
	ast.Walk(anchorVisitor{d}, n)
}

type anchorVisitor struct{ d *decoder }

func (v anchorVisitor) Visit(n ast.Node) ast.Visitor {
	if a, ok := n.(*ast.AnchorNode); ok {
		v.d.register(a)
	}
	return v
}

// decode fills v from n; path names v inside the document.
func (d *decoder) decode(n ast.Node, v reflect.Value, path string) {
	d.nodes++
	if d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.errorf(n, "yaml-size", "document expands to more than %d values", maxNodes).
				hint("aliases that refer to each other multiply the size; write the values out")
		}
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		d.errorf(n, "yaml-size", "values nest deeper than %d levels", maxDepth).add()
		return
	}
	n = d.resolve(n)
	if n == nil {
		return
	}
	if !d.doc.Has(path) {
		p := d.pos(n)
		d.doc.Record(path, p.Line, p.Col)
	}
	if _, ok := n.(*ast.NullNode); ok {
		return
	}
	if v.CanAddr() {
		if sd, ok := v.Addr().Interface().(ScalarDecoder); ok {
			typ, text, ok := scalar(n)
			if !ok || !sd.DecodeScalar(typ, text) {
				d.errorf(n, "yaml-type", "expected a string, number or boolean, got %s", describe(n)).add()
			}
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Interface:
		v.Set(reflect.ValueOf(d.generic(n, path)))
	case reflect.String:
		if s, ok := stringValue(n); ok {
			v.SetString(s)
			return
		}
		b := d.errorf(n, "yaml-type", "expected a string, got %s", describe(n))
		if _, _, ok := scalar(n); ok {
			b.hint("quote it: %q", n.GetToken().Value)
			return
		}
		b.add()
	case reflect.Int, reflect.Int64:
		i, ok := n.(*ast.IntegerNode)
		if !ok {
			d.errorf(n, "yaml-type", "expected an integer, got %s", describe(n)).add()
			return
		}
		switch x := i.Value.(type) {
		case int64:
			v.SetInt(x)
		case uint64:
			if x > math.MaxInt64 {
				d.errorf(n, "yaml-type", "integer %d is too large", x).add()
				return
			}
			v.SetInt(int64(x))
		}
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.errorf(n, "yaml-type", "expected true or false, got %s", describe(n)).add()
			return
		}
		v.SetBool(b.Value)
	default:
		panic(fmt.Sprintf("load: unsupported field type %s", v.Type()))
	}
}

// entry is one key of a mapping, after merge keys are applied.
type entry struct {
	key   string
	keyN  ast.Node
	value ast.Node
}

// entries lists a mapping's keys in source order; keys merged in with `<<`
// come after and never override a key written explicitly.
func (d *decoder) entries(n ast.Node, path string) ([]entry, bool) {
	m, ok := n.(*ast.MappingNode)
	if !ok {
		d.errorf(n, "yaml-type", "expected a mapping, got %s", describe(n)).add()
		return nil, false
	}
	var out, merged []entry
	seen := map[string]bool{}
	for _, mv := range m.Values {
		if _, isMerge := mv.Key.(*ast.MergeKeyNode); isMerge {
			merged = append(merged, d.mergeSources(mv.Value, path)...)
			continue
		}
		key := keyString(mv.Key)
		seen[key] = true
		out = append(out, entry{key: key, keyN: mv.Key, value: mv.Value})
	}
	for _, e := range merged {
		if !seen[e.key] {
			seen[e.key] = true
			out = append(out, e)
		}
	}
	return out, true
}

func (d *decoder) mergeSources(n ast.Node, path string) []entry {
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
		s = d.resolve(s)
		if s == nil {
			continue
		}
		es, ok := d.entries(s, path)
		if ok {
			out = append(out, es...)
		}
	}
	return out
}

func (d *decoder) decodeStruct(n ast.Node, v reflect.Value, path string) {
	entries, ok := d.entries(n, path)
	if !ok {
		return
	}
	info := structInfoOf(v.Type())
	present := map[string]bool{}
	for _, e := range entries {
		f, ok := info.fields[e.key]
		if !ok {
			b := d.errorf(e.keyN, "yaml-unknown-key", "unknown key %q", e.key)
			if h := diag.DidYouMean(e.key, info.names); h != "" {
				b.hint("%s", h)
			} else {
				b.hint("known keys here: %s", strings.Join(info.names, ", "))
			}
			d.skip(e.value)
			continue
		}
		if _, null := e.value.(*ast.NullNode); !null {
			present[e.key] = true
		}
		child := estate.FieldPath(path, e.key)
		if isCollection(e.value) {
			// Point at the key for blocks: "vpcs:" reads better than its first item.
			p := d.pos(e.keyN)
			d.doc.Record(child, p.Line, p.Col)
		}
		field := v.Field(f.index)
		d.decode(e.value, field, child)
		// A required string must say something: `vpc: ""` would otherwise
		// pass as present and every reference check would skip it.
		if f.required && field.Kind() == reflect.String && field.String() == "" && present[e.key] {
			d.errorf(e.value, "yaml-required", "key %q is empty", e.key).
				hint("give %s a value", e.key)
		}
	}
	// A missing key is reported at the mapping's first key: the node of a
	// block mapping itself points at its first colon.
	at := n
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		at = m.Values[0].Key
	}
	for _, name := range info.required {
		if !present[name] {
			d.errorf(at, "yaml-required", "missing required key %q", name).
				hint("add %s: to this mapping", name)
		}
	}
}

func isCollection(n ast.Node) bool {
	switch n.(type) {
	case *ast.MappingNode, *ast.SequenceNode:
		return true
	}
	return false
}

func (d *decoder) decodeSlice(n ast.Node, v reflect.Value, path string) {
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		d.errorf(n, "yaml-type", "expected a list, got %s", describe(n)).add()
		return
	}
	out := reflect.MakeSlice(v.Type(), len(s.Values), len(s.Values))
	for i, item := range s.Values {
		d.decode(item, out.Index(i), estate.ItemPath(path, i))
	}
	v.Set(out)
}

func (d *decoder) decodeMap(n ast.Node, v reflect.Value, path string) {
	entries, ok := d.entries(n, path)
	if !ok {
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), len(entries))
	for _, e := range entries {
		child := estate.FieldPath(path, e.key)
		p := d.pos(e.keyN)
		d.doc.Record(child, p.Line, p.Col)
		val := reflect.New(v.Type().Elem()).Elem()
		d.decode(e.value, val, child)
		out.SetMapIndex(reflect.ValueOf(e.key), val)
	}
	v.Set(out)
}

// generic decodes a value of unconstrained shape (AWSTOE inputs) into
// map[string]any, []any, string, int64, float64, bool or nil.
func (d *decoder) generic(n ast.Node, path string) any {
	switch t := n.(type) {
	case *ast.MappingNode:
		entries, _ := d.entries(t, path)
		m := make(map[string]any, len(entries))
		for _, e := range entries {
			child := estate.FieldPath(path, e.key)
			p := d.pos(e.keyN)
			d.doc.Record(child, p.Line, p.Col)
			var val any
			d.decode(e.value, reflect.ValueOf(&val).Elem(), child)
			m[e.key] = val
		}
		return m
	case *ast.SequenceNode:
		s := make([]any, len(t.Values))
		for i, item := range t.Values {
			d.decode(item, reflect.ValueOf(&s[i]).Elem(), estate.ItemPath(path, i))
		}
		return s
	case *ast.IntegerNode:
		if x, ok := t.Value.(int64); ok {
			return x
		}
		return t.GetToken().Value
	case *ast.FloatNode:
		return t.Value
	case *ast.BoolNode:
		return t.Value
	case *ast.NullNode:
		return nil
	}
	if s, ok := stringValue(n); ok {
		return s
	}
	return n.GetToken().Value
}

// scalar classifies a scalar node for ScalarDecoder.
func scalar(n ast.Node) (typ, text string, ok bool) {
	switch t := n.(type) {
	case *ast.IntegerNode:
		return "int", t.GetToken().Value, true
	case *ast.FloatNode:
		return "float", strconv.FormatFloat(t.Value, 'g', -1, 64), true
	case *ast.BoolNode:
		return "bool", strconv.FormatBool(t.Value), true
	}
	if s, ok := stringValue(n); ok {
		return "string", s, true
	}
	return "", "", false
}

func stringValue(n ast.Node) (string, bool) {
	switch t := n.(type) {
	case *ast.StringNode:
		return t.Value, true
	case *ast.LiteralNode:
		return t.Value.Value, true
	}
	return "", false
}

func keyString(k ast.MapKeyNode) string {
	if s, ok := stringValue(k); ok {
		return s
	}
	if tk := k.GetToken(); tk != nil {
		return tk.Value
	}
	return ""
}

// describe names a node's type for messages: "a list", "integer 5".
func describe(n ast.Node) string {
	switch t := n.(type) {
	case *ast.MappingNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.IntegerNode:
		return "integer " + t.GetToken().Value
	case *ast.FloatNode:
		return "number " + t.GetToken().Value
	case *ast.BoolNode:
		return "boolean " + t.GetToken().Value
	case *ast.StringNode, *ast.LiteralNode:
		s, _ := stringValue(n)
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return fmt.Sprintf("string %q", s)
	}
	return strings.ToLower(n.Type().String())
}

// structInfo is what the decoder needs of a struct type, computed once.
type structInfo struct {
	fields   map[string]fieldInfo
	names    []string // sorted, for hints
	required []string // keys without omitempty, in field order
}

type fieldInfo struct {
	index    int
	required bool
}

var structInfos sync.Map // reflect.Type → *structInfo

func structInfoOf(t reflect.Type) *structInfo {
	if si, ok := structInfos.Load(t); ok {
		return si.(*structInfo)
	}
	si := &structInfo{fields: map[string]fieldInfo{}}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if !f.IsExported() || tag == "-" || tag == "" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		required := !strings.Contains(opts, "omitempty")
		si.fields[name] = fieldInfo{index: i, required: required}
		si.names = append(si.names, name)
		if required {
			si.required = append(si.required, name)
		}
	}
	slices.Sort(si.names)
	structInfos.Store(t, si)
	return si
}
