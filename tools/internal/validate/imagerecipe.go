package validate

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

var amiPattern = regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`)

// checkImageRecipes checks each recipe, the golden-image cascade between
// them, and that no two recipes write the same SSM parameter.
func (c *checker) checkImageRecipes() {
	params := map[string]*estate.ImageRecipe{}
	for _, r := range c.e.ImageRecipes {
		c.checkImageRecipe(r)
		if r.SSMParameter == "" {
			continue
		}
		if first, ok := params[r.SSMParameter]; ok {
			c.report(diag.Errorf(r.Pos("ssmParameter"), "recipe-ssm-parameter-unique", "recipes %s and %s both write %s", first.Name, r.Name, r.SSMParameter).
				WithHint("each recipe writes its AMI id to its own parameter, e.g. /gitops/ami/%s", r.Name))
			continue
		}
		params[r.SSMParameter] = r
	}
	for _, r := range c.e.ImageRecipes {
		if p := r.Parent.SSMParameter; p != "" && params[p] != nil && params[p] != r {
			c.report(diag.Warningf(r.Pos("parent.ssmParameter"), "recipe-parent-ssm-recipe", "parent %s is the AMI recipe %s writes", p, params[p].Name).
				WithHint("write parent: {recipe: %s} so the cascade is explicit and rebuilds in order", params[p].Name))
		}
	}
	c.checkRecipeCycles()
}

// maxDescription is ImageBuilder's limit on a recipe's or component's
// description, in characters.
const maxDescription = 1024

func (c *checker) checkImageRecipe(r *estate.ImageRecipe) {
	doc := &r.Doc
	if n := utf8.RuneCountInString(r.Description); n > maxDescription {
		c.report(diag.Errorf(r.Pos("description"), "recipe-description", "the description of recipe %s has %d characters; ImageBuilder allows %d", r.Name, n, maxDescription).
			WithHint("shorten it; a README next to the recipe can say more"))
	}
	if r.Name != "" && !namePattern.MatchString(r.Name) {
		c.report(diag.Errorf(r.Pos("name"), "recipe-name", "recipe name %q is not a lowercase name", r.Name).
			WithHint("use lowercase letters, digits and dashes, starting with a letter"))
	}
	// Checks that compare other regions with the recipe's wait until its
	// own account and region are right, so one typo is one finding.
	_, placed := c.placement(doc, "account", r.Account, "region", r.Region)
	if r.Version != "" {
		if p := recipeVersionProblem(r.Version); p != "" {
			c.report(diag.Errorf(r.Pos("version"), "recipe-version", "version %q %s", r.Version, p).
				WithHint("write major.minor.patch, e.g. 1.0.0, and raise it whenever the recipe changes: Image Builder versions are immutable"))
		}
	}
	c.checkRecipeParent(r, placed)
	seen := map[string]string{}
	for i, ref := range r.Components {
		c.checkComponentRef(r, placed, estate.ItemPath("components", i), ref, seen)
	}
	for i, ref := range r.Tests {
		c.checkComponentRef(r, placed, estate.ItemPath("tests", i), ref, seen)
	}
	types := map[string]bool{}
	for i, t := range r.InstanceTypes {
		p := estate.ItemPath("instanceTypes", i)
		if problem := instanceTypeProblem(t); problem != "" {
			d := diag.Errorf(r.Pos(p), "recipe-instance-type", "instance type %q %s", t, problem)
			if family, size, ok := strings.Cut(t, "."); ok {
				if h := diag.DidYouMean(size, instanceSizes); h != "" {
					d = d.WithHint("%s (%s.…)", h, family)
				}
			}
			if d.Hint == "" {
				d = d.WithHint("write an EC2 instance type such as t3.medium or m7i.large")
			}
			c.report(d)
		}
		if types[t] {
			c.report(diag.Errorf(r.Pos(p), "recipe-instance-type-duplicate", "instance type %s is listed twice", t).
				WithHint("list each instance type once"))
		}
		types[t] = true
	}
	if r.Has("rootVolumeSize") && (r.RootVolumeSize < 8 || r.RootVolumeSize > 16384) {
		c.report(diag.Errorf(r.Pos("rootVolumeSize"), "recipe-root-volume", "rootVolumeSize %d GiB is outside 8–16384", r.RootVolumeSize).
			WithHint("give the root volume size in GiB, at least the parent image's"))
	}
	c.checkRecipeNetwork(r, placed)
	targets := map[[2]string]bool{}
	for i, t := range r.Distribution {
		p := estate.ItemPath("distribution", i)
		c.placement(doc, p+".account", t.Account, p+".region", t.Region)
		key := [2]string{t.Account, t.Region}
		if targets[key] && t.Account != "" && t.Region != "" {
			c.report(diag.Errorf(r.Pos(p), "recipe-distribution-duplicate", "the AMI is distributed to %s in %s twice", t.Account, t.Region).
				WithHint("list each account and region once"))
		}
		targets[key] = true
	}
	if r.SSMParameter != "" {
		if p := ssmNameProblem(r.SSMParameter, true, true); p != "" {
			c.report(diag.Errorf(r.Pos("ssmParameter"), "recipe-ssm-parameter", "SSM parameter name %q %s", r.SSMParameter, p).
				WithHint("use a path of your own, e.g. /gitops/ami/%s", r.Name))
		}
	}
	if r.Schedule != nil && r.Schedule.Cron != "" {
		if p := cronProblem(r.Schedule.Cron); p != "" {
			c.report(diag.Errorf(r.Pos("schedule.cron"), "recipe-schedule", "schedule %q %s", r.Schedule.Cron, p).
				WithHint("write cron(minute hour day-of-month month day-of-week year), e.g. cron(0 3 ? * sun *) for Sundays at 03:00 UTC"))
		}
	}
}

// checkRecipeParent checks that the recipe names exactly one parent image of
// a valid form, and that a parent recipe exists and reaches the child's
// account and region.
func (c *checker) checkRecipeParent(r *estate.ImageRecipe, placed bool) {
	p := r.Parent
	var given []string
	for _, f := range []struct{ key, value string }{{"ami", p.AMI}, {"ssmParameter", p.SSMParameter}, {"recipe", p.Recipe}} {
		if f.value != "" {
			given = append(given, f.key)
		}
	}
	switch len(given) {
	case 0:
		c.report(diag.Errorf(r.Pos("parent"), "recipe-parent", "parent names no image").
			WithHint("give one of ami: ami-…, ssmParameter: /aws/service/… or recipe: <another recipe>"))
	case 1:
	default:
		c.report(diag.Errorf(r.Pos("parent."+given[1]), "recipe-parent", "parent gives both %s and %s", given[0], given[1]).
			WithHint("keep exactly one of ami, ssmParameter and recipe"))
	}
	if p.AMI != "" && !amiPattern.MatchString(p.AMI) {
		c.report(diag.Errorf(r.Pos("parent.ami"), "recipe-parent-ami", "%q is not an AMI id", p.AMI).
			WithHint("AMI ids are ami- and 8 or 17 lowercase hex digits, e.g. ami-0123456789abcdef0"))
	}
	if name := p.SSMParameter; name != "" {
		if rest, ok := strings.CutPrefix(name, "resolve:ssm:"); ok {
			c.report(diag.Errorf(r.Pos("parent.ssmParameter"), "recipe-parent-ssm", "write the parameter name without resolve:ssm:").
				WithHint("ssmParameter: %s", rest))
		} else if rest, ok := strings.CutPrefix(name, "ssm:"); ok {
			c.report(diag.Errorf(r.Pos("parent.ssmParameter"), "recipe-parent-ssm", "write the parameter name without ssm:").
				WithHint("ssmParameter: %s", rest))
		} else if problem := ssmNameProblem(name, false, false); problem != "" {
			c.report(diag.Errorf(r.Pos("parent.ssmParameter"), "recipe-parent-ssm", "SSM parameter name %q %s", name, problem).
				WithHint("name the parameter that holds the parent AMI id, e.g. /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"))
		}
	}
	if p.Recipe == "" {
		return
	}
	if p.Recipe == r.Name {
		c.report(diag.Errorf(r.Pos("parent.recipe"), "recipe-parent-self", "recipe %s is its own parent", r.Name).
			WithHint("build on another recipe, an AMI id or an SSM parameter"))
		return
	}
	parent, ok := c.imageRecipe(&r.Doc, "parent.recipe", p.Recipe)
	if !ok || !placed || r.Account == "" || r.Region == "" {
		return
	}
	if parent.Account == r.Account && parent.Region == r.Region {
		return
	}
	for _, t := range parent.Distribution {
		if t.Account == r.Account && t.Region == r.Region {
			return
		}
	}
	c.report(diag.Errorf(r.Pos("parent.recipe"), "recipe-parent-placement", "parent %s builds in %s/%s and does not distribute to %s/%s, where %s builds",
		parent.Name, parent.Account, parent.Region, r.Account, r.Region, r.Name).
		WithHint("add {account: %s, region: %s} to the distribution of %s (%s), or build %s in %s/%s",
			r.Account, r.Region, parent.Name, parent.File, r.Name, parent.Account, parent.Region))
}

// imageRecipe resolves a reference to an image recipe by name.
func (c *checker) imageRecipe(doc *estate.Doc, path, name string) (*estate.ImageRecipe, bool) {
	return lookup(c, doc, path, "ref-recipe", "image recipe", name, c.ix.ImageRecipes)
}

// checkRecipeCycles reports each cycle of parent recipes once, at the recipe
// of the cycle whose name sorts first. Each recipe has at most one parent,
// so following parents from any recipe either ends or enters one cycle.
func (c *checker) checkRecipeCycles() {
	reported := map[string]bool{}
	for _, start := range c.e.ImageRecipes {
		var chain []string
		index := map[string]int{}
		for r := start; r != nil; r = c.ix.ImageRecipes[r.Parent.Recipe] {
			if i, seen := index[r.Name]; seen {
				cycle := chain[i:]
				if len(cycle) < 2 {
					break // a recipe that is its own parent: recipe-parent-self
				}
				first := slices.Min(cycle)
				if reported[first] {
					break
				}
				reported[first] = true
				j := slices.Index(cycle, first)
				path := slices.Concat(cycle[j:], cycle[:j], []string{first})
				at := c.ix.ImageRecipes[first]
				c.report(diag.Errorf(at.Pos("parent.recipe"), "recipe-parent-cycle", "parent recipes form a cycle: %s", strings.Join(path, " → ")).
					WithHint("one recipe of the cascade must start from an AMI id or an SSM parameter"))
				break
			}
			index[r.Name] = len(chain)
			chain = append(chain, r.Name)
			if r.Parent.Recipe == "" || r.Name == "" {
				break
			}
		}
	}
}

// checkRecipeNetwork checks that the build VPC is in the recipe's account and
// region and that the build subnets are not public: build instances must
// not get public IP addresses.
func (c *checker) checkRecipeNetwork(r *estate.ImageRecipe, placed bool) {
	vpc, ok := c.vpc(&r.Doc, "network.vpc", r.Network.VPC)
	if !ok {
		return
	}
	if placed && r.Account != "" && r.Region != "" && (vpc.Network.Account != r.Account || vpc.Network.Region != r.Region) {
		c.report(diag.Errorf(r.Pos("network.vpc"), "recipe-network-placement", "VPC %s is in %s/%s, but recipe %s builds in %s/%s",
			vpc.VPC.Name, vpc.Network.Account, vpc.Network.Region, r.Name, r.Account, r.Region).
			WithHint("use a VPC declared for account %s in region %s", r.Account, r.Region))
		return
	}
	tier, ok := c.subnetTier(&r.Doc, "network.subnets", vpc, r.Network.Subnets)
	if ok && tier.Type == "public" {
		c.report(diag.Errorf(r.Pos("network.subnets"), "recipe-network-public", "subnet tier %s of VPC %s is public", tier.Name, vpc.VPC.Name).
			WithHint("build instances must not have public IP addresses; use a private tier of %s", vpc.VPC.Name))
	}
}
