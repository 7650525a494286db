package validate

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// AWSTOE component documents (imagerecipes/components/*.yaml) have no public
// schema; these checks follow the Image Builder user guide: "Use the AWSTOE
// component document framework", "Action modules supported by AWSTOE" and
// "Define and reference variables in AWSTOE".

var (
	// componentNamePattern is Image Builder's CreateComponent name pattern.
	componentNamePattern = regexp.MustCompile(`^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z0-9]$`)
	// variableNamePattern: parameter and constant names, 3–128 characters.
	variableNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{3,128}$`)
	// stepNamePattern is what AWSTOE allows a step's name: a chained
	// reference {{ phase.step.outputs… }} splits at the dots.
	stepNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	// secretLikeName marks parameter names that suggest a secret value.
	secretLikeName = regexp.MustCompile(`(?i)(password|passwd|secret|token|apikey|api_key|privatekey|private_key)`)
	// secretRefSuffix: a parameter that names a secret rather than holding it.
	secretRefSuffix  = regexp.MustCompile(`(?i)(id|name|arn|path|parameter|param)$`)
	notVariableChars = regexp.MustCompile(`[^A-Za-z0-9_-]+`)
)

// The phases an AMI build runs. container-host-test runs only for container
// recipes, which gitops does not build.
var componentPhases = []string{"build", "validate", "test"}

// checkComponents checks every AWSTOE document, and warns about documents no
// recipe uses.
func (c *checker) checkComponents() {
	used := map[string]bool{}
	for _, r := range c.e.ImageRecipes {
		for _, ref := range slices.Concat(r.Components, r.Tests) {
			if ref.File != "" {
				used[componentKey(ref.File)] = true
			}
		}
	}
	names := c.unique("AWSTOE component")
	for _, key := range slices.Sorted(maps.Keys(c.e.Components)) {
		comp := c.e.Components[key]
		names.add(comp.Name, comp.Name, comp.Pos("name"))
		c.checkComponent(comp)
		if !used[key] {
			c.report(diag.Warningf(comp.Pos("name"), "component-unused", "no image recipe uses %s", key).
				WithHint("add `- file: %s` to a recipe's components or tests, or delete the file", key))
		}
	}
}

// componentCheck carries what the step checks of one document need.
type componentCheck struct {
	c    *checker
	comp *estate.Component
	// vars are the declared parameters and constants.
	vars map[string]bool
	// steps maps phase → step → run order, for chaining references.
	steps map[string]map[string]int
}

func (c *checker) checkComponent(comp *estate.Component) {
	if comp.Name != "" && !componentNamePattern.MatchString(comp.Name) {
		c.report(diag.Errorf(comp.Pos("name"), "component-name", "component name %q is not a valid Image Builder component name", comp.Name).
			WithHint("use 3–128 letters, digits, spaces, dashes and underscores, not starting or ending with a space"))
	}
	if n := utf8.RuneCountInString(comp.Description); n > maxDescription {
		c.report(diag.Errorf(comp.Pos("description"), "component-description", "the description of component %s has %d characters; ImageBuilder allows %d", comp.Name, n, maxDescription).
			WithHint("shorten it; comments in the document can say more"))
	}
	if comp.SchemaVersion != "" && comp.SchemaVersion != "1.0" {
		c.report(diag.Errorf(comp.Pos("schemaVersion"), "component-schema-version", "schemaVersion %s is not one AWSTOE knows", comp.SchemaVersion).
			WithHint("write schemaVersion: 1.0"))
	}
	cc := &componentCheck{c: c, comp: comp, vars: map[string]bool{}, steps: map[string]map[string]int{}}
	cc.checkVariables("parameters", comp.Parameters)
	cc.checkVariables("constants", comp.Constants)
	cc.checkPhases()
}

// checkVariables checks the parameters or constants section: one-key
// mappings, valid unique names, type string, and a value for constants.
func (cc *componentCheck) checkVariables(section string, vars []map[string]estate.ComponentParameter) {
	comp := &cc.comp.Doc
	for i, m := range vars {
		item := estate.ItemPath(section, i)
		if len(m) != 1 {
			cc.c.report(diag.Errorf(comp.Pos(item), "component-variable", "each entry of %s must be a mapping with one key, the name; this one has %d", section, len(m)).
				WithHint("indent the definition under the name:\n  - MyName:\n      type: string"))
			continue
		}
		for name, def := range m {
			path := estate.FieldPath(item, name)
			switch {
			case !variableNamePattern.MatchString(name):
				cc.c.report(diag.Errorf(comp.Pos(path), "component-variable", "%s name %q is not 3–128 letters, digits, dashes or underscores", strings.TrimSuffix(section, "s"), name).
					WithHint("rename it, e.g. %s", suggestVariableName(name)))
			case cc.vars[name]:
				cc.c.report(diag.Errorf(comp.Pos(path), "component-variable", "%q is declared twice", name).
					WithHint("parameter and constant names must be unique within the document"))
			}
			cc.vars[name] = true
			if def.Type != "" && def.Type != "string" {
				cc.c.report(diag.Errorf(comp.Pos(path+".type"), "component-variable", "%s type %q is not supported", name, def.Type).
					WithHint("AWSTOE knows only type: string"))
			}
			if section == "constants" {
				if !cc.comp.Has(path + ".value") {
					cc.c.report(diag.Errorf(comp.Pos(path), "component-variable", "constant %s has no value", name).
						WithHint("add value: under %s", name))
				}
				if cc.comp.Has(path + ".default") {
					cc.c.report(diag.Errorf(comp.Pos(path+".default"), "component-variable", "constant %s has a default; constants take value:", name).
						WithHint("rename default: to value:, or move %s to parameters", name))
				}
			} else {
				if cc.comp.Has(path + ".value") {
					cc.c.report(diag.Errorf(comp.Pos(path+".value"), "component-variable", "parameter %s has a value; parameters take default:", name).
						WithHint("rename value: to default:, or move %s to constants", name))
				}
				if secretLikeName.MatchString(name) && !secretRefSuffix.MatchString(name) {
					cc.c.report(diag.Warningf(comp.Pos(path), "component-parameter-secret", "parameter %s looks like it carries a secret", name).
						WithHint("parameter values are stored in plain text and logged in CloudTrail; pass the secret's name (e.g. %sSecretId) and read it from Secrets Manager or SSM in the step", name))
				}
			}
			cc.checkSecrets(path+".default", def.Default)
			cc.checkSecrets(path+".value", def.Value)
		}
	}
}

// suggestVariableName turns name into one AWSTOE accepts.
func suggestVariableName(name string) string {
	s := notVariableChars.ReplaceAllString(name, "_")
	for len(s) < 3 {
		s += "_"
	}
	return s
}

// checkPhases checks phase names and, in each phase, its steps.
func (cc *componentCheck) checkPhases() {
	comp := &cc.comp.Doc
	// Record the run order of every step first: chaining may refer to any.
	order := 0
	for _, ph := range cc.comp.Phases {
		if cc.steps[ph.Name] != nil {
			continue
		}
		cc.steps[ph.Name] = map[string]int{}
		for _, st := range ph.Steps {
			if _, dup := cc.steps[ph.Name][st.Name]; !dup {
				cc.steps[ph.Name][st.Name] = order
			}
			order++
		}
	}
	seen := map[string]bool{}
	order = 0
	for pi, ph := range cc.comp.Phases {
		path := estate.ItemPath("phases", pi)
		switch {
		case ph.Name == "container-host-test":
			cc.c.report(diag.Errorf(comp.Pos(path+".name"), "component-phase", "phase container-host-test runs only in container recipes").
				WithHint("gitops builds AMIs: use a test phase"))
		case ph.Name != "" && !slices.Contains(componentPhases, ph.Name):
			d := diag.Errorf(comp.Pos(path+".name"), "component-phase", "unknown phase %q", ph.Name)
			if h := diag.DidYouMean(strings.ToLower(ph.Name), componentPhases); h != "" {
				d = d.WithHint("%s", h)
			} else {
				d = d.WithHint("phases are build, validate and test")
			}
			cc.c.report(d)
		case seen[ph.Name]:
			cc.c.report(diag.Errorf(comp.Pos(path+".name"), "component-phase-duplicate", "phase %s is declared twice", ph.Name).
				WithHint("each phase appears once; merge the steps of both into one phase"))
		}
		seen[ph.Name] = true
		steps := map[string]bool{}
		for si, st := range ph.Steps {
			stepPath := estate.ItemPath(path+".steps", si)
			if st.Name != "" && !stepNamePattern.MatchString(st.Name) {
				cc.c.report(diag.Errorf(comp.Pos(stepPath+".name"), "component-step-name", "step name %q is not letters, digits, dashes and underscores", st.Name).
					WithHint("rename it, e.g. %s; chaining refers to it as {{ %s.<step>.outputs… }}", suggestVariableName(st.Name), ph.Name))
			} else if steps[st.Name] && st.Name != "" {
				cc.c.report(diag.Errorf(comp.Pos(stepPath+".name"), "component-step-duplicate", "phase %s has two steps named %s", ph.Name, st.Name).
					WithHint("step names must be unique within a phase; chaining refers to {{ %s.%s.… }}", ph.Name, st.Name))
			}
			steps[st.Name] = true
			cc.checkStep(ph.Name, stepPath, st, order)
			order++
		}
	}
}

// checkStep checks one step: its action and inputs, its failure, timeout and
// retry settings, and the variables and secrets in its inputs.
func (cc *componentCheck) checkStep(phase, path string, st estate.Step, order int) {
	comp := &cc.comp.Doc
	spec, known := actions[st.Action]
	if !known && st.Action != "" {
		d := diag.Errorf(comp.Pos(path+".action"), "component-action", "unknown action %q", st.Action)
		names := slices.Sorted(maps.Keys(actions))
		if i := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, st.Action) }); i >= 0 {
			d = d.WithHint("action names are case-sensitive: did you mean %q?", names[i])
		} else if h := diag.DidYouMean(st.Action, names); h != "" {
			d = d.WithHint("%s", h)
		} else {
			d = d.WithHint("AWSTOE actions: %s", strings.Join(names, ", "))
		}
		cc.c.report(d)
	}
	if known {
		cc.checkInputs(path, st.Action, spec, st.Inputs)
	}
	switch st.OnFailure {
	case "", "Abort", "Continue", "Ignore":
	default:
		d := diag.Errorf(comp.Pos(path+".onFailure"), "component-on-failure", "onFailure %q is not Abort, Continue or Ignore", st.OnFailure)
		if h := diag.DidYouMean(st.OnFailure, []string{"Abort", "Continue", "Ignore"}); h != "" {
			d = d.WithHint("%s", h)
		} else {
			d = d.WithHint("Abort stops the component, Continue fails the step and goes on, Ignore ignores the failure")
		}
		cc.c.report(d)
	}
	if cc.comp.Has(path + ".timeoutSeconds") {
		t := st.TimeoutSeconds
		switch {
		case st.Action == "ExecuteDocument" && t != -1:
			cc.c.report(diag.Errorf(comp.Pos(path+".timeoutSeconds"), "component-timeout", "ExecuteDocument steps cannot set a timeout").
				WithHint("leave timeoutSeconds out (AWSTOE uses -1); set timeouts on the steps of the document it runs"))
		case t == 0 || t < -1:
			cc.c.report(diag.Errorf(comp.Pos(path+".timeoutSeconds"), "component-timeout", "timeoutSeconds %d is neither -1 nor a positive number", t).
				WithHint("give the seconds the step may run (default 7200), or -1 for no timeout"))
		case t > 43200:
			cc.c.report(diag.Warningf(comp.Pos(path+".timeoutSeconds"), "component-timeout", "timeoutSeconds %d is more than 12 hours", t).
				WithHint("a step that long usually hangs; split the work, or use -1 if it really has no bound"))
		case st.Action == "Reboot":
			cc.c.report(diag.Warningf(comp.Pos(path+".timeoutSeconds"), "component-timeout", "Reboot steps ignore timeoutSeconds").
				WithHint("remove it; use inputs.delaySeconds to wait before the reboot"))
		}
	}
	if cc.comp.Has(path + ".maxAttempts") {
		switch {
		case st.MaxAttempts < 1:
			cc.c.report(diag.Errorf(comp.Pos(path+".maxAttempts"), "component-max-attempts", "maxAttempts %d is less than 1", st.MaxAttempts).
				WithHint("give the number of tries, at least 1 (the default)"))
		case st.Action == "ExecuteDocument" && st.MaxAttempts != 1:
			cc.c.report(diag.Errorf(comp.Pos(path+".maxAttempts"), "component-max-attempts", "ExecuteDocument steps run once; maxAttempts %d is refused", st.MaxAttempts).
				WithHint("leave maxAttempts out; retry inside the document it runs"))
		}
	}
	loopName := cc.checkLoop(path+".loop", st.Loop)
	walkStrings(path+".inputs", st.Inputs, func(p, s string) {
		cc.checkReferences(p, s, phase, order, loopName)
		cc.checkSecrets(p, s)
	})
	walkStrings(path+".loop", st.Loop, func(p, s string) {
		cc.checkReferences(p, s, phase, order, "")
	})
}

// checkLoop checks a step's loop: exactly one of for and forEach. It returns
// the loop's name ("loop" when unnamed; "" when the step has no loop), which
// inputs may refer to as {{ name.value }}.
func (cc *componentCheck) checkLoop(path string, loop any) string {
	if loop == nil {
		return ""
	}
	m, ok := loop.(map[string]any)
	if !ok {
		cc.c.report(diag.Errorf(cc.comp.Pos(path), "component-loop", "loop must be a mapping").
			WithHint("write loop: {forEach: [...]} or loop: {for: {start: 1, end: 3, updateBy: 1}}"))
		return "loop"
	}
	_, hasFor := m["for"]
	_, hasForEach := m["forEach"]
	if hasFor == hasForEach {
		cc.c.report(diag.Errorf(cc.comp.Pos(path), "component-loop", "loop needs exactly one of for and forEach").
			WithHint("for iterates over numbers (start, end, updateBy); forEach over a list"))
	}
	if f, ok := m["for"].(map[string]any); ok {
		for _, k := range []string{"start", "end", "updateBy"} {
			if _, ok := asInt(f[k]); !ok {
				cc.c.report(diag.Errorf(cc.comp.Pos(path+".for"), "component-loop", "loop.for needs an integer %s", k).
					WithHint("for: {start: 1, end: 3, updateBy: 1}; chaining expressions are not allowed here"))
			}
		}
		if u, ok := asInt(f["updateBy"]); ok && u == 0 {
			cc.c.report(diag.Errorf(cc.comp.Pos(path+".for.updateBy"), "component-loop", "loop.for.updateBy is 0, so the loop never ends").
				WithHint("use a positive or negative step"))
		}
	}
	if name, _ := m["name"].(string); name != "" {
		return name
	}
	return "loop"
}
