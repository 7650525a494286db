package load

// This file catches a plain (unquoted) value that runs on over several
// lines and holds "key: value": YAML forbids it, but the parser takes it
// as one long string. It is what a value written after a key whose block
// follows looks like (`vpcs: 42` above the indented list that is vpcs's
// value), so it must be an error at the line that reads wrong.

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// plainRunOn is a plain scalar that continues with a line YAML does not
// allow in it.
type plainRunOn struct {
	start, at  [2]int // line and column of the scalar and of the offending ":" or "#"
	first, bad string // the scalar's first line and the offending line, trimmed
}

// checkPlain returns where the multi-line plain scalar n goes wrong, or
// false when n is not one or is valid.
func checkPlain(n ast.Node) (plainRunOn, bool) {
	s, ok := n.(*ast.StringNode)
	if !ok || s.Token == nil || s.Token.Type != token.StringType || s.Token.Position == nil {
		return plainRunOn{}, false
	}
	tk := s.Token
	text := strings.TrimLeft(tk.Origin, " \t\n")
	if !strings.Contains(strings.TrimRight(text, " \t\n"), "\n") {
		return plainRunOn{}, false
	}
	line, col := startOf(tk)
	r := plainRunOn{start: [2]int{line, col}}
	lines := strings.Split(strings.TrimRight(text, " \t\n"), "\n")
	r.first = strings.TrimSpace(lines[0])
	for i, l := range lines[1:] {
		trimmed := strings.TrimLeft(l, " \t")
		indent := utf8.RuneCountInString(l) - utf8.RuneCountInString(trimmed)
		for j := 0; j < len(trimmed); j++ {
			c := trimmed[j]
			colon := c == ':' && (j+1 == len(trimmed) || trimmed[j+1] == ' ' || trimmed[j+1] == '\t')
			comment := c == '#' && (j == 0 || trimmed[j-1] == ' ' || trimmed[j-1] == '\t')
			if colon || comment {
				r.at = [2]int{line + i + 1, indent + utf8.RuneCountInString(trimmed[:j]) + 1}
				r.bad = strings.TrimSpace(trimmed)
				return r, true
			}
		}
	}
	return plainRunOn{}, false
}

// startOf returns where token tk's text starts: the parser's position for a
// plain scalar that runs on is sometimes its end, so it is counted from
// the end of the token before it.
func startOf(tk *token.Token) (line, col int) {
	prev := tk.Prev
	if prev == nil || prev.Position == nil {
		return tk.Position.Line, tk.Position.Column
	}
	line, col = advance(prev.Position.Line, prev.Position.Column, strings.TrimLeft(prev.Origin, " \t\n"))
	ws := tk.Origin[:len(tk.Origin)-len(strings.TrimLeft(tk.Origin, " \t\n"))]
	return advance(line, col, ws)
}

// advance moves a position over text.
func advance(line, col int, text string) (int, int) {
	for _, r := range text {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// firstLine quotes the first line of a value for a message, shortened.
func firstLine(s string) string {
	more := false
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s, more = s[:i], true
	}
	if utf8.RuneCountInString(s) > 40 {
		s, more = string([]rune(s)[:40]), true
	}
	if more {
		return fmt.Sprintf("%q…", s)
	}
	return fmt.Sprintf("%q", s)
}
