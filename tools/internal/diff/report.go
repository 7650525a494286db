package diff

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"gitops/tools/internal/diag"
)

// Formats lists the report formats Write accepts.
var Formats = []string{"text", "markdown", "json", "codequality"}

// NoChanges is what the text and markdown reports say of an empty diff.
const NoChanges = "no changes"

// Write prints r in format; root is the directory the findings' files are
// relative to (for their source lines).
func Write(w io.Writer, format, root string, r *Result) error {
	switch format {
	case "text":
		return writeText(w, root, r)
	case "markdown":
		return writeMarkdown(w, r)
	case "json":
		return writeJSON(w, r)
	case "codequality":
		return diag.Write(w, "codequality", diag.Report{Root: root, Files: r.Files, Items: r.Findings})
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// noChanges says that no stack changes, and whether the YAML still has
// findings.
func noChanges(r *Result) string {
	if len(r.Findings) > 0 {
		return NoChanges + " to the stacks"
	}
	return NoChanges
}

// summary counts a stack's changes: "2 to add, 1 to replace".
func summary(d *StackDiff) string {
	var add, mod, repl, maybe, rm int
	for _, rd := range d.Resources {
		switch {
		case rd.Action == ActionAdd:
			add++
		case rd.Action == ActionRemove:
			rm++
		case rd.Replacement == ReplaceTrue:
			repl++
		case rd.Replacement == ReplaceConditional:
			maybe++
		default:
			mod++
		}
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{add, "to add"}, {mod, "to update"}, {repl, "to replace"}, {maybe, "may be replaced"}, {rm, "to remove"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	if len(parts) == 0 {
		return "no resource changes"
	}
	return strings.Join(parts, ", ")
}

// verb says what happens to a resource, in capitals for the dangerous ones.
func verb(rd ResourceDiff) string {
	switch {
	case rd.Action == ActionAdd:
		return "add"
	case rd.Action == ActionRemove:
		return "REMOVE"
	case rd.Replacement == ReplaceTrue:
		return "REPLACE"
	case rd.Replacement == ReplaceConditional:
		return "MAY REPLACE"
	}
	return "update"
}

func notes(rd ResourceDiff) string {
	var n []string
	if len(rd.Causes) > 0 {
		n = append(n, "because of "+strings.Join(rd.Causes, ", "))
	}
	if rd.Stateful {
		n = append(n, "holds data")
	}
	if rd.Moved != "" {
		n = append(n, rd.Moved)
	}
	if rd.Allowed {
		n = append(n, "allowed by allowReplace")
	}
	if len(n) == 0 {
		return ""
	}
	return " (" + strings.Join(n, "; ") + ")"
}

var stackMarks = map[string]string{StackAdd: "+", StackRemove: "-", StackChange: "~"}

func resourceMark(rd ResourceDiff) string {
	switch rd.Action {
	case ActionAdd:
		return "+"
	case ActionRemove:
		return "-"
	}
	if rd.Replacement != ReplaceFalse {
		return "±"
	}
	return "~"
}

func writeText(w io.Writer, root string, r *Result) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "diff %s → %s\n", r.Base, r.Head)
	if r.Empty() {
		fmt.Fprintln(bw, noChanges(r))
	}
	for _, d := range r.Stacks {
		fmt.Fprintf(bw, "%s %s (%s, account %s): %s, %s\n", stackMarks[d.Action], d.ID, d.Name, d.AccountID, d.Action, summary(d))
		for _, p := range d.Parameters {
			fmt.Fprintf(bw, "    parameter %s\n", p)
		}
		for _, o := range d.Outputs {
			fmt.Fprintf(bw, "    output %s\n", o)
		}
		for _, n := range d.Notes {
			fmt.Fprintf(bw, "    %s\n", n)
		}
		for _, rd := range d.Resources {
			fmt.Fprintf(bw, "  %s %s %s: %s%s\n", resourceMark(rd), rd.LogicalID, rd.Type, verb(rd), notes(rd))
			for _, p := range rd.Properties {
				fmt.Fprintf(bw, "      %s: %s\n", p.Path, change(p))
			}
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if len(r.Findings) > 0 {
		fmt.Fprintln(w)
		return diag.Write(w, "text", diag.Report{Root: root, Files: r.Files, Items: r.Findings})
	}
	return nil
}

func change(p PropertyDiff) string {
	old, new := p.Old, p.New
	if old == "" {
		old = "(unset)"
	}
	if new == "" {
		new = "(unset)"
	}
	return old + " → " + new
}

func writeMarkdown(w io.Writer, r *Result) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "### gitops diff\n\n`%s` → `%s`, predicted offline from `generated/` (no AWS access).\n\n", r.Base, r.Head)
	if r.Empty() {
		fmt.Fprintf(bw, "**%s**\n\n", noChanges(r))
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(bw, "#### Findings\n\n")
		for _, f := range r.Findings {
			fmt.Fprintf(bw, "- **%s** `%s:%d` %s `[%s]`", f.Severity, f.Pos.File, f.Pos.Line, mdEscape(f.Message), f.Rule)
			if f.Hint != "" {
				fmt.Fprintf(bw, " — %s", mdEscape(f.Hint))
			}
			fmt.Fprintln(bw)
		}
		fmt.Fprintln(bw)
	}
	for _, d := range r.Stacks {
		fmt.Fprintf(bw, "#### %s `%s` (%s, account %s): %s\n\n", stackMarks[d.Action], d.ID, d.Action, d.AccountID, summary(d))
		for _, p := range d.Parameters {
			fmt.Fprintf(bw, "- parameter %s\n", mdEscape(p))
		}
		for _, o := range d.Outputs {
			fmt.Fprintf(bw, "- output %s\n", mdEscape(o))
		}
		for _, n := range d.Notes {
			fmt.Fprintf(bw, "- %s\n", mdEscape(n))
		}
		if len(d.Parameters)+len(d.Outputs)+len(d.Notes) > 0 {
			fmt.Fprintln(bw)
		}
		if len(d.Resources) == 0 {
			continue
		}
		fmt.Fprintln(bw, "| | resource | type | changes |")
		fmt.Fprintln(bw, "| --- | --- | --- | --- |")
		for _, rd := range d.Resources {
			var cells []string
			for _, p := range rd.Properties {
				cells = append(cells, "`"+mdEscape(p.Path)+"`: "+mdEscape(change(p)))
			}
			cell := strings.Join(cells, "<br>")
			if n := notes(rd); n != "" {
				cell = strings.TrimSpace(mdEscape(n)) + "<br>" + cell
			}
			fmt.Fprintf(bw, "| %s | `%s` | %s | %s |\n", verb(rd), rd.LogicalID, rd.Type, strings.TrimSuffix(cell, "<br>"))
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// mdEscape keeps a value from breaking the table or the markup.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;", "`", "'").Replace(s)
}

func writeJSON(w io.Writer, r *Result) error {
	out := struct {
		*Result
		Findings []diag.JSONFinding `json:"findings"`
	}{Result: r, Findings: []diag.JSONFinding{}}
	if out.Stacks == nil {
		out.Stacks = []*StackDiff{}
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, diag.NewJSONFinding(f))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
