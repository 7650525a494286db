// Package stacks plans the CloudFormation stacks of a validated estate: one
// stack per account, region and concern (network, transit gateway, GitLab,
// deploy role, mirrors, image recipes and their AMI parameters, rollout
// pipelines and the applications they deploy), with stable names, template
// paths, the stacks each depends on and the parameters that carry values
// between them. It holds everything
// the synth needs, so the synth worker never reads YAML, and it does not link
// the CDK: `gitops validate` and the compile driver stay small and fast.
package stacks

import (
	"cmp"
	"container/heap"
	"fmt"
	"maps"
	"net/netip"
	"path"
	"slices"
	"strings"

	"gitops/tools/internal/estate"
)

// Kind is the concern a stack holds.
type Kind string

// The stack kinds; each has its construct in the synth, named alike.
const (
	KindNetwork        Kind = "network"
	KindTransitGateway Kind = "transit-gateway"
	KindTGWRouting     Kind = "tgw-routing"
	KindGitLab         Kind = "gitlab"
	KindGitLabImage    Kind = "gitlab-image"
	KindDeployRole     Kind = "deploy-role"
	KindMirrors        Kind = "mirrors"
	KindImageRecipe    Kind = "image-recipe"
	KindAMIParameters  Kind = "ami-parameters"
	KindPipeline       Kind = "pipeline"
	KindApplication    Kind = "application"
	KindAccessLogs     Kind = "access-logs"
	KindTemplateBucket Kind = "template-bucket"
)

// Plan is every stack of the estate in dependency order (a stack comes after
// the stacks it depends on; ties are broken by ID, so the order is stable).
type Plan struct {
	Stacks []*Stack
	// Operations is what the commands after compile need of the estate.
	Operations *Operations
}

// StackHeader is what the plan and the manifest both say of a stack.
type StackHeader struct {
	// ID is <account>/<region>/<name>, unique in the plan.
	ID string `json:"id"`
	// Name is the CloudFormation stack name, unique per account and region.
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	// Account is the account's name in the estate; AccountID its AWS id.
	Account   string `json:"account"`
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	// Template is the template's path inside generated/:
	// <account>/<region>/<name>.template.json.
	Template string `json:"template"`
	// DependsOn lists the IDs of the stacks to deploy first, sorted.
	DependsOn []string `json:"dependsOn"`
	// Parameters are filled at apply time from their sources.
	Parameters []Parameter `json:"parameters"`
	// Outputs are the outputs other stacks read, sorted.
	Outputs []string `json:"outputs"`
	// Tags go on every taggable resource of the stack (the account's tags).
	Tags map[string]string `json:"tags,omitempty"`
	// CopyImage, when set, asks apply to copy a container image into the
	// repository this stack creates, after deploying it and before the
	// stacks depending on it.
	CopyImage *ImageCopy `json:"copyImage,omitempty"`
	// AcceptShare, when set, asks apply to accept the RAM invitation to a
	// share in this stack's account before deploying it (the share's
	// resources are invisible until then).
	AcceptShare *ShareInvitation `json:"acceptShare,omitempty"`
	// SMTPCredentials, when set, asks apply to give GitLab's SMTP user an
	// access key and its SES SMTP password in the secret this stack
	// creates (as gitops gitlab smtp-credentials does), after deploying it
	// and before the stacks depending on it.
	SMTPCredentials *SMTPCredentials `json:"smtpCredentials,omitempty"`
	// AssociateZone, when set, asks apply to associate the private hosted
	// zone this stack creates with the VPCs of other accounts and regions
	// it lists, and to disassociate those it no longer lists, after
	// deploying it.
	AssociateZone *ZoneAssociation `json:"associateZone,omitempty"`
	// DeployedBy is the ID of the pipeline stack that deploys this stack
	// through change sets, with its approvals; apply leaves it alone.
	DeployedBy string `json:"deployedBy,omitempty"`
}

// ShareInvitation is a RAM share another account sends this stack's
// account, by the share's name and its owner.
type ShareInvitation struct {
	Share          string `json:"share"`
	OwnerAccountID string `json:"ownerAccountId"`
}

