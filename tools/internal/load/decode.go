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
	doc *estate.Doc
	// line is where the document starts, the position of values the
	// parser gives none.
	line    int
	report  func(diag.Diagnostic)
	anchors map[string]ast.Node
	nodes   int
	depth   int
	// tooBig is set once the document exceeded maxNodes or maxDepth; the
	// decoder then stops, so a hostile document yields one finding, not millions.
	tooBig bool
}

func newDecoder(doc *estate.Doc, line int, report func(diag.Diagnostic)) *decoder {
	return &decoder{doc: doc, line: line, report: report, anchors: map[string]ast.Node{}}
}

func (d *decoder) pos(n ast.Node) estate.Pos {
	// A block mapping's token is its first colon; its first key is where a
	// reader sees the mapping start.
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 {
		n = m.Values[0].Key
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil || tk.Position.Line < d.line {
		return estate.Pos{File: d.doc.File, Line: d.line, Col: 1}
	}
	return estate.Pos{File: d.doc.File, Line: tk.Position.Line, Col: max(1, tk.Position.Column)}
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
	b.d.report(b.dg.WithHint(format, args...))
}

// enter accounts for one more value at one more level of nesting; it
// returns false, after reporting once, when the document is too big. Every
// successful enter must be followed by leave.
func (d *decoder) enter(n ast.Node) bool {
	if d.tooBig {
		return false
	}
	d.nodes++
	if d.nodes > maxNodes {
		d.tooBig = true
		d.errorf(n, "yaml-size", "document expands to more than %d values", maxNodes).
			hint("aliases that refer to each other multiply the size; write the values out")
		return false
	}
	if d.depth >= maxDepth {
		d.tooBig = true
		d.errorf(n, "yaml-size", "values nest deeper than %d levels", maxDepth).
			hint("an alias inside its own anchor, or a merge key that merges its own mapping, nests without end; write the values out")
		return false
	}
	d.depth++
	return true
}

func (d *decoder) leave() { d.depth-- }

// decode fills v from n; path names v inside the document.
func (d *decoder) decode(n ast.Node, v reflect.Value, path string) {
	if !d.enter(n) {
		return
	}
	defer d.leave()
	written := unwrap(n)
	n = d.resolve(n)
	if n == nil {
		return
	}
	if !d.doc.Has(path) {
		// An alias is recorded where it is written, not where its anchor is:
		// that is the line a reader of this path looks at.
		if _, alias := written.(*ast.AliasNode); !alias {
			written = n
		}
		p := d.pos(written)
		d.doc.Record(path, p.Line, p.Col)
	}
	if _, ok := n.(*ast.NullNode); ok {
		return
	}
	if v.CanAddr() {
		if sd, ok := v.Addr().Interface().(ScalarDecoder); ok {
			typ, text, ok := scalar(n)
			if !ok || !sd.DecodeScalar(typ, text) {
				d.typeError(n, "a string, number or boolean")
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
		d.typeError(n, "a string")
	case reflect.Int, reflect.Int64:
		i, ok := n.(*ast.IntegerNode)
		if !ok {
			d.typeError(n, "an integer")
			return
		}
		switch x := i.Value.(type) {
		case int64:
			v.SetInt(x)
		case uint64:
			if x > math.MaxInt64 {
				d.errorf(n, "yaml-type", "integer %d is too large", x).
					hint("write a number below %d", uint64(math.MaxInt64)+1)
				return
			}
			v.SetInt(int64(x))
		}
	case reflect.Bool:
		b, ok := n.(*ast.BoolNode)
		if !ok {
			d.typeError(n, "true or false")
			return
		}
		v.SetBool(b.Value)
	default:
		panic(fmt.Sprintf("load: unsupported field type %s", v.Type()))
	}
}

// typeError reports a value of the wrong type; want is "a string", "a list",
// …. Anchors inside the value are still registered, so aliases to them do
// not add findings of their own.
func (d *decoder) typeError(n ast.Node, want string) {
	d.errorf(n, "yaml-type", "expected %s, got %s", want, describe(n)).hint("%s", typeHint(want, n))
	d.skip(n)
}

// typeHint says how to write a value of type want in place of n.
func typeHint(want string, n ast.Node) string {
	_, _, isScalar := scalar(n)
	text := ""
	if tk := n.GetToken(); tk != nil {
		text = tk.Value
	}
	switch want {
	case "a string":
		if isScalar {
			return fmt.Sprintf("quote it: %q", text)
		}
	case "an integer":
		if isScalar {
			return "write a whole number, without quotes"
		}
		return "write a single whole number here"
	case "true or false":
		return "write true or false, without quotes"
	case "a list":
		if isScalar {
			return fmt.Sprintf("write it as a list: [%s], or one \"- item\" per line", text)
		}
		return "write a list: one \"- item\" per line, or [a, b]"
	case "a mapping":
		return "write key: value lines indented under this key, or {key: value}"
	}
	return "write a single value here, not a list or a mapping"
}

func (d *decoder) decodeStruct(n ast.Node, v reflect.Value, path string) {
	entries, ok := d.entries(n, path)
	if !ok {
		return
	}
	info := structInfoOf(v.Type())
	// given says, per field, whether the mapping set it; kept on the stack
	// for the usual small structs, since every list item is one.
	var buf [32]fieldGiven
	given := buf[:0]
	if nf := v.NumField(); nf <= len(buf) {
		given = buf[:nf]
	} else {
		given = make([]fieldGiven, nf)
	}
	var unknown []string
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
			unknown = append(unknown, e.key)
			continue
		}
		if _, null := d.peek(e.value).(*ast.NullNode); null {
			given[f.index] = givenEmpty
		} else {
			given[f.index] = givenValue
		}
		child := estate.FieldPath(path, e.key)
		if isCollection(d.peek(e.value)) {
			// Point at the key for blocks: "vpcs:" reads better than its first item.
			p := d.pos(e.keyN)
			d.doc.Record(child, p.Line, p.Col)
		}
		field := v.Field(f.index)
		d.decode(e.value, field, child)
		// A required string must say something: `vpc: ""` would otherwise
		// pass as present and every reference check would skip it.
		if s, isString := stringValue(d.peek(e.value)); f.required && isString && s == "" {
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
	for _, req := range info.required {
		name := req.name
		switch {
		case given[req.index] == givenValue:
		case misspelt(name, unknown):
			// The unknown key's finding already suggests this one.
		case given[req.index] == givenEmpty:
			d.errorf(keyNode(entries, name, at), "yaml-required", "required key %q has no value", name).
				hint("write its value after %s:", name)
		default:
			d.errorf(at, "yaml-required", "missing required key %q", name).
				hint("add %s: to this mapping", name)
		}
	}
}

// fieldGiven is what a mapping gave a struct field.
type fieldGiven uint8

const (
	givenNothing fieldGiven = iota
	givenEmpty              // the key, without a value
	givenValue
)

// keyNode returns the node of key name among entries, or else.
func keyNode(entries []entry, name string, orElse ast.Node) ast.Node {
	for _, e := range entries {
		if e.key == name {
			return e.keyN
		}
	}
	return orElse
}

// misspelt reports whether one of the unknown keys is a plausible typo of name.
func misspelt(name string, unknown []string) bool {
	for _, u := range unknown {
		if diag.DidYouMean(u, []string{name}) != "" {
			return true
		}
	}
	return false
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
		d.typeError(n, "a list")
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
		// The parser keeps non-negative integers as uint64.
		switch x := t.Value.(type) {
		case int64:
			return x
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x)
			}
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
	names    []string    // sorted, for hints
	required []fieldInfo // keys without omitempty, in field order
}

type fieldInfo struct {
	name     string
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
		fi := fieldInfo{name: name, index: i, required: !strings.Contains(opts, "omitempty")}
		si.fields[name] = fi
		si.names = append(si.names, name)
		if fi.required {
			si.required = append(si.required, fi)
		}
	}
	slices.Sort(si.names)
	structInfos.Store(t, si)
	return si
}
