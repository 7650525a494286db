package validate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

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
	// referencePattern finds {{ name }} and chaining expressions in inputs.
	referencePattern = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)
	// secretNamePattern marks parameter names that suggest a secret value.
	secretNamePattern = regexp.MustCompile(`(?i)(password|passwd|secret|token|apikey|api_key|privatekey|private_key)`)
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
				if secretNamePattern.MatchString(name) && !secretRefSuffix.MatchString(name) {
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
			if steps[st.Name] && st.Name != "" {
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
// the loop's name, which inputs may refer to as {{ name.value }}.
func (cc *componentCheck) checkLoop(path string, loop any) string {
	if loop == nil {
		return ""
	}
	m, ok := loop.(map[string]any)
	if !ok {
		cc.c.report(diag.Errorf(cc.comp.Pos(path), "component-loop", "loop must be a mapping").
			WithHint("write loop: {forEach: [...]} or loop: {for: {start: 1, end: 3, updateBy: 1}}"))
		return ""
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
	name, _ := m["name"].(string)
	return name
}

// checkInputs checks a step's inputs against its action's spec.
func (cc *componentCheck) checkInputs(path, action string, spec actionSpec, inputs any) {
	comp := &cc.comp.Doc
	ipath := path + ".inputs"
	if inputs == nil {
		if !spec.optional {
			cc.c.report(diag.Errorf(comp.Pos(path+".action"), "component-inputs", "%s needs inputs", action).
				WithHint("%s", inputsExample(action, spec)))
		}
		return
	}
	type entry struct {
		path string
		m    map[string]any
	}
	var entries []entry
	switch v := inputs.(type) {
	case map[string]any:
		entries = append(entries, entry{ipath, v})
	case []any:
		if len(v) == 0 && !spec.optional {
			cc.c.report(diag.Errorf(comp.Pos(ipath), "component-inputs", "%s inputs are empty", action).
				WithHint("%s", inputsExample(action, spec)))
		}
		for i, item := range v {
			p := estate.ItemPath(ipath, i)
			m, ok := item.(map[string]any)
			if !ok {
				cc.c.report(diag.Errorf(comp.Pos(p), "component-inputs", "each %s input must be a mapping, got %s", action, describeValue(item)).
					WithHint("%s", inputsExample(action, spec)))
				continue
			}
			entries = append(entries, entry{p, m})
		}
	default:
		cc.c.report(diag.Errorf(comp.Pos(ipath), "component-inputs", "%s inputs must be a mapping, got %s", action, describeValue(inputs)).
			WithHint("%s", inputsExample(action, spec)))
	}
	for _, e := range entries {
		cc.checkEntry(e.path, action, spec, e.m)
	}
}

// checkEntry checks one input mapping: required keys, known keys and the
// shape of each value.
func (cc *componentCheck) checkEntry(path, action string, spec actionSpec, m map[string]any) {
	comp := &cc.comp.Doc
	for _, k := range spec.required {
		if _, ok := m[k]; !ok {
			cc.c.report(diag.Errorf(comp.Pos(path), "component-inputs", "%s input has no %s", action, k).
				WithHint("%s", inputsExample(action, spec)))
		}
	}
	if len(spec.oneOf) > 0 {
		var given []string
		for _, k := range spec.oneOf {
			if _, ok := m[k]; ok {
				given = append(given, k)
			}
		}
		if len(given) != 1 {
			at := path
			if len(given) > 1 {
				at = estate.FieldPath(path, given[1])
			}
			cc.c.report(diag.Errorf(comp.Pos(at), "component-inputs", "%s needs exactly one of %s", action, strings.Join(spec.oneOf, " and ")).
				WithHint("%s", inputsExample(action, spec)))
		}
	}
	if spec.keys == nil {
		if len(m) == 0 {
			cc.c.report(diag.Errorf(comp.Pos(path), "component-inputs", "%s needs an expression", action).
				WithHint("e.g. inputs: {stringEquals: expected, value: '{{ build.Step.outputs.stdout }}'}"))
		}
		return
	}
	known := slices.Sorted(maps.Keys(spec.keys))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		kp := estate.FieldPath(path, k)
		kind, ok := spec.keys[k]
		if !ok {
			d := diag.Warningf(comp.Pos(kp), "component-input-unknown", "%s has no input %q", action, k)
			if h := diag.DidYouMean(k, known); h != "" {
				d = d.WithHint("%s", h)
			} else {
				d = d.WithHint("%s inputs: %s", action, strings.Join(known, ", "))
			}
			cc.c.report(d)
			continue
		}
		cc.checkInputValue(kp, action, k, kind, spec.enums[k], m[k])
	}
	if action == "WebDownload" {
		_, sum := m["checksum"]
		_, alg := m["algorithm"]
		if sum != alg {
			at := estate.FieldPath(path, "checksum")
			if alg {
				at = estate.FieldPath(path, "algorithm")
			}
			cc.c.report(diag.Errorf(comp.Pos(at), "component-inputs", "WebDownload verifies a download only with both checksum and algorithm").
				WithHint("give both, e.g. checksum: <sha256 hex> and algorithm: SHA256"))
		}
		if b, _ := m["ignoreCertificateErrors"].(bool); b {
			cc.c.report(diag.Warningf(comp.Pos(path+".ignoreCertificateErrors"), "component-insecure-download", "WebDownload ignores TLS certificate errors").
				WithHint("anyone on the path can swap the file; trust the certificate on the build instance, or give a checksum"))
		}
	}
}

var (
	s3URLPattern  = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$`)
	webURLPattern = regexp.MustCompile(`^https?://[^\s/]+`)
)

// checkInputValue checks the shape of one input value. Strings holding a
// {{ reference }} are resolved at run time and pass any typed check.
func (cc *componentCheck) checkInputValue(path, action, key string, kind inputKind, enum []string, v any) {
	comp := &cc.comp.Doc
	bad := func(want, hint string) {
		cc.c.report(diag.Errorf(comp.Pos(path), "component-inputs", "%s input %s must be %s, got %s", action, key, want, describeValue(v)).
			WithHint("%s", hint))
	}
	s, isString := v.(string)
	if isString && strings.Contains(s, "{{") && kind != inStringList && kind != inStringMap && kind != inDocParams {
		return
	}
	switch kind {
	case inString:
		switch v.(type) {
		case string, int64, float64:
		default:
			bad("a string", "write one value, quoted if it looks like a number")
			return
		}
	case inStringList:
		list, ok := v.([]any)
		if !ok {
			if isString && key == "commands" {
				bad("a list of strings", "write each command as a list item:\n  commands:\n    - |\n      "+firstLine(s))
			} else {
				bad("a list of strings", "write it as a YAML list: - item")
			}
			return
		}
		if len(list) == 0 && key == "commands" {
			cc.c.report(diag.Errorf(comp.Pos(path), "component-inputs", "%s input commands is empty", action).
				WithHint("add the commands to run, one list item each"))
			return
		}
		for i, item := range list {
			if _, ok := item.(string); !ok {
				cc.c.report(diag.Errorf(comp.Pos(estate.ItemPath(path, i)), "component-inputs", "%s input %s[%d] must be a string, got %s", action, key, i, describeValue(item)).
					WithHint("quote it so YAML keeps it text"))
			}
		}
		return
	case inBool:
		if _, ok := v.(bool); !ok && !(isString && (s == "true" || s == "false")) {
			bad("true or false", "write true or false")
		}
		return
	case inInt:
		if n, ok := asInt(v); !ok || n < 0 {
			bad("a whole number of seconds, 0 or more", "e.g. delaySeconds: 60")
		}
		return
	case inStringMap:
		m, ok := v.(map[string]any)
		if !ok {
			bad("a mapping of names to values", "e.g. properties: {TARGETDIR: 'C:\\\\app'}")
			return
		}
		for k, item := range m {
			switch item.(type) {
			case string, int64, float64, bool:
			default:
				cc.c.report(diag.Errorf(comp.Pos(estate.FieldPath(path, k)), "component-inputs", "%s input %s.%s must be a single value, got %s", action, key, k, describeValue(item)).
					WithHint("write one value, quoted"))
			}
		}
		return
	case inAny:
		return
	case inS3URL:
		if !isString || !s3URLPattern.MatchString(s) {
			bad("an S3 URL", "write s3://bucket/key (end a key prefix with /* to take every object under it)")
		}
		return
	case inWebURL:
		if !isString || !webURLPattern.MatchString(s) {
			bad("an https:// URL", "write the full URL, e.g. https://example.com/app.zip")
			return
		}
		if strings.HasPrefix(s, "http://") {
			cc.c.report(diag.Warningf(comp.Pos(path), "component-insecure-download", "WebDownload fetches %s over plain HTTP", s).
				WithHint("use https://, or verify the file with checksum and algorithm"))
		}
		return
	case inDocParams:
		list, ok := v.([]any)
		if !ok {
			bad("a list of {name, value}", "parameters:\n  - name: MyParameter\n    value: my-value")
			return
		}
		for i, item := range list {
			m, ok := item.(map[string]any)
			_, hasName := m["name"]
			_, hasValue := m["value"]
			if !ok || !hasName || !hasValue {
				cc.c.report(diag.Errorf(comp.Pos(estate.ItemPath(path, i)), "component-inputs", "ExecuteDocument parameter %d needs name and value", i).
					WithHint("- name: MyParameter\n  value: my-value"))
			}
		}
		return
	}
	if enum != nil && isString && !slices.ContainsFunc(enum, func(e string) bool { return strings.EqualFold(e, s) }) {
		d := diag.Errorf(comp.Pos(path), "component-inputs", "%s input %s %q is not one of %s", action, key, s, strings.Join(enum, ", "))
		if h := diag.DidYouMean(s, enum); h != "" {
			d = d.WithHint("%s", h)
		} else {
			d = d.WithHint("use one of %s", strings.Join(enum, ", "))
		}
		cc.c.report(d)
	}
}

// checkReferences checks each {{ … }} in s: a bare name is a parameter or
// constant; phase.step.… is a chaining expression to an earlier step of the
// same stage; loop.… and <loop name>.… are the step's loop variables.
func (cc *componentCheck) checkReferences(path, s, phase string, order int, loopName string) {
	for _, m := range referencePattern.FindAllStringSubmatch(s, -1) {
		expr := m[1]
		head, rest, dotted := strings.Cut(expr, ".")
		head = strings.TrimSpace(head)
		if !dotted {
			if cc.vars[expr] {
				continue
			}
			d := diag.Errorf(cc.comp.Pos(path), "component-reference", "{{ %s }} refers to no parameter or constant", expr)
			if h := diag.DidYouMean(expr, slices.Sorted(maps.Keys(cc.vars))); h != "" {
				d = d.WithHint("%s", h)
			} else {
				d = d.WithHint("declare it under parameters: (set by the recipe) or constants: (fixed)")
			}
			cc.c.report(d)
			continue
		}
		if head == "loop" || (loopName != "" && head == loopName) {
			continue
		}
		steps, isPhase := cc.steps[head]
		if !isPhase {
			if !slices.Contains(componentPhases, head) {
				cc.c.report(diag.Errorf(cc.comp.Pos(path), "component-reference", "{{ %s }} refers to nothing: %s is neither a phase nor this step's loop", expr, head).
					WithHint("chaining is {{ phase.step.inputs[0].key }} or {{ phase.step.outputs.stdout }}; loops are {{ loop.value }}"))
			} else {
				cc.c.report(diag.Errorf(cc.comp.Pos(path), "component-reference", "{{ %s }} refers to phase %s, which the document does not have", expr, head).
					WithHint("refer to a step of a phase declared in this document"))
			}
			continue
		}
		stepName, _, _ := strings.Cut(rest, ".")
		stepName = strings.TrimSpace(stepName)
		at, ok := steps[stepName]
		switch {
		case !ok:
			d := diag.Errorf(cc.comp.Pos(path), "component-reference", "{{ %s }}: phase %s has no step %q", expr, head, stepName)
			if h := diag.DidYouMean(stepName, slices.Sorted(maps.Keys(steps))); h != "" {
				d = d.WithHint("%s", h)
			}
			cc.c.report(d)
		case phase == "test" && head != "test":
			cc.c.report(diag.Errorf(cc.comp.Pos(path), "component-reference", "{{ %s }}: the test phase cannot read the %s phase", expr, head).
				WithHint("Image Builder runs test in a later stage, on a new instance; repeat the step in the test phase"))
		case at >= order:
			cc.c.report(diag.Errorf(cc.comp.Pos(path), "component-reference", "{{ %s }} refers to step %s.%s, which has not run yet", expr, head, stepName).
				WithHint("chaining reads steps that ran before this one; move %s earlier", stepName))
		}
	}
}

// Patterns of literal secrets. A value read at run time ($VAR, $(…), `…`,
// {{ … }}, <placeholder>) is not a literal.
var secretPatterns = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), "an AWS access key id"},
	{regexp.MustCompile(`-----BEGIN ([A-Z]+ )?PRIVATE KEY-----`), "a private key"},
	{regexp.MustCompile(`\bglpat-[0-9A-Za-z_-]{20,}`), "a GitLab personal access token"},
	{regexp.MustCompile(`(?i)(password|passwd|pwd|secret|token|api_?key|secret_?key|access_?key)["']?\s*=\s*["']?[^\s"'$` + "`" + `{<%(]`), "a password or token assigned inline"},
	{regexp.MustCompile(`(?i)--(password|passwd|token|secret|api-key)[ =]["']?[^\s"'$` + "`" + `{<%(-]`), "a password or token on the command line"},
}