// Stack is one CloudFormation stack to synthesize and deploy.
type Stack struct {
	StackHeader
	// Zones are the availability zones the estate uses in the stack's
	// account and region; the synth seeds the CDK's context with them.
	Zones []string `json:"zones,omitempty"`
	// Origin is where the estate declares what fills the stack, for
	// validate's findings about the stack as a whole.
	Origin estate.Pos `json:"-"`

	// Exactly one spec is set, matching Kind.
	Network        *NetworkSpec        `json:"network,omitempty"`
	TransitGateway *TransitGatewaySpec `json:"transitGateway,omitempty"`
	Routing        *RoutingSpec        `json:"routing,omitempty"`
	GitLab         *GitLabSpec         `json:"gitlab,omitempty"`
	GitLabImage    *GitLabImageSpec    `json:"gitlabImage,omitempty"`
	DeployRole     *DeployRoleSpec     `json:"deployRole,omitempty"`
	Mirrors        *MirrorsSpec        `json:"mirrors,omitempty"`
	ImageRecipe    *ImageRecipeSpec    `json:"imageRecipe,omitempty"`
	AMIParameters  *AMIParametersSpec  `json:"amiParameters,omitempty"`
	Pipeline       *PipelineSpec       `json:"pipeline,omitempty"`
	Application    *ApplicationSpec    `json:"application,omitempty"`
	AccessLogs     *AccessLogsSpec     `json:"accessLogs,omitempty"`
	TemplateBucket *TemplateBucketSpec `json:"templateBucket,omitempty"`

	// AccessLogBucket is the account and region's log bucket, where the
	// stack's load balancers and buckets write their access logs.
	AccessLogBucket string `json:"accessLogBucket,omitempty"`
}

// Parameter is a template parameter and where apply takes its value from.
type Parameter struct {
	// Name is the parameter's logical ID in the template.
	Name string `json:"name"`
	// Type is the CloudFormation parameter type, e.g. AWS::EC2::VPC::Id.
	Type   string `json:"type"`
	Source Source `json:"source"`
}

// Source says where a parameter's value comes from: exactly one of an
// output of another stack, an SSM parameter (resolved by CloudFormation)
// or a literal.
type Source struct {
	Stack   string `json:"stack,omitempty"`
	Output  string `json:"output,omitempty"`
	SSM     string `json:"ssm,omitempty"`
	Literal string `json:"literal,omitempty"`
}

// ImageCopy is an image apply copies into a private ECR repository.
type ImageCopy struct {
	// From is the source image reference, e.g. docker.io/gitlab/gitlab-ce:17.5.1-ce.0.
	From string `json:"from"`
	// Output of the stack holding the destination repository's URI; the
	// image keeps its tag there.
	RepositoryOutput string `json:"repositoryOutput"`
	Tag              string `json:"tag"`
}

// Param returns the stack's parameter called name.
func (s *Stack) Param(name string) (Parameter, bool) {
	for _, p := range s.Parameters {
		if p.Name == name {
			return p, true
		}
	}
	return Parameter{}, false
}

