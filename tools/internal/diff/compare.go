package diff

import (
	"fmt"
	"slices"
	"strings"

	"gitops/tools/internal/apply"
	"gitops/tools/internal/stacks"
)

// Replacement says what CloudFormation will do with a modified resource,
// in its change sets' words.
const (
	ReplaceFalse       = "False"
	ReplaceConditional = "Conditional"
	ReplaceTrue        = "True"
)

// Stack actions.
const (
	StackAdd    = "add"
	StackRemove = "remove"
	StackChange = "change"
)

// Resource actions, as CloudFormation's change sets name them.
const (
	ActionAdd    = "Add"
	ActionModify = "Modify"
	ActionRemove = "Remove"
)

// StackDiff is what changes in one stack.
type StackDiff struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	Action    string `json:"action"`
	// Resources that are added, removed or modified, in logical id order.
	Resources []ResourceDiff `json:"resources"`
	// Parameters whose source changed, and outputs added, removed or changed.
	Parameters []string `json:"parameters,omitempty"`
	Outputs    []string `json:"outputs,omitempty"`
	// Notes are changes of the stack outside its template: its tags, the
	// image apply copies for it, the pipeline that deploys it.
	Notes []string `json:"notes,omitempty"`
}

// ResourceDiff is one resource's change.
type ResourceDiff struct {
	LogicalID string `json:"logicalId"`
	Type      string `json:"type"`
	Action    string `json:"action"`
	// Replacement is True, Conditional or False for Modify.
	Replacement string `json:"replacement,omitempty"`
	// Causes are the create-only properties behind a replacement, with the
	// reference whose new value causes it when the text is unchanged.
	Causes []string `json:"causes,omitempty"`
	// Properties are the changed values, secrets redacted.
	Properties []PropertyDiff `json:"properties,omitempty"`
	// Stateful marks resources that hold data.
	Stateful bool `json:"stateful,omitempty"`
	// Destroys: the change removes, replaces or overwrites stateful data.
	Destroys bool `json:"destroys,omitempty"`
	// Moved names the stack (or logical id) the resource moves to or from:
	// CloudFormation deletes it and creates a new one.
	Moved string `json:"moved,omitempty"`
	// Allowed: an allowReplace declaration names this resource.
	Allowed bool `json:"allowed,omitempty"`
}

