// Package diff predicts, offline, what a merge request will do to AWS: it
// compares the compiled estate of two commits (generated/ and the YAML
// behind it) stack by stack and resource by resource, says for each change
// whether CloudFormation updates in place or replaces (from the create-only
// properties of AWS's registry schemas), traces dangerous changes back to
// the YAML line that causes them and runs the checks that need the base:
// GitLab's upgrade stops, renumbered subnets, changed account ids.
package diff

import (
	"slices"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/stacks"
)

// Result is the diff of two sides.
type Result struct {
	Base string `json:"base"`
	Head string `json:"head"`
	// Stacks that are added, removed or changed, in the head's deploy order
	// (removed stacks last).
	Stacks []*StackDiff `json:"stacks"`
	// Findings are the dangerous changes and the estate checks, positioned
	// in the head's YAML.
	Findings []diag.Diagnostic `json:"-"`
	// Files are the head's YAML files, for the findings' summary line.
	Files []string `json:"-"`
}

// Empty tells whether nothing changes.
func (r *Result) Empty() bool { return len(r.Stacks) == 0 }

// Errors counts the error findings.
func (r *Result) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == diag.Error {
			n++
		}
	}
	return n
}

// stackKey is where a stack lives in AWS: the same name in another account
// or region is another stack.
func stackKey(h *stacks.ManifestStack) string {
	return h.AccountID + "/" + h.Region + "/" + h.Name
}

// Compare diffs base against head.
func Compare(base, head *Side) *Result {
	r := &Result{Base: base.Label, Head: head.Label}
	baseByKey := map[string]*stacks.ManifestStack{}
	for i := range base.Manifest.Stacks {
		baseByKey[stackKey(&base.Manifest.Stacks[i])] = &base.Manifest.Stacks[i]
	}
	headKeys := map[string]bool{}
	changedOutputs := map[string]level{}
	for i := range head.Manifest.Stacks {
		h := &head.Manifest.Stacks[i]
		headKeys[stackKey(h)] = true
		ht := head.Templates[h.ID]
		b, ok := baseByKey[stackKey(h)]
		if !ok {
			d := &StackDiff{ID: h.ID, Name: h.Name, AccountID: h.AccountID, Region: h.Region, Action: StackAdd}
			for _, id := range sortedIDs(ht.Resources) {
				d.Resources = append(d.Resources, ResourceDiff{LogicalID: id, Type: ht.Resources[id].Type, Action: ActionAdd})
			}
			r.Stacks = append(r.Stacks, d)
			continue
		}
		if b.SHA256 == h.SHA256 && slices.Equal(b.Parameters, h.Parameters) && !dependsOnChange(h, changedOutputs) && len(headerNotes(b, h)) == 0 {
			continue
		}
		d := compareStack(stackSide{b, base.Templates[b.ID]}, stackSide{h, ht}, changedOutputs)
		if len(d.Resources) > 0 || len(d.Parameters) > 0 || len(d.Outputs) > 0 || len(d.Notes) > 0 {
			r.Stacks = append(r.Stacks, d)
		}
	}
	for i := range base.Manifest.Stacks {
		b := &base.Manifest.Stacks[i]
		if headKeys[stackKey(b)] {
			continue
		}
		bt := base.Templates[b.ID]
		d := &StackDiff{ID: b.ID, Name: b.Name, AccountID: b.AccountID, Region: b.Region, Action: StackRemove}
		for _, id := range sortedIDs(bt.Resources) {
			d.Resources = append(d.Resources, ResourceDiff{LogicalID: id, Type: bt.Resources[id].Type, Action: ActionRemove})
		}
		r.Stacks = append(r.Stacks, d)
	}
	markStateful(r, base, head)
	markMoves(r, base, head)
	return r
}

// dependsOnChange tells whether a parameter of h reads an output that
// changes.
func dependsOnChange(h *stacks.ManifestStack, changedOutputs map[string]level) bool {
	for _, p := range h.Parameters {
		if p.Source.Stack != "" && changedOutputs[outputKey(p.Source.Stack, p.Source.Output)] > unchanged {
			return true
		}
	}
	return false
}

// markStateful judges every change as apply would: the properties of a
// removed resource are the base's, the others the head's.
func markStateful(r *Result, base, head *Side) {
	for _, d := range r.Stacks {
		for i := range d.Resources {
			rd := &d.Resources[i]
			var props map[string]any
			if rd.Action == ActionRemove {
				props = resourceIn(base, d, rd.LogicalID).Properties
			} else {
				props = resourceIn(head, d, rd.LogicalID).Properties
			}
			statefulChange(rd, props)
		}
	}
}

// resourceIn finds a resource of the stack d names on one side.
func resourceIn(s *Side, d *StackDiff, logicalID string) Resource {
	for i := range s.Manifest.Stacks {
		h := &s.Manifest.Stacks[i]
		if h.AccountID == d.AccountID && h.Region == d.Region && h.Name == d.Name {
			if t := s.Templates[h.ID]; t != nil {
				return t.Resources[logicalID]
			}
		}
	}
	return Resource{}
}

// markMoves names a resource removed in one place and added in another
// with the same logical id (another stack) or the same type and properties
// (a rename): CloudFormation deletes the old one and creates a new one.
func markMoves(r *Result, base, head *Side) {
	type place struct {
		stack *StackDiff
		index int
	}
	var removed, added []place
	for _, d := range r.Stacks {
		for i, rd := range d.Resources {
			switch rd.Action {
			case ActionRemove:
				removed = append(removed, place{d, i})
			case ActionAdd:
				added = append(added, place{d, i})
			}
		}
	}
	usedAdd := map[place]bool{}
	for _, rm := range removed {
		old := &rm.stack.Resources[rm.index]
		oldProps := resourceIn(base, rm.stack, old.LogicalID).Properties
		for _, ad := range added {
			if usedAdd[ad] {
				continue
			}
			nw := &ad.stack.Resources[ad.index]
			if nw.Type != old.Type {
				continue
			}
			sameID := nw.LogicalID == old.LogicalID && ad.stack != rm.stack
			sameProps := nw.LogicalID != old.LogicalID && equal(oldProps, resourceIn(head, ad.stack, nw.LogicalID).Properties)
			if !sameID && !sameProps {
				continue
			}
			usedAdd[ad] = true
			if ad.stack == rm.stack {
				old.Moved = "renamed to " + nw.LogicalID
				nw.Moved = "renamed from " + old.LogicalID
			} else {
				old.Moved = "moves to " + ad.stack.ID + "/" + nw.LogicalID
				nw.Moved = "moved from " + rm.stack.ID + "/" + old.LogicalID
			}
			break
		}
	}
}

// Run compares base and head and adds the findings: dangerous changes
// traced to the YAML and the estate checks that need the base.
func Run(base, head *Side) *Result {
	r := Compare(base, head)
	t := newTracer(base, head)
	addDangerFindings(r, t)
	addEstateFindings(r, t)
	if head.Estate != nil {
		r.Files = head.Estate.Files
	}
	sortFindings(r)
	return r
}

func sortFindings(r *Result) {
	l := &diag.List{}
	l.Add(r.Findings...)
	r.Findings = l.Items()
}