// Stack returns the stack with the given ID, or nil.
func (p *Plan) Stack(id string) *Stack {
	for _, s := range p.Stacks {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// StackID builds a stack's ID from its placement and name.
func StackID(account, region, name string) string {
	return account + "/" + region + "/" + name
}

// planner accumulates stacks while the per-kind functions run.
type planner struct {
	e      *estate.Estate
	ix     *estate.Index
	stacks map[string]*Stack
	errs   []string
	// allCIDRs caches estateCIDRs.
	allCIDRs []netip.Prefix
	// networksAt indexes the networks by account and region for zones,
	// which runs once per stack (scanning every network each time was
	// quadratic in a large estate).
	networksAt map[[2]string][]*estate.Network
}

func (p *planner) errorf(format string, args ...any) {
	p.errs = append(p.errs, fmt.Sprintf(format, args...))
}

// newStack registers a stack of kind called name in the account and region.
func (p *planner) newStack(kind Kind, account, region, name string) *Stack {
	a := p.ix.Accounts[account]
	if a == nil {
		p.errorf("%s stack %s: account %q is not declared", kind, name, account)
		return nil
	}
	id := StackID(account, region, name)
	if _, dup := p.stacks[id]; dup {
		p.errorf("two stacks are called %s", id)
		return nil
	}
	s := &Stack{
		StackHeader: StackHeader{
			ID:        id,
			Name:      "gitops-" + name,
			Kind:      kind,
			Account:   account,
			AccountID: a.ID,
			Region:    region,
			Template:  path.Join(account, region, name+".template.json"),
			Tags:      a.Tags,
		},
		Zones:  p.zones(account, region),
		Origin: a.Pos("name"),
	}
	p.stacks[id] = s
	return s
}

// zones lists the availability zones of every VPC the estate declares in
// the account and region.
func (p *planner) zones(account, region string) []string {
	if p.networksAt == nil {
		p.networksAt = map[[2]string][]*estate.Network{}
		for _, n := range p.e.Networks {
			at := [2]string{n.Account, n.Region}
			p.networksAt[at] = append(p.networksAt[at], n)
		}
	}
	var zones []string
	for _, n := range p.networksAt[[2]string{account, region}] {
		for i := range n.VPCs {
			for _, z := range n.VPCs[i].Zones(region) {
				if !slices.Contains(zones, z) {
					zones = append(zones, z)
				}
			}
		}
	}
	slices.Sort(zones)
	return zones
}

// addParam adds a parameter to s fed by the output of producer, declares that
// output on the producer and makes s depend on it. The parameter is named
// like the output; a second request for it returns the same name.
func (p *planner) addParam(s, producer *Stack, output, typ string) string {
	if s == nil || producer == nil {
		return output
	}
	if old, ok := s.Param(output); ok {
		if old.Source.Stack != producer.ID || old.Source.Output != output {
			p.errorf("stack %s: parameter %s would come from both %s and %s", s.ID, output, old.Source.Stack, producer.ID)
		}
		return output
	}
	s.Parameters = append(s.Parameters, Parameter{Name: output, Type: typ, Source: Source{Stack: producer.ID, Output: output}})
	if !slices.Contains(producer.Outputs, output) {
		producer.Outputs = append(producer.Outputs, output)
	}
	p.dependOn(s, producer)
	return output
}

// addSSMParam adds a parameter CloudFormation resolves from an SSM parameter.
func (p *planner) addSSMParam(s *Stack, name, typ, ssmName string) string {
	if _, ok := s.Param(name); !ok {
		s.Parameters = append(s.Parameters, Parameter{Name: name, Type: typ, Source: Source{SSM: ssmName}})
	}
	return name
}

func (p *planner) dependOn(s, producer *Stack) {
	if s != producer && !slices.Contains(s.DependsOn, producer.ID) {
		s.DependsOn = append(s.DependsOn, producer.ID)
	}
}

// Build plans the stacks of e, which must have passed validation. The error
// lists everything the planner could not place; validation should have
// caught each of them first.
func Build(e *estate.Estate) (*Plan, error) {
	p := &planner{e: e, ix: estate.NewIndex(e), stacks: map[string]*Stack{}}
	p.planDeployRoles()
	p.planNetworks()
	p.planTransitGateways()
	p.planGitLabs()
	p.planMirrors()
	p.planImageRecipes()
	p.planPipelines()
	p.planAccessLogs()
	p.planTemplateBuckets()
	p.grantDeployRoles()
	p.afterDeployRoles()
	p.checkStackNames()
	if len(p.errs) > 0 {
		return nil, fmt.Errorf("cannot plan the stacks:\n\t%s", strings.Join(p.errs, "\n\t"))
	}
	for _, s := range p.stacks {
		slices.Sort(s.DependsOn)
		slices.Sort(s.Outputs)
		slices.SortFunc(s.Parameters, func(a, b Parameter) int { return cmp.Compare(a.Name, b.Name) })
	}
	order, err := topoSort(p.stacks)
	if err != nil {
		return nil, err
	}
	return &Plan{Stacks: order, Operations: NewOperations(e)}, nil
}

// checkStackNames makes sure no two stacks of an account and region share a
// CloudFormation name: one would be deployed over the other.
func (p *planner) checkStackNames() {
	seen := map[string]string{}
	for _, id := range slices.Sorted(maps.Keys(p.stacks)) {
		s := p.stacks[id]
		key := s.AccountID + "/" + s.Region + "/" + s.Name
		if other, dup := seen[key]; dup {
			p.errorf("stacks %s and %s are both called %s in account %s, region %s", other, id, s.Name, s.Account, s.Region)
			continue
		}
		seen[key] = id
	}
}

// topoSort orders stacks so each follows its dependencies, smallest ID first
// among the ready ones (Kahn's algorithm over a heap of ready IDs).
func topoSort(stacks map[string]*Stack) ([]*Stack, error) {
	waiting := map[string]int{}
	dependants := map[string][]string{}
	ready := &idHeap{}
	for id, s := range stacks {
		for _, d := range s.DependsOn {
			if _, ok := stacks[d]; !ok {
				return nil, fmt.Errorf("stack %s depends on %s, which is not planned", id, d)
			}
			dependants[d] = append(dependants[d], id)
		}
		waiting[id] = len(s.DependsOn)
		if len(s.DependsOn) == 0 {
			heap.Push(ready, id)
		}
	}
	order := make([]*Stack, 0, len(stacks))
	for ready.Len() > 0 {
		id := heap.Pop(ready).(string)
		order = append(order, stacks[id])
		for _, next := range dependants[id] {
			if waiting[next]--; waiting[next] == 0 {
				heap.Push(ready, next)
			}
		}
	}
	if len(order) < len(stacks) {
		var left []string
		for id, n := range waiting {
			if n > 0 {
				left = append(left, id)
			}
		}
		slices.Sort(left)
		return nil, fmt.Errorf("stacks depend on each other in a cycle: %s", strings.Join(left, ", "))
	}
	return order, nil
}

// idHeap is a min-heap of stack IDs.
type idHeap []string

func (h idHeap) Len() int           { return len(h) }
func (h idHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h idHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *idHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
