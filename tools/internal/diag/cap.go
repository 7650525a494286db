package diag

import (
	"fmt"

	"gitops/tools/internal/estate"
)

// MaxPerFile is how many findings a report shows per file: past that, the
// rest are one "N more" finding, so a file of many mistakes cannot bury the
// others (or the memory of the run).
const MaxPerFile = 100

// MoreRule is the rule of the finding that stands for the findings left out.
const MoreRule = "more-findings"

// More returns the finding that stands for n findings left out of file
// from pos on; it is an error when any of them is.
func More(pos estate.Pos, n int, severity Severity) Diagnostic {
	d := Diagnostic{Pos: pos, Severity: severity, Rule: MoreRule, Message: fmt.Sprintf("%d more findings in this file", n)}
	return d.WithHint("fix the findings above and run again to see the rest")
}

// moreCount is how many findings a More finding stands for.
func moreCount(d Diagnostic) int {
	var n int
	fmt.Sscanf(d.Message, "%d more", &n)
	return n
}

// CapPerFile keeps the first MaxPerFile findings of each file of items
// (sorted by file, as Items returns them) and replaces the rest by one More
// finding at the first of them.
func CapPerFile(items []Diagnostic) []Diagnostic {
	var out []Diagnostic
	for start := 0; start < len(items); {
		end := start
		for end < len(items) && items[end].Pos.File == items[start].Pos.File {
			end++
		}
		kept, more, severity := 0, 0, Warning
		var at estate.Pos
		for _, d := range items[start:end] {
			n := 1
			if d.Rule == MoreRule {
				n = moreCount(d)
			} else if kept < MaxPerFile {
				out = append(out, d)
				kept++
				continue
			}
			if more == 0 || d.Pos.Line < at.Line {
				at = d.Pos
			}
			more += n
			if d.Severity == Error {
				severity = Error
			}
		}
		if more > 0 {
			out = append(out, More(at, more, severity))
		}
		start = end
	}
	return out
}
