package stacks

import (
	"fmt"
	"slices"
	"strings"

	"gitops/tools/internal/estate"
)

// A rollout pipeline becomes a stack in its (tooling) account: CodePipeline
// V2 with its KMS key, artifact bucket and roles, the build and bake
// CodeBuild projects, the notifications; and for each Auto Scaling target an
// application stack in the target's account, which the pipeline (not apply)
// deploys through change sets. The pipeline reads two sources: the
// application (the mirror it starts from) and this repository (the estate
// source), whose generated/ holds the application templates and from which
// the bake stage builds and runs gitops bake.

// PipelineSpec is the stack of one rollout pipeline.
type PipelineSpec struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	// PipelineName is the CodePipeline's name.
	PipelineName string `json:"pipelineName"`
	// RoleName is PipelineRoleName: the deploy roles trust it.
	RoleName string `json:"roleName"`
	// ArtifactBucket is the artifact bucket's name, fixed so that the
	// deploy roles of the target accounts can name it.
	ArtifactBucket string `json:"artifactBucket"`
	// KeyAlias names the KMS key of the artifacts and the topic.
	KeyAlias string              `json:"keyAlias"`
	Source   PipelineSourceSpec  `json:"source"`
	Estate   *PipelineSourceSpec `json:"estate,omitempty"`
	Build    BuildStage          `json:"build"`
	Bake     *BakeStage          `json:"bake,omitempty"`
	Targets  []TargetStage       `json:"targets"`
	// ECR is the repository ECS targets' images are pushed to.
	ECR           *ECRSpec          `json:"ecr,omitempty"`
	Notifications NotificationsSpec `json:"notifications"`
	// DeployRoles are the target accounts' deploy roles, which the
	// pipeline assumes: each once, sorted.
	DeployRoles []RoleRef `json:"deployRoles"`
	// ArtifactReaders may read the artifacts: the deploy roles, whose
	// actions fetch them, and the CloudFormation service roles of the
	// targets, which read the templates; each once, sorted.
	ArtifactReaders []RoleRef `json:"artifactReaders"`
}

// PipelineSourceSpec is a source action reading a mirror.
type PipelineSourceSpec struct {
	// Action names the action and its output artifact.
	Action string `json:"action"`
	Mirror string `json:"mirror"`
	Branch string `json:"branch"`
	// Repository is set for a CodeCommit mirror.
	Repository string `json:"repository,omitempty"`
	// ConnectionParam (the parameter holding the connection's ARN) and
	// Project are set for a CodeConnections mirror.
	ConnectionParam string `json:"connectionParam,omitempty"`
	Project         string `json:"project,omitempty"`
	// Trigger is true for the source whose pushes start the pipeline.
	Trigger bool `json:"trigger,omitempty"`
}

// BuildStage is the CodeBuild project of the build stage.
type BuildStage struct {
	ProjectName string `json:"projectName"`
	Image       string `json:"image"`
	ComputeType string `json:"computeType"`
	// Buildspec is the application's buildspec path, or empty when
	// InlineBuildspec holds the generated one (ECS targets: build the
	// image, push it to ECR, write each target's image definitions).
	Buildspec       string `json:"buildspec,omitempty"`
	InlineBuildspec string `json:"inlineBuildspec,omitempty"`
	// Privileged lets the build run Docker.
	Privileged bool `json:"privileged,omitempty"`
	// Output is the build's output artifact, empty when nothing reads it.
	Output string `json:"output,omitempty"`
}

// BakeStage is the CodeBuild project that runs gitops bake.
type BakeStage struct {
	Recipe      string `json:"recipe"`
	ProjectName string `json:"projectName"`
	// RoleName is BakeRoleName: the distribution accounts' deploy roles
	// trust it.
	RoleName  string `json:"roleName"`
	Image     string `json:"image"`
	Buildspec string `json:"buildspec"`
	// Input is the build's output artifact, the project's secondary
	// source (CODEBUILD_SRC_DIR_<Input>); the estate is its primary one.
	Input string `json:"input"`
	// ReleaseKey is where the buildspec uploads the build's output, as a
	// tar.gz, in the artifact bucket before it runs gitops bake: the
	// recipe's build instances read it from there.
	ReleaseKey string `json:"releaseKey"`
	// ReleaseReader is the recipe's build instance role, which may read
	// the release (the recipe stack grants the role its side).
	ReleaseReader RoleRef `json:"releaseReader"`
	// Recipes are the recipe and those built on it, which gitops bake
	// re-bakes: the image pipelines it may start and the parameters it
	// may write in the pipeline's own account.
	Recipes []BakeRecipe `json:"recipes"`
	// DeployRoles are the publish roles (PublishRoleName) of the other
	// accounts the AMIs are distributed to, through which gitops bake
	// writes the parameters.
	DeployRoles []RoleRef `json:"deployRoles,omitempty"`
}