// PropertyDiff is one changed value: old → new, either absent when unset.
type PropertyDiff struct {
	Path string `json:"path"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// level is how sure the diff is that a value changes.
type level int

const (
	unchanged level = iota
	maybe
	sure
)

func (l level) replacement() string {
	switch l {
	case sure:
		return ReplaceTrue
	case maybe:
		return ReplaceConditional
	}
	return ReplaceFalse
}

// stackSide is one side's view of a stack.
type stackSide struct {
	header   *stacks.ManifestStack
	template *Template
}

// target is how a changed resource or parameter reaches what refers to it.
type target struct{ ref, getAtt level }

// outputKey names an output of a stack for cross-stack propagation.
func outputKey(stackID, output string) string { return stackID + "#" + output }

// compareStack diffs one stack present on both sides. changedOutputs holds
// what earlier stacks' diffs found of their outputs; the stack's own
// changed outputs are added to it.
func compareStack(base, head stackSide, changedOutputs map[string]level) *StackDiff {
	d := &StackDiff{ID: head.header.ID, Name: head.header.Name, AccountID: head.header.AccountID, Region: head.header.Region, Action: StackChange}
	d.Notes = headerNotes(base.header, head.header)
	targets := map[string]target{}
	for _, hp := range head.header.Parameters {
		bp, ok := paramOf(base.header, hp.Name)
		l := unchanged
		switch {
		case !ok || bp.Source != hp.Source:
			l = sure
			d.Parameters = append(d.Parameters, fmt.Sprintf("%s: %s → %s", hp.Name, describeSource(bp.Source, ok), describeSource(hp.Source, true)))
		case hp.Source.Stack != "":
			l = changedOutputs[outputKey(hp.Source.Stack, hp.Source.Output)]
		}
		if l > unchanged {
			targets[hp.Name] = target{ref: l, getAtt: l}
		}
	}
	bt, ht := base.template, head.template
	// Replacements reach further resources through their references, so
	// classify until nothing new is replaced.
	var diffs map[string]ResourceDiff
	for range len(ht.Resources) + 1 {
		diffs = map[string]ResourceDiff{}
		grew := false
		for id, hr := range ht.Resources {
			br, ok := bt.Resources[id]
			if !ok {
				continue
			}
			rd, ok := compareResource(id, br, hr, targets)
			if !ok {
				continue
			}
			diffs[id] = rd
			if rd.Replacement == ReplaceFalse {
				continue
			}
			t := target{ref: maybe, getAtt: maybe}
			if rd.Replacement == ReplaceTrue {
				t.ref = sure
			}
			if targets[id] != t {
				targets[id] = t
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	for id, hr := range ht.Resources {
		if _, ok := bt.Resources[id]; !ok {
			diffs[id] = ResourceDiff{LogicalID: id, Type: hr.Type, Action: ActionAdd}
		}
	}
	for id, br := range bt.Resources {
		if _, ok := ht.Resources[id]; !ok {
			diffs[id] = ResourceDiff{LogicalID: id, Type: br.Type, Action: ActionRemove}
		}
	}
	for _, id := range sortedIDs(diffs) {
		d.Resources = append(d.Resources, diffs[id])
	}
	for _, name := range sortedKeys(bt.Outputs, ht.Outputs) {
		bo, inBase := bt.Outputs[name]
		ho, inHead := ht.Outputs[name]
		switch {
		case !inBase:
			d.Outputs = append(d.Outputs, name+" (added)")
		case !inHead:
			d.Outputs = append(d.Outputs, name+" (removed)")
		case !equal(bo.Value, ho.Value):
			d.Outputs = append(d.Outputs, name+" (changed)")
			changedOutputs[outputKey(head.header.ID, name)] = sure
		default:
			if l := referenced(ho.Value, targets); l > unchanged {
				changedOutputs[outputKey(head.header.ID, name)] = l
				d.Outputs = append(d.Outputs, name+" (new value at deploy)")
			}
		}
	}
	return d
}

// headerNotes describes what changes in the manifest's entry for a stack
// beyond its template and parameters.
func headerNotes(b, h *stacks.ManifestStack) []string {
	var notes []string
	for _, k := range sortedKeys(b.Tags, h.Tags) {
		if ov, nv := b.Tags[k], h.Tags[k]; ov != nv {
			notes = append(notes, fmt.Sprintf("tag %s: %s → %s (on every taggable resource)", k, orUnset(ov), orUnset(nv)))
		}
	}
	image := func(c *stacks.ImageCopy) string {
		if c == nil {
			return ""
		}
		return c.From
	}
	if ob, nb := image(b.CopyImage), image(h.CopyImage); ob != nb {
		notes = append(notes, fmt.Sprintf("image apply copies into its repository: %s → %s", orUnset(ob), orUnset(nb)))
	}
	if b.DeployedBy != h.DeployedBy {
		notes = append(notes, fmt.Sprintf("deployed by: %s → %s", orUnset(b.DeployedBy), orUnset(h.DeployedBy)))
	}
	return notes
}

func orUnset(s string) string {
	if s == "" {
		return "(unset)"
	}
	return s
}

// compareResource classifies a resource present on both sides; false when
// nothing about it changes.
func compareResource(id string, br, hr Resource, targets map[string]target) (ResourceDiff, bool) {
	rd := ResourceDiff{LogicalID: id, Type: hr.Type, Action: ActionModify, Replacement: ReplaceFalse}
	var leaves []leafChange
	old, new := any(br.Properties), any(hr.Properties)
	if br.Properties == nil {
		old = map[string]any{}
	}
	if hr.Properties == nil {
		new = map[string]any{}
	}
	leafChanges("", old, new, true, true, &leaves)
	if br.DeletionPolicy != hr.DeletionPolicy {
		leaves = append(leaves, leafChange{path: "(DeletionPolicy)", old: br.DeletionPolicy, new: hr.DeletionPolicy, oldSet: br.DeletionPolicy != "", newSet: hr.DeletionPolicy != ""})
	}
	if br.UpdateReplacePolicy != hr.UpdateReplacePolicy {
		leaves = append(leaves, leafChange{path: "(UpdateReplacePolicy)", old: br.UpdateReplacePolicy, new: hr.UpdateReplacePolicy, oldSet: br.UpdateReplacePolicy != "", newSet: hr.UpdateReplacePolicy != ""})
	}
	repl := unchanged
	if br.Type != hr.Type {
		repl = sure
		rd.Causes = append(rd.Causes, "Type")
		leaves = append(leaves, leafChange{path: "(Type)", old: br.Type, new: hr.Type, oldSet: true, newSet: true})
	}
	co, known := createOnlyOf(hr.Type)
	if !known {
		// A type the table lacks: any property change may replace it.
		if len(leaves) > 0 {
			repl = max(repl, maybe)
			rd.Causes = append(rd.Causes, "(type not in the create-only table)")
		}
	}
	check := func(p string, cap level) {
		ov, nv := valuesAt(old, p), valuesAt(new, p)
		l := unchanged
		cause := p
		if !equal(ov, nv) {
			l = literalChange(ov, nv)
		} else if via, vl := referencedBy(nv, targets); vl > unchanged {
			l = vl
			cause = p + " (new " + via + ")"
		}
		l = min(l, cap)
		if l > unchanged {
			repl = max(repl, l)
			rd.Causes = append(rd.Causes, cause)
		}
	}
	for _, p := range co.Always {
		check(p, sure)
	}
	for _, p := range co.Conditional {
		check(p, maybe)
	}
	for _, l := range leaves {
		pd := PropertyDiff{Path: l.path, Old: display(l.path, l.old, l.oldSet), New: display(l.path, l.new, l.newSet)}
		if namedSecret(old, l.path) || namedSecret(new, l.path) {
			pd.Old, pd.New = redacted(l.oldSet), redacted(l.newSet)
		}
		rd.Properties = append(rd.Properties, pd)
	}
	// Properties whose text is unchanged but which refer to something
	// replaced change at deploy time too.
	if props, ok := new.(map[string]any); ok {
		for _, k := range sortedKeys(props) {
			if slices.ContainsFunc(rd.Properties, func(p PropertyDiff) bool { return p.Path == k || strings.HasPrefix(p.Path, k+"/") }) {
				continue
			}
			if via, l := referencedBy(props[k], targets); l > unchanged {
				rd.Properties = append(rd.Properties, PropertyDiff{Path: k, Old: "(" + via + ")", New: "(new " + via + ")"})
			}
		}
	}
	rd.Replacement = repl.replacement()
	if len(rd.Properties) == 0 && repl == unchanged {
		return rd, false
	}
	return rd, true
}

// literalChange is sure when some changed part of a value is written out
// on both sides, maybe when every change involves a value computed at
// deploy time.
func literalChange(old, new []any) level {
	var leaves []leafChange
	walkLeaves("", any(old), any(new), true, true, true, &leaves)
	for _, l := range leaves {
		if l.oldSet && l.newSet && !intrinsic(l.old) && !intrinsic(l.new) {
			return sure
		}
	}
	return maybe
}

// referenced is the highest level of change among v's references.
func referenced(v any, targets map[string]target) level {
	_, l := referencedBy(v, targets)
	return l
}

// referencedBy returns the most certain changed reference in v and its level.
func referencedBy(v any, targets map[string]target) (string, level) {
	best, via := unchanged, ""
	for _, r := range refsOf(v) {
		t, ok := targets[r.target]
		if !ok {
			continue
		}
		l, what := t.ref, "value of "+r.target
		if r.getAtt {
			l, what = t.getAtt, "attribute of "+r.target
		}
		if l > best {
			best, via = l, what
		}
	}
	return via, best
}

// createOnlyOf returns the type's create-only properties. Custom resources
// all share the schema of AWS::CloudFormation::CustomResource.
func createOnlyOf(typ string) (createOnly, bool) {
	if strings.HasPrefix(typ, "Custom::") {
		typ = "AWS::CloudFormation::CustomResource"
	}
	co, ok := createOnlyTable[typ]
	return co, ok
}

// KnownType tells whether the create-only table holds typ.
func KnownType(typ string) bool {
	_, ok := createOnlyOf(typ)
	return ok
}

func paramOf(h *stacks.ManifestStack, name string) (stacks.Parameter, bool) {
	for _, p := range h.Parameters {
		if p.Name == name {
			return p, true
		}
	}
	return stacks.Parameter{}, false
}

func describeSource(s stacks.Source, ok bool) string {
	switch {
	case !ok:
		return "(none)"
	case s.Stack != "":
		return "output " + s.Output + " of " + s.Stack
	case s.SSM != "":
		return "SSM " + s.SSM
	}
	return fmt.Sprintf("%q", s.Literal)
}

func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// statefulChange fills Stateful and Destroys the way apply judges them, so
// diff and apply refuse the same changes.
func statefulChange(rd *ResourceDiff, props map[string]any) {
	rd.Stateful = apply.IsStateful(rd.Type, props)
	ch := apply.Change{Action: rd.Action, Type: rd.Type, Replacement: rd.Replacement}
	rd.Destroys = rd.Stateful && (ch.Destroys() || apply.OverwritesAMI(ch))
}