// checkSecrets reports a literal secret in s.
func (cc *componentCheck) checkSecrets(path, s string) {
	for _, p := range secretPatterns {
		if p.re.MatchString(s) {
			cc.c.report(diag.Errorf(cc.comp.Pos(path), "component-secret", "this value holds %s in plain text", p.what).
				WithHint("component documents are stored and logged in plain text; read it at build time, e.g. $(aws secretsmanager get-secret-value --secret-id NAME --query SecretString --output text) or $(aws ssm get-parameter --with-decryption --name /NAME --query Parameter.Value --output text)"))
			return
		}
	}
}

// walkStrings calls fn for every string inside v with its document path.
func walkStrings(path string, v any, fn func(path, s string)) {
	switch t := v.(type) {
	case string:
		fn(path, t)
	case []any:
		for i, item := range t {
			walkStrings(estate.ItemPath(path, i), item, fn)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			walkStrings(estate.FieldPath(path, k), t[k], fn)
		}
	}
}

// asInt reads an integer input. The loader hands positive integers of
// free-form values over as their text, so digit strings count too.
func asInt(v any) (int64, bool) {
	switch t := v.(type) {
	case int64:
		return t, true
	case string:
		n, err := strconv.ParseInt(t, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// describeValue names a generic value's type for messages.
func describeValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case bool:
		return fmt.Sprintf("boolean %v", t)
	case int64, float64:
		return fmt.Sprintf("number %v", t)
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// inputsExample shows the documented form of an action's inputs.
func inputsExample(action string, spec actionSpec) string {
	switch action {
	case "ExecuteBash", "ExecutePowerShell":
		return "inputs:\n  commands:\n    - echo hello\n(or inputs: {file: path/to/script})"
	case "Assert":
		return "inputs: {stringEquals: expected, value: '{{ build.Step.outputs.stdout }}'}"
	}
	var keys []string
	for _, k := range spec.required {
		keys = append(keys, k+": …")
	}
	if len(keys) == 0 {
		for _, k := range slices.Sorted(maps.Keys(spec.keys)) {
			keys = append(keys, k+": …")
		}
	}
	if spec.list {
		return "inputs:\n  - " + strings.Join(keys, "\n    ")
	}
	return "inputs:\n  " + strings.Join(keys, "\n  ")
}
