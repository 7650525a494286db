package load

// This file is the byte pre-scan every file passes before the YAML parser
// sees it. The parser's cost grows with the square of the nesting depth and
// it mishandles a few byte-level things (CR line ends, a byte order mark,
// an empty document directly followed by another), so the pre-scan settles
// them first, in one cheap pass: the encoding, the size, the nesting depth
// and where each document starts and ends.

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// MaxFileSize is the largest file the loader reads. The largest real file,
// a transit gateway carrying AWS's maximum of 10,000 routes, is about 700 KB.
const MaxFileSize = 2 << 20

// The limits on a file's shape, judged from its bytes before parsing, which
// bound the parser's time and memory: how deeply its collections nest (real
// files: fewer than ten levels), how many values it holds (lines with
// content, and items of flow collections; a gateway with 10,000 routes
// written {destination: …, attachment: …} has about 32,000) and how many
// keys a block mapping has.
const (
	maxNesting = maxDepth
	maxValues  = 50_000
	maxKeys    = 200
)

// document is one YAML document of a file: text[start:end] of its source,
// starting at line (1-based); first is the line of its --- or its first
// content. Empty documents hold only comments, blank lines, directives and
// markers.
type document struct {
	start, end  int
	line, first int
	empty       bool
}

// source is a file's text as the parser gets it, and its documents.
type source struct {
	text []byte
	docs []document
}

// prescan checks data's encoding, size and nesting and splits it into
// documents. It returns false, after reporting, when the file cannot be
// parsed safely. Positions in its findings are as an editor shows them.
func prescan(file string, data []byte, report func(diag.Diagnostic)) (source, bool) {
	at := func(line, col int) estate.Pos { return estate.Pos{File: file, Line: line, Col: col} }
	if len(data) > MaxFileSize {
		report(tooBig(file, int64(len(data))))
		return source{}, false
	}
	if enc := utf16or32(data); enc != "" {
		report(diag.Errorf(at(1, 1), "yaml-encoding", "file is encoded as %s", enc).
			WithHint("save it as UTF-8"))
		return source{}, false
	}
	text, ok := normalize(data, func(line, col int, bad string) {
		hint := "delete it, or write it as an escape (\\u…) in a double-quoted string"
		if strings.HasPrefix(bad, "byte") {
			hint = "save the file as UTF-8 (it looks like another encoding, such as Latin-1)"
		}
		report(diag.Errorf(at(line, col), "yaml-encoding", "%s", bad).WithHint("%s", hint))
	})
	if !ok {
		return source{}, false
	}
	docs, over := splitDocuments(text)
	if over != nil {
		report(diag.Errorf(at(over.line, over.col), over.rule, "%s", over.msg).WithHint("%s", over.hint))
		return source{}, false
	}
	return source{text: text, docs: docs}, true
}

// tooBig is the finding for a file of size bytes, more than MaxFileSize.
func tooBig(file string, size int64) diag.Diagnostic {
	return diag.Errorf(estate.Pos{File: file, Line: 1, Col: 1}, "yaml-size", "file is %s, more than the %s the loader reads",
		bytesize(size), bytesize(MaxFileSize)).
		WithHint("split its documents over several files")
}

// bytesize renders a byte count for messages.
func bytesize(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", (n+1023)/1024)
}

// utf16or32 names the encoding of a file written in UTF-16 or UTF-32, by
// its byte order mark or, without one, the zero bytes of its first
// character (YAML files start with an ASCII character), as YAML 1.2 §5.2
// detects them.
func utf16or32(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0, 0, 0xFE, 0xFF}), len(b) >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0:
		return "UTF-32 (big-endian)"
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}), len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0:
		return "UTF-32 (little-endian)"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}), len(b) >= 2 && b[0] == 0 && b[1] != 0:
		return "UTF-16 (big-endian)"
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), len(b) >= 2 && b[0] != 0 && b[1] == 0:
		return "UTF-16 (little-endian)"
	}
	return ""
}

