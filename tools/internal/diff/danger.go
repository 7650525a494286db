package diff

import (
	"fmt"
	"slices"
	"strings"

	"gitops/tools/internal/apply"
	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
)

// tracer maps changes back to the YAML that causes them.
type tracer struct {
	base, head         *Side
	baseDocs, headDocs []*document
	edits              map[*document][]edit
}

func newTracer(base, head *Side) *tracer {
	t := &tracer{base: base, head: head, baseDocs: documents(base.Estate), headDocs: documents(head.Estate)}
	t.edits = docEdits(t.baseDocs, t.headDocs)
	return t
}

// header finds the manifest entry of the stack d names on one side.
func header(s *Side, d *StackDiff) *stacks.ManifestStack {
	for i := range s.Manifest.Stacks {
		h := &s.Manifest.Stacks[i]
		if h.AccountID == d.AccountID && h.Region == d.Region && h.Name == d.Name {
			return h
		}
	}
	return nil
}

// cause returns the position of the YAML change behind a resource's change
// and what that change is: the most specific edit among the places the
// resource may come from. A removed resource is located in the base and
// reported at the head's document of the same identity when there is one.
func (t *tracer) cause(d *StackDiff, rd ResourceDiff) (estate.Pos, string) {
	var locs []*location
	fromHead := rd.Action != ActionRemove
	if fromHead {
		if h := header(t.head, d); h != nil {
			locs = locateAll(t.headDocs, h, rd.LogicalID)
		}
	}
	if len(locs) == 0 {
		fromHead = false
		if h := header(t.base, d); h != nil {
			locs = locateAll(t.baseDocs, h, rd.LogicalID)
		}
	}
	if len(locs) == 0 {
		return estate.Pos{File: "generated/manifest.json", Line: 1, Col: 1}, "no estate document compiles to this stack"
	}
	// headDoc is the head's version of a location's document, nil when
	// the merge request removes the document.
	headDoc := func(loc *location) *document {
		if fromHead {
			return loc.doc
		}
		for _, h := range t.headDocs {
			if h.kind == loc.doc.kind && h.id == loc.doc.id {
				return h
			}
		}
		return nil
	}
	// An edit inside the item, then one around it.
	for _, match := range []func(e edit, loc *location) bool{
		func(e edit, loc *location) bool { return loc.keyPath != "" && within(e.keyPath, loc.keyPath) },
		func(e edit, loc *location) bool { return loc.keyPath != "" && related(e.keyPath, loc.keyPath) },
	} {
		for _, loc := range locs {
			for _, e := range t.edits[headDoc(loc)] {
				if match(e, loc) {
					return e.pos, e.what
				}
			}
		}
	}
	best := locs[0]
	doc := headDoc(best)
	if doc == nil {
		was := best.doc.doc.Pos(best.path)
		what := fmt.Sprintf("%s %s is removed (it was at line %d)", best.doc.kind, best.doc.id, was.Line)
		// The file may live on with its other documents: point at it,
		// not at a line of the base that means something else now.
		if t.head.Estate != nil && slices.Contains(t.head.Estate.Files, was.File) {
			return estate.Pos{File: was.File, Line: 1, Col: 1}, what
		}
		return was, what
	}
	// Any edit of a document the resource comes from as a whole.
	for _, loc := range locs {
		if edits := t.edits[headDoc(loc)]; loc.keyPath == "" && len(edits) > 0 {
			return edits[0].pos, edits[0].what
		}
	}
	if edits := t.edits[doc]; len(edits) > 0 {
		return edits[0].pos, edits[0].what + " (elsewhere in this document)"
	}
	if fromHead {
		return doc.doc.Pos(best.path), "the YAML here is unchanged: the compiler's output changed"
	}
	return doc.doc.Pos(""), "the YAML here is unchanged: the compiler's output changed"
}

// addDangerFindings reports every change that destroys stateful data and
// that no allowReplace: entry allows, the way apply refuses it, and one
// warning per stack that loses resources.
func addDangerFindings(r *Result, t *tracer) {
	// What is allowed is what apply reads: the manifest's entries, which
	// compile copies from the documents (these give their positions).
	allowed := map[string][]estate.AllowReplaceEntry{}
	for _, key := range t.head.Manifest.AllowReplace {
		allowed[key] = nil
	}
	if t.head.Estate != nil {
		for _, e := range t.head.Estate.AllowReplace() {
			if _, ok := allowed[e.Key]; ok || t.head.Manifest.AllowReplace == nil {
				allowed[e.Key] = append(allowed[e.Key], e)
			}
		}
	}
	used := map[string]bool{}
	for _, d := range r.Stacks {
		removed := 0
		var firstRemoved *ResourceDiff
		for i := range d.Resources {
			rd := &d.Resources[i]
			if rd.Action == ActionRemove {
				removed++
				if firstRemoved == nil {
					firstRemoved = rd
				}
			}
			if !rd.Destroys {
				continue
			}
			key := apply.AllowKey(rd.Type, rd.LogicalID)
			if _, ok := allowed[key]; ok {
				rd.Allowed = true
				used[key] = true
				continue
			}
			pos, why := t.cause(d, *rd)
			rule, what := "diff-replace-stateful", "is replaced"
			switch {
			case rd.Action == ActionRemove:
				rule, what = "diff-remove-stateful", "is removed"
				if res := resourceIn(t.base, d, rd.LogicalID); res.DeletionPolicy == "Retain" {
					what = "is removed from its stack (retained: the data stays in the account, no longer managed)"
				}
			case rd.Action == ActionModify && rd.Replacement == ReplaceConditional:
				what = "may be replaced"
			case rd.Action == ActionModify && rd.Replacement == ReplaceFalse:
				what = "is updated, which writes the template's seed over the AMI id gitops bake published"
			}
			msg := fmt.Sprintf("%s %s in stack %s %s; it holds data", rd.Type, rd.LogicalID, d.ID, what)
			if len(rd.Causes) > 0 {
				msg += " (create-only " + strings.Join(rd.Causes, ", ") + ")"
			}
			if rd.Moved != "" {
				msg += "; it " + rd.Moved
			}
			r.Findings = append(r.Findings, diag.Errorf(pos, rule, "%s; cause: %s", msg, why).
				WithHint("if this is intended, add `allowReplace: [%s]` to this document (apply refuses it otherwise) and remove the entry once applied", key))
		}
		if removed > 0 {
			pos, why := t.cause(d, *firstRemoved)
			what := fmt.Sprintf("removes %s from stack %s", resources(removed), d.ID)
			if d.Action == StackRemove {
				what = fmt.Sprintf("deletes stack %s and its %s", d.ID, resources(removed))
			}
			r.Findings = append(r.Findings, diag.Warningf(pos, "diff-remove", "%s; cause: %s", what, why).
				WithHint("check the list in the diff: CloudFormation deletes each one that is not retained"))
		}
	}
	for key, entries := range allowed {
		if used[key] {
			continue
		}
		for _, e := range entries {
			r.Findings = append(r.Findings, diag.Warningf(e.Pos, "diff-allow-unused", "allowReplace entry %s allows nothing this merge request changes", key).
				WithHint("remove it: once applied, an entry would let a later change destroy the resource unasked"))
		}
	}
}

func resources(n int) string {
	if n == 1 {
		return "1 resource"
	}
	return fmt.Sprintf("%d resources", n)
}
