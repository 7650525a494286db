package load

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"

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
	// via is the alias or merge key through which the value being decoded
	// was reached, or nil; see record.
	via ast.Node
	// frames are the structs being decoded, outermost first, and missing
	// the required keys found missing so far; see indent.go.
	frames  []*frame
	missing []missingKey
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
	line, col := tk.Position.Line, tk.Position.Column
	if tk.Type == token.StringType && strings.Contains(strings.Trim(tk.Origin, " \t\n"), "\n") {
		// A plain value over several lines is where it starts.
		line, col = startOf(tk)
	}
	return estate.Pos{File: d.doc.File, Line: line, Col: max(1, col)}
}

// record stores the position of the value at path: where n is written,
// or, inside a value reached through an alias or merged in through one,
// where that alias or merge key is, which is where a reader of path looks
// (and what tells two copies of one anchor apart).
func (d *decoder) record(path string, n ast.Node) {
	if d.via != nil {
		n = d.via
	}
	p := d.pos(n)
	d.doc.Record(path, p.Line, p.Col)
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
	if _, alias := written.(*ast.AliasNode); alias && d.via == nil {
		d.via = written
		defer func() { d.via = nil }()
	}
	if r, bad := checkPlain(n); bad {
		d.record(path, n)
		d.runOn(r, path)
		return
	}
	if !d.doc.Has(path) {
		d.record(path, n)
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
		if !ok && isPlain(n) && tooLargeInteger.MatchString(n.GetToken().Value) {
			// The parser keeps an integer it cannot hold as a string.
			d.errorf(n, "yaml-type", "integer %s is too large", n.GetToken().Value).
				hint("write a whole number below %d", uint64(math.MaxInt64)+1)
			return
		}
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

// runOn reports a plain value that runs on into a line YAML does not allow
// in it, at path.
func (d *decoder) runOn(r plainRunOn, path string) {
	key := path[strings.LastIndexAny(path, ".]")+1:]
	if key == "" {
		key = "this key"
	}
	d.report(diag.Errorf(estate.Pos{File: d.doc.File, Line: r.at[0], Col: r.at[1]}, "yaml-syntax",
		"plain value %s runs on into line %d, where %s cannot be part of it", firstLine(r.first), r.at[0], firstLine(r.bad)).
		WithHint("if the indented lines are the value of %s, delete %s; if they are text, quote the whole value", key, firstLine(r.first)))
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
			return "quote it: " + firstLine(text)
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
			if strings.Contains(text, "\n") {
				return "write a list: one \"- item\" per line"
			}
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
	fr := d.push(n, v, path, info, entries)
	defer d.pop()
	var unknown []string
	for _, e := range entries {
		f, ok := info.fields[e.key]
		if !ok {
			if d.misplaced(fr, e) {
				continue
			}
			b := d.errorf(e.keyN, "yaml-unknown-key", "unknown key %q", e.key)
			h := diag.DidYouMean(e.key, info.names)
			if h != "" {
				b.hint("%s", h)
			} else {
				b.hint("known keys here: %s", strings.Join(info.names, ", "))
			}
			unknown = append(unknown, e.key)
			// Decode a misspelt key as the key it stands for, so its value
			// is checked and nothing that refers to it cascades.
			var meant string
			if _, err := fmt.Sscanf(h, "did you mean %q?", &meant); err == nil {
				if f, ok := info.fields[meant]; ok && given[f.index] == givenNothing && !hasKey(entries, meant) {
					d.decodeField(e, v, path, f, given)
					continue
				}
			}
			d.skip(e.value)
			continue
		}
		d.decodeField(e, v, path, f, given)
	}
	for _, key := range fr.recovered {
		given[info.fields[key].index] = givenValue
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
			// Held until the document is decoded: a key further down may
			// turn out to be this one, indented too little.
			d.missing = append(d.missing, missingKey{
				key: name, index: req.index, v: v, path: path, col: fr.col,
				finding: diag.Errorf(d.pos(at), "yaml-required", "missing required key %q", name).
					WithHint("add %s: to this mapping", name),
			})
		}
	}
}

// decodeField decodes entry e into field f of the struct v at path.
func (d *decoder) decodeField(e entry, v reflect.Value, path string, f fieldInfo, given []fieldGiven) {
	if _, null := d.peek(e.value).(*ast.NullNode); null {
		given[f.index] = givenEmpty
	} else {
		given[f.index] = givenValue
	}
	child := estate.FieldPath(path, f.name)
	via := d.via
	if via == nil {
		d.via = e.via
	}
	if isCollection(d.peek(e.value)) {
		// Point at the key for blocks: "vpcs:" reads better than its first item.
		d.record(child, e.keyN)
	}
	d.decode(e.value, v.Field(f.index), child)
	d.via = via
	// A required string must say something: `vpc: ""` would otherwise
	// pass as present and every reference check would skip it.
	if s, isString := stringValue(d.peek(e.value)); f.required && isString && s == "" {
		d.errorf(e.value, "yaml-required", "key %q is empty", f.name).
			hint("give %s a value", f.name)
	}
}

// hasKey reports whether entries hold key.
func hasKey(entries []entry, key string) bool {
	for _, e := range entries {
		if e.key == key {
			return true
		}
	}
	return false
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
		via := d.via
		if via == nil {
			d.via = e.via
		}
		d.record(child, e.keyN)
		val := reflect.New(v.Type().Elem()).Elem()
		d.decode(e.value, val, child)
		d.via = via
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
			via := d.via
			if via == nil {
				d.via = e.via
			}
			d.record(child, e.keyN)
			var val any
			d.decode(e.value, reflect.ValueOf(&val).Elem(), child)
			d.via = via
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

// tooLargeInteger matches the plain integers the parser leaves as strings.
var tooLargeInteger = regexp.MustCompile(`^[-+]?[0-9]+$`)

// isPlain reports whether n is an unquoted string.
func isPlain(n ast.Node) bool {
	s, ok := n.(*ast.StringNode)
	return ok && s.Token != nil && s.Token.Type == token.StringType
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

// keyString is a mapping key as text, past an explicit "? ", an anchor or
// a tag.
func keyString(k ast.MapKeyNode) string {
	var n ast.Node = k
	for range maxDepth {
		switch t := n.(type) {
		case *ast.MappingKeyNode:
			n = t.Value
		case *ast.AnchorNode:
			n = t.Value
		case *ast.TagNode:
			n = t.Value
		default:
			return scalarText(n)
		}
	}
	return ""
}

// scalarText is a scalar node's text: its value for a string, as written
// for another scalar, empty for null.
func scalarText(n ast.Node) string {
	if n == nil {
		return ""
	}
	if s, ok := stringValue(n); ok {
		return s
	}
	if _, null := n.(*ast.NullNode); null {
		return ""
	}
	if tk := n.GetToken(); tk != nil {
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
		return "string " + firstLine(s)
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
