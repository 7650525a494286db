package apply

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Formats are the forms a plan or apply result is written in.
var Formats = []string{"text", "json", "markdown"}

// Write renders the result in format: text for a terminal, json for tools,
// markdown for a merge-request note.
func Write(w io.Writer, format string, r *Result) error {
	switch format {
	case "text":
		return writeText(w, r)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	case "markdown":
		return writeMarkdown(w, r)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// Summary is the result in one line: what the run will do or did.
func (r *Result) Summary() string {
	var parts []string
	add := func(n int, what string) {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, what))
		}
	}
	if r.Command == "plan" {
		counts := map[Action]int{}
		pending := 0
		for _, s := range r.Stacks {
			switch {
			case s.Outcome == OutcomePlanned && s.Pending != "":
				pending++
			case s.Outcome == OutcomePlanned:
				counts[s.Action]++
			}
		}
		add(counts[ActionCreate], "to create")
		add(counts[ActionRecreate], "to delete and create again")
		add(counts[ActionUpdate], "to update")
		add(pending, "waiting for other stacks' outputs")
	} else {
		add(r.Count(OutcomeApplied), "applied")
	}
	add(r.Count(OutcomeUnchanged), "unchanged")
	add(r.Count(OutcomeFailed), "failed")
	add(r.Count(OutcomeRefused), "refused")
	add(r.Count(OutcomeSkipped), "skipped")
	add(r.Count(OutcomeNotStarted), "not started")
	add(r.Count(OutcomeNotEmulated), "not emulated")
	add(r.Count(OutcomeInterrupted), "interrupted mid-update")
	if r.Interrupted {
		parts = append([]string{"interrupted"}, parts...)
	}
	if len(r.Stacks) == 0 {
		return "no stacks selected"
	}
	if len(parts) == 1 && r.Count(OutcomeUnchanged) == len(r.Stacks) {
		return fmt.Sprintf("no changes: all %d stacks are up to date", len(r.Stacks))
	}
	return strings.Join(parts, ", ")
}

func writeText(w io.Writer, r *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "gitops %s: %s (%s)\n", r.Command, r.Summary(), elapsed(time.Duration(r.Elapsed)))
	for _, s := range r.Stacks {
		fmt.Fprintf(&b, "\n%s (%s in %s %s): %s\n", s.ID, s.Name, s.Account, s.AccountID, stackHeadline(r, s))
		for _, l := range changeLines(s.Changes) {
			fmt.Fprintf(&b, "  %s\n", l)
		}
		for _, blocked := range s.Blocked {
			fmt.Fprintf(&b, "  ! replaces or removes stateful %s: apply refuses it unless --allow-replace %s\n", blocked, blocked)
		}
		if s.Image != "" {
			fmt.Fprintf(&b, "  image: %s\n", s.Image)
		}
		if s.Share != "" {
			fmt.Fprintf(&b, "  share: %s\n", s.Share)
		}
		for _, z := range s.Zone {
			fmt.Fprintf(&b, "  zone: %s\n", z)
		}
		for _, n := range s.NotEmulated {
			fmt.Fprintf(&b, "  not emulated: %s\n", n)
		}
		if s.Error != "" {
			fmt.Fprintf(&b, "  %s: %s\n", s.Outcome, s.Error)
		}
		for _, l := range eventLines(s.Events) {
			fmt.Fprintf(&b, "    %s\n", l)
		}
		if s.Advice != "" {
			fmt.Fprintf(&b, "  what to do: %s\n", s.Advice)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// stackHeadline says in a few words what happens to the stack.
func stackHeadline(r *Result, s *StackResult) string {
	switch s.Outcome {
	case OutcomeUnchanged:
		return "no changes"
	case OutcomeSkipped, OutcomeNotStarted, OutcomeFailed, OutcomeRefused, OutcomeInterrupted, OutcomeNotEmulated:
		if s.Action == "" {
			return string(s.Outcome)
		}
		return fmt.Sprintf("%s, %s", s.Action, s.Outcome)
	}
	h := string(s.Action)
	if s.Pending != "" {
		return h + " " + s.Pending
	}
	h += ", " + countChanges(s.Changes)
	if s.ChangeSet != "" {
		h += " — change set " + s.ChangeSet
	}
	if r.Command == "apply" && s.FinalStatus != "" {
		h += " — " + s.FinalStatus
	}
	return h
}

// countChanges says how many resources a change set adds, modifies and
// removes.
func countChanges(changes []Change) string {
	if len(changes) == 0 {
		return "no resource changes listed"
	}
	counts := map[string]int{}
	replaced := 0
	for _, c := range changes {
		counts[c.Action]++
		if c.Action == "Modify" && (c.Replacement == "True" || c.Replacement == "Conditional") {
			replaced++
		}
	}
	var parts []string
	for _, a := range []string{"Add", "Modify", "Remove", "Import", "Dynamic"} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", counts[a], strings.ToLower(a)))
		}
	}
	s := strings.Join(parts, ", ")
	if replaced > 0 {
		s += fmt.Sprintf(" (%d replaced)", replaced)
	}
	return s
}

