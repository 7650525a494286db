package validate

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// What a component's values may refer to ({{ parameters }}, chaining,
// loop variables), and what they must not hold: literal secrets.

// referencePattern finds {{ name }} and chaining expressions in inputs.
var referencePattern = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

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
		if loopName != "" && (head == "loop" || head == loopName) {
			continue
		}
		if head == "loop" {
			cc.c.report(diag.Errorf(cc.comp.Pos(path), "component-reference", "{{ %s }} refers to a loop, but the step has none", expr).
				WithHint("add loop: {forEach: [...]} to the step, or refer to a parameter"))
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
