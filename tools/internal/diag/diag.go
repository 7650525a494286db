// Package diag holds the one error type of gitops: a finding with a position,
// a stable rule id, a message and a hint. Findings are collected into a List,
// sorted, and printed once.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"sync"

	"gitops/tools/internal/estate"
)

// Severity of a finding. Errors fail the run; warnings do not.
type Severity int

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one finding.
type Diagnostic struct {
	Pos      estate.Pos
	Severity Severity
	// Rule is the stable id of the check, e.g. cidr-overlap.
	Rule    string
	Message string
	Hint    string
	// Related are other positions the finding refers to (where a name was
	// first declared, the other half of an overlap), as data so every
	// report format can link them.
	Related []Related
}

// Related is another position of a finding, with what is there.
type Related struct {
	Pos     estate.Pos
	Message string
}

// String renders the related position like a finding's: file:line:col: message.
func (r Related) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", r.Pos.File, r.Pos.Line, r.Pos.Col, r.Message)
}

// Errorf makes an error finding at pos.
func Errorf(pos estate.Pos, rule, format string, args ...any) Diagnostic {
	return Diagnostic{Pos: pos, Severity: Error, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// Warningf makes a warning finding at pos.
func Warningf(pos estate.Pos, rule, format string, args ...any) Diagnostic {
	return Diagnostic{Pos: pos, Severity: Warning, Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// WithHint returns the finding with a hint on how to fix it.
func (d Diagnostic) WithHint(format string, args ...any) Diagnostic {
	d.Hint = fmt.Sprintf(format, args...)
	return d
}

// WithRelated returns the finding with another position it refers to.
func (d Diagnostic) WithRelated(pos estate.Pos, format string, args ...any) Diagnostic {
	d.Related = append(slices.Clip(d.Related), Related{Pos: pos, Message: fmt.Sprintf(format, args...)})
	return d
}

// equal tells whether two findings say the same thing at the same place.
func (d Diagnostic) equal(o Diagnostic) bool {
	return d.Pos == o.Pos && d.Severity == o.Severity && d.Rule == o.Rule &&
		d.Message == o.Message && d.Hint == o.Hint && slices.Equal(d.Related, o.Related)
}

// String renders the finding on one line, like a compiler.
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", d.Pos.File, d.Pos.Line, d.Pos.Col, d.Severity, d.Message, d.Rule)
}

// List collects findings; it is safe for concurrent use.
type List struct {
	mu    sync.Mutex
	items []Diagnostic
}

// Add appends findings to the list.
func (l *List) Add(ds ...Diagnostic) {
	l.mu.Lock()
	l.items = append(l.items, ds...)
	l.mu.Unlock()
}

// Merge appends every finding of other.
func (l *List) Merge(other *List) {
	l.Add(other.Items()...)
}

// Items returns the findings sorted by file, line, column, rule and message,
// so the same input always prints the same report.
func (l *List) Items() []Diagnostic {
	l.mu.Lock()
	items := slices.Clone(l.items)
	l.mu.Unlock()
	slices.SortStableFunc(items, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.CompactFunc(items, Diagnostic.equal)
}

// HasErrors reports whether any finding is an error.
func (l *List) HasErrors() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range l.items {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// HasErrorsIn reports whether any error finding is in file.
func (l *List) HasErrorsIn(file string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range l.items {
		if d.Severity == Error && d.Pos.File == file {
			return true
		}
	}
	return false
}

// HasRule reports whether any finding has rule.
func (l *List) HasRule(rule string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, d := range l.items {
		if d.Rule == rule {
			return true
		}
	}
	return false
}

// Len is the number of findings.
func (l *List) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.items)
}
