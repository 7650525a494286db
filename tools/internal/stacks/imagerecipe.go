package stacks

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"gitops/tools/internal/estate"
)

// An image recipe becomes a stack in its build account and region: its
// in-repository AWSTOE components, the ImageBuilder recipe, infrastructure
// and distribution configurations, the image pipeline gitops bake starts,
// and the SSM parameter holding the recipe's AMI id there. Every other
// account and region the AMI is distributed to gets the parameter from its
// ami-parameters stack, where gitops bake writes the AMI id it distributed.

// ImageRecipeSpec is the stack of one image recipe.
type ImageRecipeSpec struct {
	Name        string `json:"name"`
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// Version is the recipe's ImageBuilder version: major and minor as
	// declared, the patch derived from everything the recipe resource
	// holds. ImageBuilder versions are immutable, and CloudFormation
	// replaces a recipe on any change, so every change needs a new one.
	Version string `json:"version"`
	// ParentImage is an AMI id or ssm:<parameter name>, which ImageBuilder
	// resolves at each build (for the cascade, the parent recipe's
	// parameter, which gitops bake updates).
	ParentImage string `json:"parentImage"`
	// Seed is the first value of the recipe's AMI parameter (see AMIParameter).
	Seed       string            `json:"seed"`
	Components []RecipeComponent `json:"components"`
	// InstanceTypes the build may use.
	InstanceTypes  []string `json:"instanceTypes"`
	RootVolumeSize int      `json:"rootVolumeSize,omitempty"`
	// VPCParam holds the build VPC's id (for the security group);
	// SubnetParam the build subnet's (the tier's first zone).
	VPCParam    string `json:"vpcParam"`
	SubnetParam string `json:"subnetParam"`
	// Distributions, one per region, the build region first.
	Distributions []RecipeDistribution `json:"distributions"`
	// SSMParameter holds the AMI id in the build account and region.
	SSMParameter string `json:"ssmParameter"`
	// PipelineName is ImagePipelineName of the recipe.
	PipelineName string              `json:"pipelineName"`
	Schedule     *RecipeScheduleSpec `json:"schedule,omitempty"`
	// InstanceRole is RecipeInstanceRoleName of the recipe.
	InstanceRole string `json:"instanceRole"`
	// Release is set when a rollout pipeline bakes the recipe: the build
	// output it publishes, which the build instances may read.
	Release *ReleaseSpec `json:"release,omitempty"`
}

// ReleaseSpec is the object where the pipeline baking a recipe publishes
// its build's output before each bake.
type ReleaseSpec struct {
	Pipeline string `json:"pipeline"`
	Bucket   string `json:"bucket"`
	Key      string `json:"key"`
	// KeyAlias is the alias of the KMS key encrypting the bucket.
	KeyAlias string `json:"keyAlias"`
}

// URL is the release's s3:// URL, what gitops:release resolves to.
func (r *ReleaseSpec) URL() string { return "s3://" + r.Bucket + "/" + r.Key }

// RecipeComponent is one component of a recipe: an existing one by ARN,
// an Amazon-managed one by name, or a document of the repository.
type RecipeComponent struct {
	// ARN as declared.
	ARN string `json:"arn,omitempty"`
	// Managed names an Amazon-managed component; ManagedVersion is its
	// version filter (default x.x.x, the newest).
	Managed        string `json:"managed,omitempty"`
	ManagedVersion string `json:"managedVersion,omitempty"`
	// Document is a component of the repository, created by the stack.
	Document   *ComponentDocument `json:"document,omitempty"`
	Parameters []ComponentParam   `json:"parameters,omitempty"`
}

// ComponentParam is a value passed to a component parameter.
type ComponentParam struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ComponentDocument is an AWSTOE document of the repository as ImageBuilder
// receives it.
type ComponentDocument struct {
	ID string `json:"id"`
	// Name is the component's name in ImageBuilder: <recipe>-<file stem>,
	// so two recipes sharing a document never share a component version.
	Name string `json:"name"`
	// Version is derived from the document, so a changed document is a new
	// component version.
	Version     string `json:"version"`
	Platform    string `json:"platform"`
	Description string `json:"description,omitempty"`
	Data        string `json:"data"`
	// File is the document's path inside generated/.
	File string `json:"file"`
}