// BakeRecipe is one recipe gitops bake may build and publish.
type BakeRecipe struct {
	Name         string `json:"name"`
	PipelineName string `json:"pipelineName"`
	Region       string `json:"region"`
	Parameter    string `json:"parameter"`
	// ParameterRegions are the regions of the pipeline's account where
	// gitops bake writes the parameter itself, sorted.
	ParameterRegions []string `json:"parameterRegions,omitempty"`
}

// RoleRef is an IAM role in an account.
type RoleRef struct {
	AccountID string `json:"accountId"`
	Name      string `json:"name"`
}

// TargetStage deploys one target: approvals and change sets for an Auto
// Scaling target, approvals and an ECS deploy for an ECS one.
type TargetStage struct {
	Name string `json:"name"`
	// Stage is the pipeline stage's name.
	Stage     string `json:"stage"`
	Account   string `json:"account"`
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	Stack     string `json:"stack"`
	// DeployRole is the role the target's actions run as; ExecutionRole
	// the CloudFormation service role the change sets run with.
	DeployRole      string `json:"deployRole"`
	ExecutionRole   string `json:"executionRole"`
	BeforeChangeSet bool   `json:"beforeChangeSet,omitempty"`
	BeforeExecute   bool   `json:"beforeExecute,omitempty"`
	// TemplatePath is the application template inside the estate artifact.
	TemplatePath string `json:"templatePath,omitempty"`
	// Overrides pass the application stack's parameters from the
	// pipeline stack's own, which apply fills from the target's network.
	Overrides []ParameterOverride `json:"overrides,omitempty"`
	// ECS is set for an ECS target.
	ECS *ECSDeploy `json:"ecs,omitempty"`
}

// ParameterOverride passes a pipeline stack parameter to the application
// stack's parameter of the same name.
type ParameterOverride struct {
	Name string `json:"name"`
}

// ECSDeploy replaces a container's image in an ECS service.
type ECSDeploy struct {
	Cluster   string `json:"cluster"`
	Service   string `json:"service"`
	Container string `json:"container"`
	// ImageDefinitions is the build's file naming the new image.
	ImageDefinitions string `json:"imageDefinitions"`
}

// ECRSpec is the repository the build pushes ECS targets' images to.
type ECRSpec struct {
	Repository string `json:"repository"`
	// PullAccountIDs are the target accounts, whose services pull, sorted.
	PullAccountIDs []string `json:"pullAccountIds,omitempty"`
}

// NotificationsSpec is where the pipeline tells people that an approval
// waits or a run ended.
type NotificationsSpec struct {
	TopicName string   `json:"topicName"`
	RuleName  string   `json:"ruleName"`
	Emails    []string `json:"emails,omitempty"`
	// Chat posts the topic's messages to a webhook.
	Chat *ChatSpec `json:"chat,omitempty"`
}

// ChatSpec is the function posting to a chat webhook whose URL it reads
// from a secret at run time.
type ChatSpec struct {
	Kind string `json:"kind"`
	// Secret is the secret's name or ARN as declared; SecretResource the
	// ARN the function may read, partition left out ("secretsmanager:…").
	Secret         string `json:"secret"`
	SecretResource string `json:"secretResource"`
	FunctionName   string `json:"functionName"`
}

// ApplicationSpec is the template of an Auto Scaling target: an Auto
// Scaling group of the baked AMI behind an internal load balancer,
// replaced one batch at a time when the AMI changes.
type ApplicationSpec struct {
	Pipeline string `json:"pipeline"`
	Target   string `json:"target"`
	// VPCParam and SubnetsParam hold the VPC's and the instance tier's ids.
	VPCParam     string `json:"vpcParam"`
	SubnetsParam string `json:"subnetsParam"`
	// ImageParam reads the AMI id from the recipe's SSM parameter.
	ImageParam            string `json:"imageParam"`
	InstanceType          string `json:"instanceType"`
	MinSize               int    `json:"minSize"`
	MaxSize               int    `json:"maxSize"`
	DesiredCapacity       int    `json:"desiredCapacity"`
	MinInstancesInService int    `json:"minInstancesInService"`
	MaxBatchSize          int    `json:"maxBatchSize"`
	PauseTime             string `json:"pauseTime"`
	Port                  int    `json:"port"`
	HealthCheckPath       string `json:"healthCheckPath"`
}