// normalize returns data as the parser should see it: without a leading
// byte order mark, and with CR LF and lone CR line ends turned into LF, so
// the parser's lines are the editor's. It copies only when it must. It
// reports the first byte YAML does not allow (invalid UTF-8, a NUL or other
// control character) and returns false.
func normalize(data []byte, bad func(line, col int, what string)) ([]byte, bool) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	var out []byte // nil until the first CR
	line, col := 1, 1
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\n':
				line, col = line+1, 0
			case c == '\r':
				if out == nil {
					out = append(make([]byte, 0, len(data)), data[:i]...)
				}
				out = append(out, '\n')
				if i+1 < len(data) && data[i+1] == '\n' {
					i++
				}
				line, col, i = line+1, 1, i+1
				continue
			case c == 0:
				bad(line, col, "a NUL byte, which YAML does not allow")
				return nil, false
			case c < ' ' && c != '\t', c == 0x7F:
				bad(line, col, fmt.Sprintf("control character U+%04X, which YAML does not allow", c))
				return nil, false
			}
			if out != nil {
				out = append(out, c)
			}
			col++
			i++
			continue
		}
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			bad(line, col, fmt.Sprintf("byte 0x%02X is not UTF-8", c))
			return nil, false
		case r >= 0x80 && r <= 0x9F && r != 0x85, r == 0xFFFE, r == 0xFFFF:
			bad(line, col, fmt.Sprintf("control character U+%04X, which YAML does not allow", r))
			return nil, false
		}
		if out != nil {
			out = append(out, data[i:i+n]...)
		}
		col++
		i += n
	}
	if out == nil {
		return data, true
	}
	return out, true
}

// splitDocuments finds the documents of text and checks the limits on
// their shape (nesting, values, keys per mapping), returning the first
// place that exceeds one.
//
// A line starting with --- or ... (then a space or its end) is always a
// document marker: YAML forbids both inside scalars. Directives (%YAML)
// belong to the document after them.
func splitDocuments(text []byte) ([]document, *overLimit) {
	var docs []document
	var n nesting
	values := 0 // of the whole file
	cur := document{line: 1, empty: true}
	marked := false // cur has its --- line
	// directive is the line of the first directive waiting for its ---, and
	// version whether one was %YAML.
	directive, version := 0, false
	noDocument := func() *overLimit {
		return &overLimit{line: directive, col: 1, rule: "yaml-syntax", msg: "a directive without a document after it",
			hint: "write --- and the document after the directives, or delete them"}
	}
	lineNo := 1
	for pos := 0; pos < len(text); lineNo++ {
		end := bytes.IndexByte(text[pos:], '\n')
		next := pos + end + 1
		if end < 0 {
			end, next = len(text)-pos, len(text)
		}
		line := text[pos : pos+end]
		from := 0
		switch {
		case isMarker(line, "---"):
			if marked || !cur.empty {
				cur.end = pos
				docs = append(docs, cur)
				cur = document{start: pos, line: lineNo, empty: true}
			}
			marked = true
			directive, version = 0, false
			cur.first = lineNo
			values += n.values
			n = nesting{}
			from = 3
		case isMarker(line, "..."):
			if directive > 0 {
				return nil, noDocument()
			}
			values += n.values
			n = nesting{}
			cur.end = next
			docs = append(docs, cur)
			cur = document{start: next, line: lineNo + 1, empty: true}
			marked = false
			pos = next
			continue
		case cur.empty && !marked && len(line) > 0 && line[0] == '%':
			// A directive, part of the next document's header.
			if bytes.HasPrefix(line, []byte("%YAML ")) || bytes.HasPrefix(line, []byte("%YAML\t")) {
				switch {
				case !yamlDirective.Match(line):
					return nil, &overLimit{line: lineNo, col: 1, rule: "yaml-syntax", msg: "malformed %YAML directive", hint: "write %YAML 1.2"}
				case version:
					return nil, &overLimit{line: lineNo, col: 1, rule: "yaml-syntax", msg: "a second %YAML directive for one document", hint: "delete one"}
				}
				version = true
			}
			if directive == 0 {
				directive = lineNo
			}
			pos = next
			continue
		}
		col, over := n.line(line, from)
		if over == nil && values+n.values > maxValues {
			over = &overLimit{col: max(col, 1), rule: "yaml-size", msg: fmt.Sprintf("file holds more than %d values", maxValues),
				hint: "split its documents over several files"}
		}
		if over != nil {
			over.line = lineNo
			return nil, over
		}
		if col >= 0 && directive > 0 && !marked {
			return nil, &overLimit{line: directive, col: 1, rule: "yaml-syntax", msg: "a directive not followed by ---",
				hint: "write --- on the line after the directives"}
		}
		if col >= 0 && cur.empty {
			cur.empty = false
			if !marked {
				cur.first = lineNo
			}
		}
		pos = next
	}
	if directive > 0 {
		return nil, noDocument()
	}
	cur.end = len(text)
	if marked || !cur.empty || len(docs) == 0 {
		docs = append(docs, cur)
	}
	return docs, nil
}