// RecipeDistribution is where the AMI goes in one region.
type RecipeDistribution struct {
	Region string `json:"region"`
	// AccountIDs receive a copy of the AMI and may launch the build
	// account's; the build account itself is not listed, sorted.
	AccountIDs []string `json:"accountIds,omitempty"`
	// SSMParameter, set in the build region only, makes ImageBuilder write
	// the AMI id to the build account's parameter after every build, the
	// scheduled ones too, so the cascade's children build on it.
	SSMParameter string `json:"ssmParameter,omitempty"`
}

// RecipeScheduleSpec rebuilds the image on a cron schedule.
type RecipeScheduleSpec struct {
	Cron string `json:"cron"`
	// StartCondition is ImageBuilder's PipelineExecutionStartCondition.
	StartCondition string `json:"startCondition"`
}

// AMIParametersSpec is the stack of the AMI parameters of one account and
// region the estate's recipes distribute to, other than their build place.
type AMIParametersSpec struct {
	Parameters []AMIParameter `json:"parameters"`
}

// AMIParameter is the SSM parameter (data type aws:ec2:image) holding a
// recipe's AMI id in one account and region. Its first value, Seed, is the
// root of the recipe's cascade (an AMI id, or a dynamic reference to a
// public parameter), so templates reading it deploy before the first bake;
// CloudFormation does not re-read a dynamic reference when the template is
// unchanged, so stack updates never reset the AMI gitops bake wrote.
type AMIParameter struct {
	Recipe string `json:"recipe"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	Seed   string `json:"seed"`
}

// Stack names of the image kinds.
const (
	amiParametersStackName = "ami-parameters"
	recipeStackPrefix      = "imagerecipe-"
	// RecipeDocumentsDir holds the component documents inside generated/.
	RecipeDocumentsDir = "imagerecipes"
	// maxComponentData is the most an ImageBuilder component takes inline.
	maxComponentData = 16000
)

func (p *planner) planImageRecipes() {
	if _, clash := p.ix.Accounts[RecipeDocumentsDir]; clash && len(p.e.ImageRecipes) > 0 {
		p.errorf("account %s would share generated/%s/ with the image recipes' documents; rename the account", RecipeDocumentsDir, RecipeDocumentsDir)
		return
	}
	for _, r := range p.e.ImageRecipes {
		if p.ix.ImageRecipes[r.Name] == r {
			p.planImageRecipe(r)
		}
	}
	// The AMI parameters outside the build places, and the dependencies
	// of the cascade, once every recipe stack exists.
	for _, r := range p.e.ImageRecipes {
		if p.ix.ImageRecipes[r.Name] != r {
			continue
		}
		for _, t := range r.Distribution {
			if t.Account == r.Account && t.Region == r.Region {
				continue
			}
			s := p.stacks[StackID(t.Account, t.Region, amiParametersStackName)]
			if s == nil {
				s = p.newStack(KindAMIParameters, t.Account, t.Region, amiParametersStackName)
				if s == nil {
					continue
				}
				s.AMIParameters = &AMIParametersSpec{}
			}
			if slices.ContainsFunc(s.AMIParameters.Parameters, func(a AMIParameter) bool { return a.Recipe == r.Name }) {
				continue
			}
			s.AMIParameters.Parameters = append(s.AMIParameters.Parameters, AMIParameter{
				Recipe: r.Name, ID: Pascal(r.Name) + "AmiParameter", Name: r.SSMParameter, Seed: p.rootSeed(r),
			})
		}
	}
	for _, r := range p.e.ImageRecipes {
		s := p.recipeStack(r.Name)
		if s == nil || p.ix.ImageRecipes[r.Name] != r || r.Parent.Recipe == "" {
			continue
		}
		// The parent's parameter must exist where the child builds.
		if ps := p.amiParamStack(r.Parent.Recipe, r.Account, r.Region); ps != nil {
			p.dependOn(s, ps)
		} else {
			p.errorf("image recipe %s: parent %s has no AMI parameter in %s/%s", r.Name, r.Parent.Recipe, r.Account, r.Region)
		}
	}
}

// recipeStack returns the stack of the recipe called name, or nil.
func (p *planner) recipeStack(name string) *Stack {
	r := p.ix.ImageRecipes[name]
	if r == nil {
		return nil
	}
	return p.stacks[StackID(r.Account, r.Region, recipeStackPrefix+name)]
}

// amiParamStack returns the stack holding recipe's AMI parameter in an
// account and region: the recipe's own stack in its build place, else the
// place's ami-parameters stack when the recipe distributes there.
func (p *planner) amiParamStack(recipe, account, region string) *Stack {
	r := p.ix.ImageRecipes[recipe]
	if r == nil {
		return nil
	}
	if r.Account == account && r.Region == region {
		return p.recipeStack(recipe)
	}
	s := p.stacks[StackID(account, region, amiParametersStackName)]
	if s == nil || s.AMIParameters == nil {
		return nil
	}
	for _, a := range s.AMIParameters.Parameters {
		if a.Recipe == recipe {
			return s
		}
	}
	return nil
}

func (p *planner) planImageRecipe(r *estate.ImageRecipe) {
	s := p.newStack(KindImageRecipe, r.Account, r.Region, recipeStackPrefix+r.Name)
	if s == nil {
		return
	}
	spec := &ImageRecipeSpec{
		Name: r.Name, ID: Pascal(r.Name), Description: r.Description,
		InstanceTypes: r.InstanceTypes, RootVolumeSize: r.RootVolumeSize,
		SSMParameter: r.SSMParameter, PipelineName: ImagePipelineName(r.Name),
		InstanceRole: RecipeInstanceRoleName(r.Name),
	}
	if len(spec.InstanceRole) > maxIAMName {
		p.errorf("image recipe %s: role name %s is longer than %d characters; shorten the recipe's name", r.Name, spec.InstanceRole, maxIAMName)
		return
	}
	var bakers []string
	for _, pl := range p.e.Pipelines {
		if pl.Bake == nil || pl.Bake.Recipe != r.Name || p.ix.Pipelines[pl.Name] != pl {
			continue
		}
		bakers = append(bakers, pl.Name)
		if a := p.ix.Accounts[pl.Account]; a != nil && spec.Release == nil {
			spec.Release = &ReleaseSpec{
				Pipeline: pl.Name, Bucket: ArtifactBucketName(a.ID, pl.Region, pl.Name),
				Key: ReleaseKey(r.Name), KeyAlias: ArtifactKeyAlias(pl.Name),
			}
		}
	}
	if len(bakers) > 1 {
		// Each pipeline publishes to its own bucket: the build instances
		// would read whichever release the grants name.
		p.errorf("image recipe %s: pipelines %s all bake it; one pipeline bakes a recipe", r.Name, strings.Join(bakers, ", "))
		return
	}
	switch {
	case r.Parent.AMI != "":
		spec.ParentImage, spec.Seed = r.Parent.AMI, r.Parent.AMI
	case r.Parent.SSMParameter != "":
		spec.ParentImage, spec.Seed = "ssm:"+r.Parent.SSMParameter, resolveSSM(r.Parent.SSMParameter)
	case r.Parent.Recipe != "":
		parent := p.ix.ImageRecipes[r.Parent.Recipe]
		if parent == nil {
			p.errorf("image recipe %s: parent recipe %q is not declared", r.Name, r.Parent.Recipe)
			return
		}
		spec.ParentImage, spec.Seed = "ssm:"+parent.SSMParameter, resolveSSM(parent.SSMParameter)
	default:
		p.errorf("image recipe %s: no parent image", r.Name)
		return
	}
	for _, ref := range slices.Concat(r.Components, r.Tests) {
		c, ok := p.recipeComponent(r, ref, spec.Release)
		if !ok {
			return
		}
		spec.Components = append(spec.Components, c)
	}

	_, vpc := p.vpcStack(r.Network.VPC)
	if vpc == nil {
		p.errorf("image recipe %s: VPC %q is not declared", r.Name, r.Network.VPC)
		return
	}
	tier := vpc.TierSubnets(r.Network.Subnets)
	if len(tier) == 0 {
		p.errorf("image recipe %s: VPC %s has no subnet tier %q", r.Name, vpc.Name, r.Network.Subnets)
		return
	}
	spec.VPCParam, _ = p.vpcParam(s, vpc.Name)
	spec.SubnetParam = p.subnetParam(s, vpc.Name, tier[0].Name)

	spec.Distributions = p.recipeDistributions(r)
	if sc := r.Schedule; sc != nil && sc.Cron != "" {
		spec.Schedule = &RecipeScheduleSpec{Cron: sc.Cron, StartCondition: "EXPRESSION_MATCH_ONLY"}
		if sc.OnlyWhenUpdated {
			spec.Schedule.StartCondition = "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE"
		}
	}
	v, err := recipeVersion(r.Version, spec, p.ix.Accounts[r.Account].Tags)
	if err != nil {
		p.errorf("image recipe %s: %v", r.Name, err)
		return
	}
	spec.Version = v
	s.ImageRecipe = spec
}

// recipeComponent resolves one component reference of a recipe.
func (p *planner) recipeComponent(r *estate.ImageRecipe, ref estate.ComponentRef, release *ReleaseSpec) (RecipeComponent, bool) {
	c := RecipeComponent{ARN: ref.ARN, Managed: ref.Managed}
	for _, k := range slices.Sorted(maps.Keys(ref.Parameters)) {
		v := ref.Parameters[k]
		if v == estate.ReleaseValue {
			if release == nil {
				p.errorf("image recipe %s: parameter %s is %s, but no pipeline bakes the recipe", r.Name, k, estate.ReleaseValue)
				return c, false
			}
			v = release.URL()
		}
		c.Parameters = append(c.Parameters, ComponentParam{Name: k, Value: v})
	}
	if ref.Managed != "" {
		c.ManagedVersion = ref.Version
		if c.ManagedVersion == "" {
			c.ManagedVersion = "x.x.x"
		}
	}
	if ref.File == "" {
		return c, true
	}
	doc, ok := p.e.Components[path.Clean(ref.File)]
	if !ok {
		p.errorf("image recipe %s: component %s is not loaded", r.Name, ref.File)
		return c, false
	}
	data, err := os.ReadFile(filepath.Join(p.e.Root, RecipeDocumentsDir, filepath.FromSlash(ref.File)))
	if err != nil {
		p.errorf("image recipe %s: %v", r.Name, err)
		return c, false
	}
	text := componentData(data)
	if len(text) > maxComponentData {
		p.errorf("image recipe %s: component %s has %d characters; ImageBuilder takes at most %d inline", r.Name, ref.File, len(text), maxComponentData)
		return c, false
	}
	stem := strings.TrimSuffix(path.Base(ref.File), path.Ext(ref.File))
	c.Document = &ComponentDocument{
		ID:          Pascal(stem) + "Component",
		Name:        r.Name + "-" + stem,
		Platform:    componentPlatform(doc),
		Description: doc.Description,
		Data:        text,
		File:        path.Join(RecipeDocumentsDir, r.Name, path.Base(ref.File)),
	}
	// Tags are part of the version: changing them replaces the component.
	c.Document.Version = contentVersion("1.0", struct {
		Doc  *ComponentDocument
		Tags map[string]string
	}{c.Document, p.ix.Accounts[r.Account].Tags})
	return c, true
}

// componentData is the document ImageBuilder receives: the file without
// the editor's schema line, which means nothing to AWSTOE.
func componentData(data []byte) string {
	var out []string
	for line := range strings.SplitAfterSeq(string(data), "\n") {
		if strings.HasPrefix(line, "# yaml-language-server:") {
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "")
}

// componentPlatform is Windows for documents that run PowerShell.
func componentPlatform(c *estate.Component) string {
	for _, ph := range c.Phases {
		for _, st := range ph.Steps {
			if strings.HasPrefix(st.Action, "ExecutePowerShell") {
				return "Windows"
			}
		}
	}
	return "Linux"
}

// contentVersion is major.minor with a patch derived from v's JSON: 28
// bits of its SHA-256, below ImageBuilder's limit of 2^30 per part.
func contentVersion(majorMinor string, v any) string {
	data, _ := json.Marshal(v)
	sum := sha256.Sum256(data)
	return fmt.Sprintf("%s.%d", majorMinor, binary.BigEndian.Uint32(sum[:4])>>4)
}

// recipeVersion keeps the declared major and minor version and derives the
// patch from the declared version and the recipe's content, its tags
// included (changing them replaces the recipe too).
func recipeVersion(declared string, spec *ImageRecipeSpec, tags map[string]string) (string, error) {
	parts := strings.Split(declared, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("version %q is not major.minor.patch", declared)
	}
	content := struct {
		Declared, Description, Parent string
		Components                    []RecipeComponent
		RootVolumeSize                int
		Tags                          map[string]string
	}{declared, spec.Description, spec.ParentImage, spec.Components, spec.RootVolumeSize, tags}
	return contentVersion(parts[0]+"."+parts[1], content), nil
}

// recipeDistributions groups the recipe's targets by region, the build
// region first (ImageBuilder needs it), then by name.
func (p *planner) recipeDistributions(r *estate.ImageRecipe) []RecipeDistribution {
	build := p.ix.Accounts[r.Account]
	byRegion := map[string][]string{r.Region: nil}
	for _, t := range r.Distribution {
		a := p.ix.Accounts[t.Account]
		if a == nil {
			p.errorf("image recipe %s: distribution account %q is not declared", r.Name, t.Account)
			continue
		}
		ids := byRegion[t.Region]
		if (t.Region != r.Region || a.ID != build.ID) && !slices.Contains(ids, a.ID) {
			ids = append(ids, a.ID)
		}
		byRegion[t.Region] = ids
	}
	regions := slices.Sorted(maps.Keys(byRegion))
	regions = slices.DeleteFunc(regions, func(s string) bool { return s == r.Region })
	var out []RecipeDistribution
	for _, region := range slices.Concat([]string{r.Region}, regions) {
		ids := byRegion[region]
		slices.Sort(ids)
		d := RecipeDistribution{Region: region, AccountIDs: ids}
		if region == r.Region {
			d.SSMParameter = r.SSMParameter
		}
		out = append(out, d)
	}
	return out
}

// rootSeed is the image at the root of r's cascade: an AMI id, or a
// dynamic reference to the SSM parameter the root builds on.
func (p *planner) rootSeed(r *estate.ImageRecipe) string {
	name := r.Name
	// Validation rules out cycles; the bound only keeps a bug finite.
	for range len(p.e.ImageRecipes) + 1 {
		if r.Parent.AMI != "" {
			return r.Parent.AMI
		}
		if r.Parent.SSMParameter != "" {
			return resolveSSM(r.Parent.SSMParameter)
		}
		if r = p.ix.ImageRecipes[r.Parent.Recipe]; r == nil {
			break
		}
	}
	p.errorf("image recipe %s: its cascade has no root image", name)
	return ""
}

// resolveSSM is a CloudFormation dynamic reference to an SSM parameter.
func resolveSSM(name string) string { return "{{resolve:ssm:" + name + "}}" }

// RecipeDocuments returns the component documents of the plan's recipes by
// their path inside generated/.
func (p *Plan) RecipeDocuments() map[string][]byte {
	out := map[string][]byte{}
	for _, s := range p.Stacks {
		if s.ImageRecipe == nil {
			continue
		}
		for _, c := range s.ImageRecipe.Components {
			if c.Document != nil {
				out[c.Document.File] = []byte(c.Document.Data)
			}
		}
	}
	return out
}