// Defaults of the pipeline options the model leaves optional.
const (
	DefaultComputeType     = "BUILD_GENERAL1_SMALL"
	DefaultBuildspec       = "buildspec.yml"
	DefaultPauseTime       = "PT15M"
	DefaultHealthCheckPath = "/"
	// BakeImage runs gitops bake: a CodeBuild standard image with Go,
	// which fetches the toolchain go.mod asks for.
	BakeImage = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
	// GeneratedDir is where compile writes in the estate repository.
	GeneratedDir = "generated"
	// ApplicationImageParam is the application template's AMI parameter.
	ApplicationImageParam = "ImageId"

	pipelineStackPrefix = "pipeline-"
	sourceAction        = "Source"
	estateAction        = "Estate"
	buildOutput         = "BuildOutput"
)

func (p *planner) planPipelines() {
	for _, pl := range p.e.Pipelines {
		if p.ix.Pipelines[pl.Name] == pl {
			p.planPipeline(pl)
		}
	}
}

func (p *planner) planPipeline(pl *estate.Pipeline) {
	s := p.newStack(KindPipeline, pl.Account, pl.Region, pipelineStackPrefix+pl.Name)
	if s == nil {
		return
	}
	account := p.ix.Accounts[pl.Account]
	spec := &PipelineSpec{
		Name: pl.Name, ID: Pascal(pl.Name),
		PipelineName:   "gitops-" + pl.Name,
		RoleName:       PipelineRoleName(pl.Name),
		ArtifactBucket: ArtifactBucketName(account.ID, pl.Region, pl.Name),
		KeyAlias:       ArtifactKeyAlias(pl.Name),
	}
	if len(spec.RoleName) > maxIAMName || len(BakeRoleName(pl.Name)) > maxIAMName {
		p.errorf("pipeline %s: role name %s is longer than %d characters; shorten the pipeline's name", pl.Name, spec.RoleName, maxIAMName)
		return
	}
	src, ok := p.pipelineSource(s, pl, sourceAction, pl.Source)
	if !ok {
		return
	}
	src.Trigger = true
	spec.Source = src
	if pl.Estate != nil {
		est, ok := p.pipelineSource(s, pl, estateAction, *pl.Estate)
		if !ok {
			return
		}
		spec.Estate = &est
	}

	spec.Build = BuildStage{
		ProjectName: "gitops-" + pl.Name + "-build",
		Image:       pl.Build.Image,
		ComputeType: pl.Build.ComputeType,
		Buildspec:   pl.Build.Buildspec,
	}
	if spec.Build.ComputeType == "" {
		spec.Build.ComputeType = DefaultComputeType
	}
	var ecsTargets []TargetStage
	roles, readers := map[RoleRef]bool{}, map[RoleRef]bool{}
	for i := range pl.Targets {
		t, ok := p.targetStage(s, pl, &pl.Targets[i])
		if !ok {
			return
		}
		spec.Targets = append(spec.Targets, t)
		roles[RoleRef{AccountID: t.AccountID, Name: t.DeployRole}] = true
		readers[RoleRef{AccountID: t.AccountID, Name: t.DeployRole}] = true
		if t.ECS == nil {
			readers[RoleRef{AccountID: t.AccountID, Name: t.ExecutionRole}] = true
		}
		if t.ECS != nil {
			ecsTargets = append(ecsTargets, t)
		}
	}
	spec.DeployRoles = sortedRoles(roles)
	spec.ArtifactReaders = sortedRoles(readers)
	if len(ecsTargets) > 0 {
		spec.ECR = &ECRSpec{Repository: "gitops/" + pl.Name}
		for _, t := range ecsTargets {
			if t.AccountID != account.ID && !slices.Contains(spec.ECR.PullAccountIDs, t.AccountID) {
				spec.ECR.PullAccountIDs = append(spec.ECR.PullAccountIDs, t.AccountID)
			}
		}
		slices.Sort(spec.ECR.PullAccountIDs)
		spec.Build.Output = buildOutput
		spec.Build.Privileged = true
		if spec.Build.Buildspec == "" {
			spec.Build.InlineBuildspec = ECSBuildspec(ecsTargets)
		}
	}
	if spec.Build.Buildspec == "" && spec.Build.InlineBuildspec == "" {
		spec.Build.Buildspec = DefaultBuildspec
	}
	if pl.Bake != nil {
		if spec.Estate == nil {
			p.errorf("pipeline %s: bake needs the estate source (estate: {mirror, branch})", pl.Name)
			return
		}
		// The bake publishes the build's output for the recipe's build
		// instances: the application's buildspec must name its artifacts.
		spec.Build.Output = buildOutput
		spec.Bake = p.bakeStage(s, pl, spec.ArtifactBucket)
		if spec.Bake == nil {
			return
		}
	}
	spec.Notifications = p.pipelineNotifications(pl, account)
	s.Pipeline = spec
}