var actionSymbols = map[string]string{"Add": "+", "Modify": "~", "Remove": "-", "Import": "<", "Dynamic": "?"}

// changeLines renders changes one per line: symbol, type, logical ID, and
// for a replacement the properties that cause it, between asterisks.
func changeLines(changes []Change) []string {
	width := 0
	for _, c := range changes {
		width = max(width, len(c.Type))
	}
	var lines []string
	for _, c := range changes {
		sym := actionSymbols[c.Action]
		if sym == "" {
			sym = "?"
		}
		l := fmt.Sprintf("%s %-*s %s", sym, width, c.Type, c.LogicalID)
		if c.Replacement == "True" || c.Replacement == "Conditional" {
			l += " — REPLACEMENT " + c.Replacement
			if len(c.Causes) > 0 {
				l += " caused by *" + strings.Join(c.Causes, "*, *") + "*"
			}
		}
		if len(c.Properties) > 0 {
			l += " — changes " + strings.Join(c.Properties, ", ")
		}
		if c.Stateful {
			l += " [stateful]"
		}
		lines = append(lines, l)
	}
	return lines
}

func writeMarkdown(w io.Writer, r *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### gitops %s\n\n**%s**", r.Command, mdEscape(r.Summary()))
	if r.ChangeSet != "" && r.changeSetsLeft() {
		fmt.Fprintf(&b, " · change sets `%s`", r.ChangeSet)
	}
	b.WriteString("\n\n| Stack | Account | Region | Plan |\n|---|---|---|---|\n")
	for _, s := range r.Stacks {
		// The reason stands in the row: a reviewer reads the table first.
		row := stackHeadline(r, s)
		if s.Error != "" {
			row += ": " + s.Error
		}
		fmt.Fprintf(&b, "| `%s` | %s (%s) | %s | %s |\n", s.ID, mdEscape(s.Account), s.AccountID, s.Region, mdEscape(row))
	}
	for _, s := range r.Stacks {
		if len(s.Changes) == 0 && s.Error == "" && s.Image == "" && len(s.Zone) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n#### `%s` — %s\n\n", s.ID, mdEscape(stackHeadline(r, s)))
		for _, blocked := range s.Blocked {
			fmt.Fprintf(&b, "> :warning: Replaces or removes stateful **%s**: apply refuses it unless `--allow-replace %s`.\n\n", blocked, blocked)
		}
		if s.Share != "" {
			fmt.Fprintf(&b, "Share: %s\n\n", mdEscape(s.Share))
		}
		for _, z := range s.Zone {
			fmt.Fprintf(&b, "Zone: %s\n\n", mdEscape(z))
		}
		if s.Image != "" {
			fmt.Fprintf(&b, "Image: %s\n\n", mdEscape(s.Image))
		}
		if s.Error != "" {
			fmt.Fprintf(&b, "> :x: **%s**: %s\n", s.Outcome, mdEscape(s.Error))
			for _, e := range eventLines(s.Events) {
				fmt.Fprintf(&b, "> - %s\n", mdEscape(e))
			}
			if s.Advice != "" {
				fmt.Fprintf(&b, ">\n> What to do: %s\n", mdEscape(s.Advice))
			}
			b.WriteString("\n")
		}
		if len(s.Changes) == 0 {
			continue
		}
		b.WriteString("| Action | Resource | Type | Replacement | Changed |\n|---|---|---|---|---|\n")
		for _, c := range s.Changes {
			replacement := c.Replacement
			if replacement == "True" || replacement == "Conditional" {
				replacement = "**" + replacement + "**"
			}
			var changed []string
			for _, cause := range c.Causes {
				changed = append(changed, "**`"+mdEscape(cause)+"`**")
			}
			for _, p := range c.Properties {
				changed = append(changed, "`"+mdEscape(p)+"`")
			}
			resource := "`" + mdEscape(c.LogicalID) + "`"
			if c.Stateful {
				resource += " (stateful)"
			}
			fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s |\n", c.Action, resource, c.Type, replacement, strings.Join(changed, ", "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps text from breaking a table row or turning into markup.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

// changeSetsLeft tells whether any change set of the run still exists.
func (r *Result) changeSetsLeft() bool {
	for _, s := range r.Stacks {
		if s.ChangeSet != "" {
			return true
		}
	}
	return false
}
