package load

// This file turns a key indented to the wrong level into one finding that
// says so, instead of an unknown key at one level and a missing one at the
// other. A key that is unknown where it is written but belongs to an
// enclosing mapping that lacks it is indented too far; one that belongs to
// a mapping above it that lacks it, indented too little. Either way the
// value is decoded where it belongs, so the rest of the checks see it.

import (
	"bytes"
	"fmt"
	"reflect"

	"github.com/goccy/go-yaml/ast"

	"gitops/tools/internal/diag"
)

// frame is a struct being decoded from a mapping.
type frame struct {
	v       reflect.Value
	path    string
	info    *structInfo
	entries []entry
	// col is the column of the mapping's keys; 0 for a flow mapping, whose
	// indentation means nothing.
	col int
	// recovered are keys of this struct found written at another level.
	recovered []string
}

// missingKey is a required key a struct's mapping lacks.
type missingKey struct {
	key     string
	index   int
	v       reflect.Value
	path    string
	col     int
	finding diag.Diagnostic
	found   bool // written elsewhere, and reported as such
}

func (d *decoder) push(n ast.Node, v reflect.Value, path string, info *structInfo, entries []entry) *frame {
	fr := &frame{v: v, path: path, info: info, entries: entries}
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(entries) > 0 && entries[0].via == nil {
		fr.col = d.pos(entries[0].keyN).Col
	}
	d.frames = append(d.frames, fr)
	return fr
}

func (d *decoder) pop() { d.frames = d.frames[:len(d.frames)-1] }

// misplaced reports, and decodes where it belongs, an unknown key e of
// frame fr that belongs to another level; it returns false when e is no
// such key.
func (d *decoder) misplaced(fr *frame, e entry) bool {
	if fr.col == 0 || e.via != nil {
		return false
	}
	col := d.pos(e.keyN).Col
	// Too far: an enclosing struct has the key and lacks it.
	for i := len(d.frames) - 2; i >= 0; i-- {
		outer := d.frames[i]
		f, ok := outer.info.fields[e.key]
		if !ok {
			continue
		}
		if outer.col == 0 || hasKey(outer.entries, e.key) || contains(outer.recovered, e.key) {
			return false
		}
		d.errorf(e.keyN, "yaml-indent", "%q is indented under %s; it belongs to %s, whose keys are at column %d",
			e.key, describePath(fr.path), describePath(outer.path), outer.col).
			hint("move %s: left to column %d", e.key, outer.col)
		outer.recovered = append(outer.recovered, e.key)
		d.decodeInto(e, outer.v, outer.path, f)
		return true
	}
	// Too little: a struct decoded before, further in, lacks the key.
	for i := len(d.missing) - 1; i >= 0; i-- {
		m := &d.missing[i]
		if m.key != e.key || m.found || m.col <= col || !under(m.path, fr.path) {
			continue
		}
		m.found = true
		d.errorf(e.keyN, "yaml-indent", "%q at column %d is outside %s, the mapping it belongs to, whose keys are at column %d",
			e.key, col, describePath(m.path), m.col).
			hint("indent %s: to column %d", e.key, m.col)
		d.decodeInto(e, m.v, m.path, structInfoOf(m.v.Type()).fields[e.key])
		return true
	}
	return false
}

// decodeInto decodes entry e into field f of struct v at path.
func (d *decoder) decodeInto(e entry, v reflect.Value, path string, f fieldInfo) {
	given := make([]fieldGiven, v.NumField())
	d.decodeField(e, v, path, f, given)
}

// reportMissing reports the required keys still missing once the document
// is decoded.
func (d *decoder) reportMissing() {
	for _, m := range d.missing {
		if !m.found {
			d.report(m.finding)
		}
	}
	d.missing = nil
}

// under reports whether path is inside (or is) the value at parent.
func under(path, parent string) bool {
	if parent == "" || path == parent {
		return true
	}
	return len(path) > len(parent) && path[:len(parent)] == parent && (path[len(parent)] == '.' || path[len(parent)] == '[')
}

// describePath names a value by its path for a message.
func describePath(path string) string {
	if path == "" {
		return "the document"
	}
	return path
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// misaligned explains a syntax error on line errLine of a document (text,
// starting at line first) whose key lines up with no mapping above it:
// which key, at which column, and the columns of the mappings around it.
func misaligned(text []byte, first, errLine int) (msg, hint string, ok bool) {
	type level struct {
		col int
		key string
	}
	var levels []level
	lines := bytes.Split(text, []byte("\n"))
	if errLine-first >= len(lines) || errLine < first {
		return "", "", false
	}
	keyAt := func(line []byte) (int, string) {
		i := 0
		for i < len(line) && (line[i] == ' ' || line[i] == '-' && i+1 < len(line) && line[i+1] == ' ') {
			i++
		}
		rest := line[i:]
		colon := bytes.Index(rest, []byte(": "))
		if colon < 0 && bytes.HasSuffix(rest, []byte(":")) {
			colon = len(rest) - 1
		}
		if colon <= 0 || rest[0] == '#' || bytes.ContainsAny(rest[:colon], "{}[]\"'#") {
			return -1, ""
		}
		return i + 1, string(rest[:colon])
	}
	for _, line := range lines[:errLine-first] {
		col, key := keyAt(line)
		if col < 0 {
			continue
		}
		for len(levels) > 0 && levels[len(levels)-1].col > col {
			levels = levels[:len(levels)-1]
		}
		if len(levels) > 0 && levels[len(levels)-1].col == col {
			levels[len(levels)-1].key = key
		} else {
			levels = append(levels, level{col, key})
		}
	}
	col, key := keyAt(lines[errLine-first])
	if col < 0 || len(levels) == 0 {
		return "", "", false
	}
	var inner, outer *level
	for i := range levels {
		switch l := &levels[i]; {
		case l.col == col:
			return "", "", false
		case l.col < col:
			outer = l
		case inner == nil:
			inner = l
		}
	}
	msg = fmt.Sprintf("%q at column %d lines up with no mapping above it", key, col)
	switch {
	case inner != nil && outer != nil:
		hint = fmt.Sprintf("move %s: to column %d, beside %s, or to column %d, beside %s", key, inner.col, inner.key, outer.col, outer.key)
	case inner != nil:
		hint = fmt.Sprintf("move %s: to column %d, beside %s", key, inner.col, inner.key)
	default:
		hint = fmt.Sprintf("move %s: to column %d, beside %s, or indent it under the key it belongs to", key, outer.col, outer.key)
	}
	return msg, hint, true
}