// pipelineSource resolves a source action on a mirror and makes the
// pipeline stack depend on the mirror's stack.
func (p *planner) pipelineSource(s *Stack, pl *estate.Pipeline, action string, src estate.PipelineSource) (PipelineSourceSpec, bool) {
	m := p.ix.Mirrors[src.Mirror]
	ms := (*Stack)(nil)
	if m != nil {
		ms = p.mirrorsStack(m.Account, m.Region)
	}
	if m == nil || ms == nil {
		p.errorf("pipeline %s: mirror %q is not declared", pl.Name, src.Mirror)
		return PipelineSourceSpec{}, false
	}
	if m.Account != pl.Account || m.Region != pl.Region {
		p.errorf("pipeline %s: mirror %s is in %s/%s; a pipeline reads mirrors of its own account and region (%s/%s)", pl.Name, m.Name, m.Account, m.Region, pl.Account, pl.Region)
		return PipelineSourceSpec{}, false
	}
	out := PipelineSourceSpec{Action: action, Mirror: m.Name, Branch: src.Branch}
	switch {
	case m.CodeCommit != nil:
		out.Repository = m.CodeCommit.Repository
		p.dependOn(s, ms)
	case m.CodeConnections != nil:
		out.Project = m.Project
		out.ConnectionParam = p.addParam(s, ms, ConnectionARNOutput(m.Name), "String")
	}
	return out, true
}

// targetStage resolves one target: its account's deploy role and, for an
// Auto Scaling target, the application stack the change sets deploy.
func (p *planner) targetStage(s *Stack, pl *estate.Pipeline, t *estate.PipelineTarget) (TargetStage, bool) {
	a := p.ix.Accounts[t.Account]
	if a == nil {
		p.errorf("pipeline %s: target %s: account %q is not declared", pl.Name, t.Name, t.Account)
		return TargetStage{}, false
	}
	if t.Region != pl.Region {
		p.errorf("pipeline %s: target %s deploys to %s; cross-region targets need an artifact bucket in each region, which gitops does not plan yet: run a pipeline in %s", pl.Name, t.Name, t.Region, t.Region)
		return TargetStage{}, false
	}
	ts := TargetStage{
		Name: t.Name, Stage: "Deploy-" + t.Name,
		Account: a.Name, AccountID: a.ID, Region: t.Region, Stack: t.Stack,
		DeployRole: PipelineDeployRoleName(pl.Name), ExecutionRole: ExecutionRoleName,
		BeforeChangeSet: t.Approval.BeforeChangeSet, BeforeExecute: t.Approval.BeforeExecute,
	}
	if len(a.Regions) > 0 {
		if dr := p.stacks[StackID(a.Name, a.Regions[0], deployRoleStack)]; dr != nil {
			p.dependOn(s, dr)
		}
	}
	switch {
	case t.ECS != nil:
		ts.ECS = &ECSDeploy{Cluster: t.ECS.Cluster, Service: t.ECS.Service, Container: t.ECS.Container, ImageDefinitions: "imagedefinitions-" + t.Name + ".json"}
	case t.AutoScaling != nil:
		app := p.applicationStack(s, pl, t)
		if app == nil {
			return TargetStage{}, false
		}
		ts.TemplatePath = estateAction + "::" + GeneratedDir + "/" + app.Template
		for _, prm := range app.Parameters {
			if prm.Source.Stack == "" {
				continue
			}
			// The pipeline stack reads the same network output, as text:
			// a typed parameter would be checked against the tooling
			// account, where the target's VPC does not exist.
			p.addParam(s, p.stacks[prm.Source.Stack], prm.Source.Output, "String")
			ts.Overrides = append(ts.Overrides, ParameterOverride{Name: prm.Name})
		}
	default:
		p.errorf("pipeline %s: target %s has neither autoScaling nor ecs", pl.Name, t.Name)
		return TargetStage{}, false
	}
	return ts, true
}