// overLimit is where a file first exceeds a limit on its shape (rule
// yaml-size), or breaks a rule of YAML the parser would let pass
// (yaml-syntax).
type overLimit struct {
	line, col       int
	rule, msg, hint string
}

func syntaxAt(col int, msg, hint string) *overLimit {
	return &overLimit{col: col, rule: "yaml-syntax", msg: msg, hint: hint}
}

// yamlDirective is a valid %YAML directive line.
var yamlDirective = regexp.MustCompile(`^%YAML[ \t]+[0-9]+\.[0-9]+([ \t]+(#.*)?)?$`)

// isMarker reports whether line is the document marker m (--- or ...),
// alone or followed by a space and more.
func isMarker(line []byte, m string) bool {
	return bytes.HasPrefix(line, []byte(m)) && (len(line) == 3 || line[3] == ' ' || line[3] == '\t')
}

// nesting follows a document's shape, line by line, closely enough to
// bound the parser's work: how deeply its collections nest (block ones by
// their indentation, flow ones by their brackets), how many values it holds
// and how many keys each block mapping has, skipping comments, quoted
// strings and block scalars.
type nesting struct {
	levels []level // the open block levels, outermost first
	flow   int     // open flow brackets
	quote  byte    // the quote of a quoted string that continues on the next line
	// block is the indentation of the line that opened the block scalar
	// (| or >) whose content lines are being skipped, while inBlock.
	block   int
	inBlock bool
	values  int // lines with content, and items of flow collections
}

// level is an open block collection: its indentation and how many keys
// have been written at it.
type level struct {
	indent, keys int
}

