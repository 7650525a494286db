package validate

import (
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// The components and tests of an image recipe: Amazon-managed components by
// name, any component by ARN, and AWSTOE documents of imagerecipes/components/.

var (
	// componentARNPattern: arn:PARTITION:imagebuilder:REGION:OWNER:component/NAME/VERSION[/BUILD].
	componentARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:imagebuilder:([a-z0-9-]+):(aws|aws-marketplace|[0-9]{12}):component/([A-Za-z0-9_-]+)/([0-9x.]+)(/[0-9]+)?$`)
	managedNamePattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// componentKey is a component file's key in Estate.Components.
func componentKey(file string) string {
	return strings.TrimPrefix(path.Clean(file), "imagerecipes/")
}

// baked is true when a pipeline bakes r.
func (c *checker) baked(r *estate.ImageRecipe) bool {
	return slices.ContainsFunc(c.e.Pipelines, func(p *estate.Pipeline) bool {
		return p.Bake != nil && p.Bake.Recipe == r.Name && c.ix.Pipelines[p.Name] == p
	})
}

// checkComponentRef checks one entry of components or tests. seen maps each
// component already used by the recipe to its path, to warn about repeats.
func (c *checker) checkComponentRef(r *estate.ImageRecipe, placed bool, at string, ref estate.ComponentRef, seen map[string]string) {
	var given []string
	for _, f := range []struct{ key, value string }{{"arn", ref.ARN}, {"managed", ref.Managed}, {"file", ref.File}} {
		if f.value != "" {
			given = append(given, f.key)
		}
	}
	switch len(given) {
	case 0:
		c.report(diag.Errorf(r.Pos(at), "recipe-component-source", "component names no component").
			WithHint("give one of file: components/<name>.yaml, managed: <Amazon-managed name> or arn: arn:aws:imagebuilder:…"))
		return
	case 1:
	default:
		c.report(diag.Errorf(r.Pos(at+"."+given[1]), "recipe-component-source", "component gives both %s and %s", given[0], given[1]).
			WithHint("keep exactly one of arn, managed and file"))
		return
	}
	if ref.Version != "" {
		if ref.Managed == "" {
			c.report(diag.Errorf(r.Pos(at+".version"), "recipe-component-version", "version applies only to managed components").
				WithHint("an ARN carries its version (…/component/NAME/1.0.x); a file's version follows the recipe; remove version:"))
		} else if p := versionFilterProblem(ref.Version); p != "" {
			c.report(diag.Errorf(r.Pos(at+".version"), "recipe-component-version", "version %q %s", ref.Version, p).
				WithHint("write 1.2.3 for one version, 1.0.x or 1.x.x for the latest of a line, x.x.x for the latest"))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(ref.Parameters)) {
		for _, p := range secretPatterns {
			if p.re.MatchString(ref.Parameters[name]) {
				c.report(diag.Errorf(r.Pos(at+".parameters."+name), "recipe-component-secret", "parameter %s holds %s in plain text", name, p.what).
					WithHint("recipe parameters are stored in plain text and logged in CloudTrail; pass the secret's name and read it in the component from Secrets Manager or SSM"))
				break
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(ref.Parameters)) {
		if ref.Parameters[name] == estate.ReleaseValue && !c.baked(r) {
			c.report(diag.Errorf(r.Pos(at+".parameters."+name), "recipe-release-unbaked", "parameter %s is %s, but no pipeline bakes recipe %s", name, estate.ReleaseValue, r.Name).
				WithHint("%s is the build a pipeline publishes before it bakes the recipe: give a pipeline bake: {recipe: %s}, or pass the release's location yourself", estate.ReleaseValue, r.Name))
		}
	}
	if len(ref.Parameters) > 0 && ref.File == "" {
		c.report(diag.Errorf(r.Pos(at+".parameters"), "recipe-component-parameters", "parameters can be checked only for file components").
			WithHint("pass parameters to a component in imagerecipes/components/, whose parameters gitops can check; wrap the %s component in one if it needs them", given[0]))
	}
	var id string
	switch {
	case ref.ARN != "":
		id = ref.ARN
		m := componentARNPattern.FindStringSubmatch(ref.ARN)
		if m == nil {
			c.report(diag.Errorf(r.Pos(at+".arn"), "recipe-component-arn", "%q is not an Image Builder component ARN", ref.ARN).
				WithHint("arn:aws:imagebuilder:REGION:(aws|ACCOUNT-ID):component/NAME/VERSION, e.g. arn:aws:imagebuilder:%s:aws:component/update-linux/x.x.x", orDefault(r.Region, "eu-west-1")))
			break
		}
		id = m[3]
		if p := versionFilterProblem(m[4]); p != "" {
			c.report(diag.Errorf(r.Pos(at+".arn"), "recipe-component-arn", "the version %q in the ARN %s", m[4], p).
				WithHint("write 1.2.3, 1.0.x, 1.x.x or x.x.x after the component name"))
		}
		if placed && r.Region != "" && m[1] != r.Region {
			c.report(diag.Errorf(r.Pos(at+".arn"), "recipe-component-arn", "the component is in region %s, but recipe %s builds in %s", m[1], r.Name, r.Region).
				WithHint("a recipe can use only components of its own region: use arn:…:imagebuilder:%s:…", r.Region))
		}
	case ref.Managed != "":
		id = ref.Managed
		if strings.HasPrefix(ref.Managed, "arn:") {
			c.report(diag.Errorf(r.Pos(at+".managed"), "recipe-component-managed", "managed takes a component name, not an ARN").
				WithHint("write arn: %s instead", ref.Managed))
		} else if !managedNamePattern.MatchString(ref.Managed) {
			c.report(diag.Errorf(r.Pos(at+".managed"), "recipe-component-managed", "%q is not an Amazon-managed component name", ref.Managed).
				WithHint("write the name as Image Builder lists it, e.g. update-linux, with the version apart: version: 1.0.x"))
		}
	case ref.File != "":
		id = componentKey(ref.File)
		c.checkComponentFile(r, at, ref)
	}
	if prev, dup := seen[id]; dup {
		c.report(diag.Warningf(r.Pos(at), "recipe-component-duplicate", "recipe %s uses %s twice (first at %s)", r.Name, id, prev).
			WithHint("a component runs once per listing; remove the repeat unless it must really run twice"))
	} else {
		seen[id] = at
	}
}

// checkComponentFile checks that a file component exists and that its
// parameters match the ones the document declares.
func (c *checker) checkComponentFile(r *estate.ImageRecipe, at string, ref estate.ComponentRef) {
	key := componentKey(ref.File)
	comp, ok := c.e.Components[key]
	if !ok {
		if slices.Contains(c.e.Files, "imagerecipes/"+key) {
			return // the file is there but did not load; the loader said why
		}
		d := diag.Errorf(r.Pos(at+".file"), "recipe-component-file", "component file %s does not exist", ref.File)
		if h := diag.DidYouMean(key, slices.Sorted(maps.Keys(c.e.Components))); h != "" {
			d = d.WithHint("%s", h)
		} else {
			d = d.WithHint("component files live in imagerecipes/components/ and are written file: components/<name>.yaml")
		}
		c.report(d)
		return
	}
	if key != ref.File {
		c.report(diag.Errorf(r.Pos(at+".file"), "recipe-component-file", "write the component path as %s", key).
			WithHint("paths are relative to imagerecipes/, without ./ or imagerecipes/"))
	}
	declared := map[string]bool{}
	var names []string
	for i, m := range comp.Parameters {
		for name := range m {
			declared[name] = true
			names = append(names, name)
			if _, given := ref.Parameters[name]; !given && !comp.Has(estate.FieldPath(estate.ItemPath("parameters", i), name)+".default") {
				c.report(diag.Errorf(r.Pos(at+".file"), "recipe-component-parameter-missing", "component %s requires parameter %s, which has no default", key, name).
					WithHint("add parameters: {%s: …} to this component entry", name))
			}
		}
	}
	slices.Sort(names)
	for _, name := range slices.Sorted(maps.Keys(ref.Parameters)) {
		if declared[name] {
			continue
		}
		d := diag.Errorf(r.Pos(at+".parameters."+name), "recipe-component-parameter", "component %s declares no parameter %s", key, name)
		if h := diag.DidYouMean(name, names); h != "" {
			d = d.WithHint("%s", h)
		} else if len(names) > 0 {
			d = d.WithHint("its parameters: %s", joinQuoted(names))
		} else {
			d = d.WithHint("declare it under parameters: in %s, or remove it here", comp.File)
		}
		c.report(d)
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