// applicationStack plans the application stack of an Auto Scaling target,
// deployed by the pipeline stack s.
func (p *planner) applicationStack(s *Stack, pl *estate.Pipeline, t *estate.PipelineTarget) *Stack {
	as := t.AutoScaling
	if pl.Bake == nil {
		p.errorf("pipeline %s: target %s deploys an AMI, but the pipeline bakes none", pl.Name, t.Name)
		return nil
	}
	recipe := p.ix.ImageRecipes[pl.Bake.Recipe]
	if recipe == nil {
		p.errorf("pipeline %s: image recipe %q is not declared", pl.Name, pl.Bake.Recipe)
		return nil
	}
	if strings.HasPrefix(t.Stack, "gitops-") {
		p.errorf("pipeline %s: target %s: stack names starting with gitops- belong to the estate's own stacks", pl.Name, t.Name)
		return nil
	}
	app := p.newStack(KindApplication, t.Account, t.Region, t.Stack)
	if app == nil {
		return nil
	}
	app.Name = t.Stack
	app.DeployedBy = s.ID
	app.Outputs = []string{ApplicationURLOutput}
	spec := &ApplicationSpec{
		Pipeline: pl.Name, Target: t.Name,
		InstanceType: as.InstanceType, MinSize: as.MinSize, MaxSize: as.MaxSize,
		DesiredCapacity: as.DesiredCapacity, MinInstancesInService: as.MinInstancesInService,
		MaxBatchSize: as.MaxBatchSize, PauseTime: as.PauseTime, Port: as.Port, HealthCheckPath: as.HealthCheckPath,
	}
	if spec.DesiredCapacity == 0 {
		spec.DesiredCapacity = spec.MinSize
	}
	if spec.MinInstancesInService == 0 {
		// With room above the desired capacity CloudFormation launches the
		// new instance before it terminates an old one, so every instance
		// stays in service; a group already at its maximum must give one up.
		spec.MinInstancesInService = spec.DesiredCapacity
		if spec.DesiredCapacity >= spec.MaxSize {
			spec.MinInstancesInService = max(spec.DesiredCapacity-1, 0)
		}
	}
	if spec.MaxBatchSize == 0 {
		spec.MaxBatchSize = 1
	}
	if spec.PauseTime == "" {
		spec.PauseTime = DefaultPauseTime
	}
	if spec.HealthCheckPath == "" {
		spec.HealthCheckPath = DefaultHealthCheckPath
	}
	ref, ok := p.ix.VPCs[as.VPC]
	if !ok || ref.Network.Account != t.Account || ref.Network.Region != t.Region {
		p.errorf("pipeline %s: target %s: VPC %q is not declared in %s/%s", pl.Name, t.Name, as.VPC, t.Account, t.Region)
		return nil
	}
	spec.VPCParam, _ = p.vpcParam(app, as.VPC)
	spec.SubnetsParam = p.tierParam(app, as.VPC, as.Subnets)
	spec.ImageParam = p.addSSMParam(app, ApplicationImageParam, "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", recipe.SSMParameter)
	if ps := p.amiParamStack(recipe.Name, t.Account, t.Region); ps != nil {
		p.dependOn(app, ps)
	} else {
		p.errorf("pipeline %s: target %s: image recipe %s has no AMI parameter in %s/%s", pl.Name, t.Name, recipe.Name, t.Account, t.Region)
		return nil
	}
	app.Application = spec
	return app
}