// line accounts for one line of the document, whose content starts at
// from. It returns the column (1-based) of its first content, or -1 when it
// holds none (blank or a comment), and the limit it exceeds, if any.
func (n *nesting) line(line []byte, from int) (col int, over *overLimit) {
	if len(bytes.TrimLeft(line[from:], " \t")) == 0 {
		return -1, nil
	}
	indent := from
	for indent < len(line) && line[indent] == ' ' {
		indent++
	}
	if n.inBlock {
		if indent >= len(line) || indent > n.block {
			return indent + 1, nil
		}
		n.inBlock = false
	}
	col = -1
	i := indent
	if i < len(line) {
		col = i + 1
	}
	if n.quote == 0 && n.flow == 0 {
		if i >= len(line) || line[i] == '#' {
			return -1, nil
		}
		n.values++
		for len(n.levels) > 0 && n.levels[len(n.levels)-1].indent > indent {
			n.levels = n.levels[:len(n.levels)-1]
		}
		// Each of "- ", "? " and ": " at the line's start opens a level,
		// like the indentation it stands for: "- - - a" nests three deep.
		for {
			if len(n.levels) == 0 || n.levels[len(n.levels)-1].indent < i {
				n.levels = append(n.levels, level{indent: i})
				if len(n.levels) > maxNesting {
					return col, tooDeep(i)
				}
			}
			if !isIndicator(line, i) {
				break
			}
			i++
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
			}
		}
		if top := &n.levels[len(n.levels)-1]; i < len(line) && line[i] != '#' {
			// The parser's work on a block mapping grows with the square
			// of its keys.
			if top.keys++; top.keys > maxKeys {
				return col, &overLimit{col: i + 1, rule: "yaml-size", msg: fmt.Sprintf("a mapping with more than %d keys", maxKeys),
					hint: "no estate mapping needs this many keys; make it a list, or split it"}
			}
		}
	}
	valueStart := true // a [ or { here opens a flow collection
	closed := -2       // where a quoted string or flow item last ended
	for ; i < len(line); i++ {
		c := line[i]
		if n.quote != 0 {
			switch {
			case c == '\\' && n.quote == '"':
				i++
			case c == n.quote && n.quote == '\'' && i+1 < len(line) && line[i+1] == '\'':
				i++
			case c == n.quote:
				n.quote, closed = 0, i
			}
			continue
		}
		if c == '#' && closed == i-1 {
			return col, syntaxAt(i+1, "a comment must be separated from the value before it by a space",
				"write a space before #")
		}
		if c == '-' && n.flow > 0 && isFlowStart(line, i) && (i+1 == len(line) || bytes.IndexByte([]byte(" \t,]}"), line[i+1]) >= 0) {
			return col, syntaxAt(i+1, "a lone - inside [ ] or { }", `quote it ("-"), or write the list one "- item" per line`)
		}
		space := c == ' ' || c == '\t'
		switch {
		case space:
			continue
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return col, nil
		case (c == '"' || c == '\'') && (valueStart || n.flow > 0 && isFlowStart(line, i)):
			n.quote = c
		case (c == '[' || c == '{') && (valueStart || n.flow > 0):
			n.flow++
			n.values++
			if len(n.levels)+n.flow > maxNesting {
				return col, tooDeep(i)
			}
			valueStart = true
			continue
		case (c == ']' || c == '}') && n.flow > 0:
			n.flow--
			closed = i
		case c == ',' && n.flow > 0:
			n.values++
			valueStart, closed = true, i
			continue
		case c == ':' && (i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t' || n.flow > 0):
			valueStart = true
			continue
		case (c == '|' || c == '>') && valueStart && n.flow == 0 && blockHeader(line[i+1:]):
			n.inBlock, n.block = true, indent
			return col, nil
		case (c == '&' || c == '!') && valueStart:
			// An anchor or a tag: the value comes after it.
			for i+1 < len(line) && line[i+1] != ' ' && line[i+1] != '\t' {
				i++
			}
			continue
		}
		valueStart = false
	}
	return col, nil
}

func tooDeep(i int) *overLimit {
	return &overLimit{col: i + 1, rule: "yaml-size", msg: fmt.Sprintf("values nest deeper than %d levels", maxNesting),
		hint: "no estate file nests this deeply; write the values out flat"}
}

// isIndicator reports whether line[i] is a block indicator: -, ? or :
// followed by a space or the line's end.
func isIndicator(line []byte, i int) bool {
	if i >= len(line) || (line[i] != '-' && line[i] != '?' && line[i] != ':') {
		return false
	}
	return i+1 == len(line) || line[i+1] == ' ' || line[i+1] == '\t'
}

// isFlowStart reports whether line[i] starts a token inside a flow collection.
func isFlowStart(line []byte, i int) bool {
	if i == 0 {
		return true
	}
	switch line[i-1] {
	case ' ', '\t', '[', '{', ',', ':':
		return true
	}
	return false
}

// blockHeader reports whether rest, what follows | or >, is a block
// scalar's header: indentation and chomping indicators, then nothing but
// a comment.
func blockHeader(rest []byte) bool {
	i := 0
	for i < len(rest) && (rest[i] == '+' || rest[i] == '-' || rest[i] >= '1' && rest[i] <= '9') {
		i++
	}
	if i < len(rest) && rest[i] != ' ' && rest[i] != '\t' {
		return false
	}
	rest = bytes.TrimLeft(rest[i:], " \t")
	return len(rest) == 0 || rest[0] == '#'
}