// bakeStage plans the bake project: gitops bake of the recipe and of the
// recipes built on it, which it re-bakes.
func (p *planner) bakeStage(s *Stack, pl *estate.Pipeline, bucket string) *BakeStage {
	recipe := p.ix.ImageRecipes[pl.Bake.Recipe]
	if recipe == nil {
		p.errorf("pipeline %s: image recipe %q is not declared", pl.Name, pl.Bake.Recipe)
		return nil
	}
	account := p.ix.Accounts[pl.Account]
	b := &BakeStage{
		Recipe:        recipe.Name,
		ProjectName:   "gitops-" + pl.Name + "-bake",
		RoleName:      BakeRoleName(pl.Name),
		Image:         BakeImage,
		Input:         buildOutput,
		ReleaseKey:    ReleaseKey(recipe.Name),
		ReleaseReader: RoleRef{AccountID: account.ID, Name: RecipeInstanceRoleName(recipe.Name)},
	}
	if pl.Bake.Image != "" {
		b.Image = pl.Bake.Image
	}
	b.Buildspec = BakeBuildspec(recipe.Name, b.Input, bucket, b.ReleaseKey, pl.Bake.Image != "")
	roles := map[RoleRef]bool{}
	for _, name := range p.cascade(recipe.Name) {
		r := p.ix.ImageRecipes[name]
		if r.Account != pl.Account {
			p.errorf("pipeline %s: image recipe %s builds in account %s; the bake stage starts image pipelines of its own account %s", pl.Name, r.Name, r.Account, pl.Account)
			return nil
		}
		if rs := p.recipeStack(name); rs != nil {
			p.dependOn(s, rs)
		}
		br := BakeRecipe{Name: r.Name, PipelineName: ImagePipelineName(r.Name), Region: r.Region, Parameter: r.SSMParameter}
		for _, t := range r.Distribution {
			a := p.ix.Accounts[t.Account]
			if a == nil {
				continue
			}
			if a.ID == account.ID {
				if !slices.Contains(br.ParameterRegions, t.Region) {
					br.ParameterRegions = append(br.ParameterRegions, t.Region)
				}
				continue
			}
			roles[RoleRef{AccountID: a.ID, Name: PublishRoleName}] = true
		}
		slices.Sort(br.ParameterRegions)
		b.Recipes = append(b.Recipes, br)
	}
	b.DeployRoles = sortedRoles(roles)
	return b
}

// cascade lists a recipe and the recipes built on it, directly or not,
// parents first, like gitops bake.
func (p *planner) cascade(name string) []string {
	order := []string{name}
	for i := 0; i < len(order); i++ {
		for _, r := range p.e.ImageRecipes {
			if r.Parent.Recipe == order[i] && p.ix.ImageRecipes[r.Name] == r && !slices.Contains(order, r.Name) {
				order = append(order, r.Name)
			}
		}
	}
	return order
}

func (p *planner) pipelineNotifications(pl *estate.Pipeline, account *estate.Account) NotificationsSpec {
	n := NotificationsSpec{TopicName: "gitops-" + pl.Name, RuleName: "gitops-" + pl.Name}
	if sns := pl.Notifications.SNS; sns != nil {
		n.Emails = slices.Clone(sns.Emails)
	}
	if c := pl.Notifications.Chat; c != nil {
		chat := &ChatSpec{Kind: c.Kind, Secret: c.WebhookSecret, FunctionName: "gitops-" + pl.Name + "-chat"}
		if len(chat.FunctionName) > 64 {
			chat.FunctionName = chat.FunctionName[:64]
		}
		if rest, ok := strings.CutPrefix(c.WebhookSecret, "arn:"); ok {
			// arn:<partition>:secretsmanager:… without its partition.
			if _, after, ok := strings.Cut(rest, ":"); ok {
				chat.SecretResource = after
			}
		} else {
			// Secrets Manager appends six random characters to the name.
			chat.SecretResource = fmt.Sprintf("secretsmanager:%s:%s:secret:%s-??????", pl.Region, account.ID, c.WebhookSecret)
		}
		n.Chat = chat
	}
	return n
}

func sortedRoles(set map[RoleRef]bool) []RoleRef {
	out := make([]RoleRef, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b RoleRef) int {
		return strings.Compare(a.AccountID+"/"+a.Name, b.AccountID+"/"+b.Name)
	})
	return out
}

// ArtifactBucketName is the artifact bucket of a pipeline: fixed, so that
// the deploy roles in the target accounts can name it, and unique across
// AWS through the account id and region. Names too long for S3 keep a hash
// of the pipeline's name instead of its end.
func ArtifactBucketName(accountID, region, pipeline string) string {
	name := "gitops-" + accountID + "-" + region + "-" + pipeline
	if len(name) <= 63 {
		return name
	}
	return name[:63-9] + "-" + shortHash(pipeline)
}

// ReleaseKey is where a pipeline's bake stage publishes the build's output
// for the build instances of recipe, in the pipeline's artifact bucket.
func ReleaseKey(recipe string) string { return "releases/" + recipe + "/current.tar.gz" }

// ArtifactKeyAlias is the alias of a pipeline's KMS key.
func ArtifactKeyAlias(pipeline string) string { return "alias/gitops-pipeline-" + pipeline }
