package stacks

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

func TestPlanMirrors(t *testing.T) {
	p := buildFixture(t, nil)
	s := p.Stack("tooling/eu-west-1/mirrors")
	if s == nil || s.Mirrors == nil {
		t.Fatal("no mirrors stack")
	}
	m := s.Mirrors
	if len(m.CodeCommit) != 1 || m.CodeCommit[0].Repository != "webapp" || m.CodeCommit[0].UserName != "gitops-mirror-webapp" || m.CodeCommit[0].SecretName != "gitops/mirrors/webapp" {
		t.Errorf("CodeCommit mirrors: %+v", m.CodeCommit)
	}
	if len(m.Hosts) != 1 || len(m.Connections) != 1 {
		t.Fatalf("hosts %+v connections %+v", m.Hosts, m.Connections)
	}
	h := m.Hosts[0]
	if h.Endpoint != "https://gitlab.example.com" || h.VPC == nil || h.VPC.CIDR != "10.0.0.0/16" {
		t.Errorf("host: %+v", h)
	}
	// The host reaches GitLab's internal ALB: its VPC, its subnets, and
	// the ALB's security group from the GitLab stack.
	prm, ok := s.Param(h.VPC.LoadBalancerSecurityGroupParam)
	if !ok || prm.Source.Stack != "tooling/eu-west-1/gitlab-main" {
		t.Errorf("ALB security group parameter: %+v", prm)
	}
	if _, ok := s.Param(h.VPC.SubnetsParam); !ok {
		t.Errorf("no subnets parameter %s", h.VPC.SubnetsParam)
	}
	if c := m.Connections[0]; c.Connection != "gitlab-estate" || c.HostID != h.ID {
		t.Errorf("connection: %+v", c)
	}
	if !slices.Equal(s.Outputs, []string{"EstateConnectionArn", "WebappCloneUrlHttp"}) {
		t.Errorf("outputs: %v", s.Outputs)
	}
}

func TestPlanImageRecipes(t *testing.T) {
	p := buildFixture(t, nil)
	base := p.Stack("tooling/eu-west-1/imagerecipe-base").ImageRecipe
	app := p.Stack("tooling/eu-west-1/imagerecipe-app")
	if base.ParentImage != "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64" ||
		base.Seed != "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}" {
		t.Errorf("base parent %q seed %q", base.ParentImage, base.Seed)
	}
	// The cascade: app builds on base's parameter, after base's stack.
	if app.ImageRecipe.ParentImage != "ssm:/gitops/ami/base" || app.ImageRecipe.Seed != "{{resolve:ssm:/gitops/ami/base}}" {
		t.Errorf("app parent %q seed %q", app.ImageRecipe.ParentImage, app.ImageRecipe.Seed)
	}
	if !slices.Contains(app.DependsOn, "tooling/eu-west-1/imagerecipe-base") {
		t.Errorf("app does not wait for base: %v", app.DependsOn)
	}
	if !strings.HasPrefix(base.Version, "2.1.") || !strings.HasPrefix(app.ImageRecipe.Version, "1.0.") {
		t.Errorf("versions keep the declared major.minor: %s %s", base.Version, app.ImageRecipe.Version)
	}
	if base.PipelineName != "gitops-base" || base.VPCParam != "GitlabVpcId" || base.SubnetParam != "GitlabPrivateASubnetId" {
		t.Errorf("base: pipeline %s vpc %s subnet %s", base.PipelineName, base.VPCParam, base.SubnetParam)
	}
	// Managed, in-repository and test components, in order.
	c := base.Components
	if len(c) != 3 || c[0].Managed != "update-linux" || c[0].ManagedVersion != "x.x.x" || c[1].Document == nil || c[2].ManagedVersion != "1.0.x" {
		t.Fatalf("components: %+v", c)
	}
	doc := c[1].Document
	if doc.Name != "base-harden" || doc.Platform != "Linux" || doc.File != "imagerecipes/base/harden.yaml" ||
		strings.Contains(doc.Data, "yaml-language-server") || !strings.Contains(doc.Data, "# Hardening steps") {
		t.Errorf("document: %+v", doc)
	}
	if params := app.ImageRecipe.Components[0].Parameters; len(params) != 2 || params[0] != (ComponentParam{"Port", "8080"}) {
		t.Errorf("parameters: %+v", params)
	}
	// The build region first, with the build account's parameter; the
	// build account is never a target of its own AMI.
	want := []RecipeDistribution{
		{Region: "eu-west-1", AccountIDs: []string{"222222222222"}, SSMParameter: "/gitops/ami/base"},
		{Region: "eu-central-1", AccountIDs: []string{"222222222222"}},
	}
	if len(base.Distributions) != 2 || !slices.EqualFunc(base.Distributions, want, func(a, b RecipeDistribution) bool {
		return a.Region == b.Region && slices.Equal(a.AccountIDs, b.AccountIDs) && a.SSMParameter == b.SSMParameter
	}) {
		t.Errorf("distributions: %+v", base.Distributions)
	}
	if base.Schedule == nil || base.Schedule.StartCondition != "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE" {
		t.Errorf("schedule: %+v", base.Schedule)
	}
	// Parameters where the AMIs go, seeded with the cascade's root.
	for _, id := range []string{"prod/eu-west-1/ami-parameters", "prod/eu-central-1/ami-parameters"} {
		s := p.Stack(id)
		if s == nil {
			t.Fatalf("no %s", id)
		}
		for _, a := range s.AMIParameters.Parameters {
			if a.Seed != base.Seed {
				t.Errorf("%s: %s seeded with %q", id, a.Name, a.Seed)
			}
		}
	}
	if n := len(p.Stack("prod/eu-west-1/ami-parameters").AMIParameters.Parameters); n != 2 {
		t.Errorf("prod/eu-west-1 holds %d AMI parameters, want base's and app's", n)
	}
	docs := p.RecipeDocuments()
	if string(docs["imagerecipes/base/harden.yaml"]) != doc.Data || len(docs) != 2 {
		t.Errorf("documents: %v", slices.Collect(maps.Keys(docs)))
	}
}

// TestRecipeVersions: a changed component document is a new component
// version and a new recipe version; anything else keeps them.
func TestRecipeVersions(t *testing.T) {
	before := buildFixture(t, nil).Stack("tooling/eu-west-1/imagerecipe-base").ImageRecipe
	again := buildFixture(t, nil).Stack("tooling/eu-west-1/imagerecipe-base").ImageRecipe
	if before.Version != again.Version || before.Components[1].Document.Version != again.Components[1].Document.Version {
		t.Error("versions differ between two plans of the same estate")
	}
	changed := buildFixture(t, map[string]string{"imagerecipes/components/harden.yaml": strings.Replace(
		readFixture(t, "imagerecipes/components/harden.yaml"), "sshd -t", "sshd -t && true", 1)}).Stack("tooling/eu-west-1/imagerecipe-base").ImageRecipe
	if changed.Components[1].Document.Version == before.Components[1].Document.Version {
		t.Error("a changed document kept its component version")
	}
	if changed.Version == before.Version {
		t.Error("a changed component kept the recipe version")
	}
	bumped := buildFixture(t, map[string]string{"imagerecipes/base.yaml": strings.Replace(
		readFixture(t, "imagerecipes/base.yaml"), "version: 2.1.0", "version: 2.1.1", 1)}).Stack("tooling/eu-west-1/imagerecipe-base").ImageRecipe
	if bumped.Version == before.Version || bumped.Components[1].Document.Version != before.Components[1].Document.Version {
		t.Errorf("a declared version bump: recipe %s → %s, component %s → %s", before.Version, bumped.Version,
			before.Components[1].Document.Version, bumped.Components[1].Document.Version)
	}
}

func TestPlanPipelines(t *testing.T) {
	p := buildFixture(t, nil)
	s := p.Stack("tooling/eu-west-1/pipeline-app")
	pl := s.Pipeline
	if pl.RoleName != "gitops-pipeline-app" || pl.ArtifactBucket != "gitops-111111111111-eu-west-1-app" || pl.KeyAlias != "alias/gitops-pipeline-app" {
		t.Errorf("names: %+v", pl)
	}
	if !pl.Source.Trigger || pl.Source.Repository != "webapp" || pl.Estate == nil || pl.Estate.Trigger || pl.Estate.ConnectionParam != "EstateConnectionArn" {
		t.Errorf("sources: %+v %+v", pl.Source, pl.Estate)
	}
	if pl.Build.Buildspec != DefaultBuildspec || pl.Build.InlineBuildspec != "" || pl.Build.ComputeType != "BUILD_GENERAL1_MEDIUM" {
		t.Errorf("build: %+v", pl.Build)
	}
	// The build's output reaches the bake, which publishes it where the
	// recipe's build instances (a role of fixed name) read it.
	if pl.Build.Output != "BuildOutput" {
		t.Errorf("build output of a baking pipeline: %q", pl.Build.Output)
	}
	b := pl.Bake
	if b == nil || b.Input != pl.Build.Output || b.ReleaseKey != "releases/app/current.tar.gz" ||
		b.ReleaseReader != (RoleRef{"111111111111", "gitops-imagebuilder-app"}) ||
		!strings.Contains(b.Buildspec, "aws s3 cp /tmp/release.tar.gz s3://gitops-111111111111-eu-west-1-app/releases/app/current.tar.gz\n") {
		t.Errorf("bake release: %+v", b)
	}
	if b == nil || b.Image != BakeImage || !strings.Contains(b.Buildspec, "GOTOOLCHAIN: auto") {
		t.Errorf("bake without an image of its own: %+v", b)
	}
	if b == nil || b.RoleName != "gitops-bake-app" || len(b.Recipes) != 1 || b.Recipes[0].PipelineName != "gitops-app" ||
		len(b.Recipes[0].ParameterRegions) != 0 || !slices.Equal(b.DeployRoles, []RoleRef{{"222222222222", PublishRoleName}}) {
		t.Errorf("bake: %+v", b)
	}
	tg := pl.Targets[0]
	if !tg.BeforeChangeSet || !tg.BeforeExecute || tg.DeployRole != "gitops-deploy-app" || tg.ExecutionRole != ExecutionRoleName ||
		tg.TemplatePath != "Estate::generated/prod/eu-west-1/app-prod.template.json" {
		t.Errorf("target: %+v", tg)
	}
	// The pipeline passes the application its network, read as text.
	for _, o := range tg.Overrides {
		prm, ok := s.Param(o.Name)
		if !ok || prm.Type != "String" || prm.Source.Stack != "prod/eu-west-1/network-app" {
			t.Errorf("override %s: %+v", o.Name, prm)
		}
	}
	if len(tg.Overrides) != 2 || !slices.Contains(s.DependsOn, "prod/eu-west-1/network-app") {
		t.Errorf("overrides %+v, depends on %v", tg.Overrides, s.DependsOn)
	}
	if n := pl.Notifications; n.Chat == nil || n.Chat.SecretResource != "secretsmanager:eu-west-1:111111111111:secret:gitops/chat/app-??????" || len(n.Emails) != 1 {
		t.Errorf("notifications: %+v", n)
	}

	api := p.Stack("tooling/eu-west-1/pipeline-api").Pipeline
	if api.Bake != nil || api.Estate != nil || api.ECR == nil || !slices.Equal(api.ECR.PullAccountIDs, []string{"222222222222"}) {
		t.Errorf("ECS pipeline: %+v", api)
	}
	if api.Build.InlineBuildspec == "" || !api.Build.Privileged || api.Build.Output != "BuildOutput" {
		t.Errorf("ECS build: %+v", api.Build)
	}
	if api.Notifications.Chat.SecretResource != "secretsmanager:eu-west-1:111111111111:secret:gitops/chat/api-AbCdEf" {
		t.Errorf("secret given by ARN: %s", api.Notifications.Chat.SecretResource)
	}
}

func TestPlanApplication(t *testing.T) {
	p := buildFixture(t, nil)
	s := p.Stack("prod/eu-west-1/app-prod")
	if s == nil || s.Application == nil {
		t.Fatal("no application stack")
	}
	if s.Name != "app-prod" || s.DeployedBy != "tooling/eu-west-1/pipeline-app" {
		t.Errorf("name %s deployed by %s", s.Name, s.DeployedBy)
	}
	a := s.Application
	// Defaults: one at a time, all three desired instances in service (the
	// group has room to start the new one first), 15 minutes.
	if a.DesiredCapacity != 3 || a.MinInstancesInService != 3 || a.MaxBatchSize != 1 || a.PauseTime != "PT15M" || a.HealthCheckPath != "/healthz" {
		t.Errorf("application: %+v", a)
	}
	img, ok := s.Param(a.ImageParam)
	if !ok || img.Type != "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>" || img.Source.SSM != "/gitops/ami/app" {
		t.Errorf("image parameter: %+v", img)
	}
	if !slices.Contains(s.DependsOn, "prod/eu-west-1/ami-parameters") {
		t.Errorf("the application does not wait for its AMI parameter: %v", s.DependsOn)
	}
	m, _ := NewManifest(p, nil).Marshal()
	if !strings.Contains(string(m), `"deployedBy": "tooling/eu-west-1/pipeline-app"`) {
		t.Error("the manifest does not say who deploys the application")
	}
}

func TestPlanDeployRoleGrants(t *testing.T) {
	p := buildFixture(t, nil)
	prod := p.Stack("prod/eu-west-1/deploy-role").DeployRole
	// One role per pipeline deploying here, trusted by that pipeline
	// alone, allowed its own stacks and services only.
	var names []string
	for _, r := range prod.Pipelines {
		names = append(names, r.Name)
		if r.Name != PipelineDeployRoleName(r.Pipeline) || r.Trusted != (RoleRef{"111111111111", "gitops-pipeline-" + r.Pipeline}) ||
			r.Artifacts.Bucket != "gitops-111111111111-eu-west-1-"+r.Pipeline {
			t.Errorf("pipeline role %+v", r)
		}
		switch r.Pipeline {
		case "app":
			if !slices.Equal(r.Stacks, []StackRef{{"eu-west-1", "app-prod"}}) || len(r.ECSServices) != 0 {
				t.Errorf("app's role: %+v", r)
			}
		default:
			if len(r.Stacks) != 0 || !slices.Equal(r.ECSServices, []ECSServiceRef{{"eu-west-1", "apps", "api"}}) {
				t.Errorf("%s's role: %+v", r.Pipeline, r)
			}
		}
	}
	if len(names) != 2 || !slices.IsSorted(names) {
		t.Errorf("pipeline roles: %v", names)
	}
	// The apply role is trusted by the apply roles only, not by any
	// pipeline or bake stage.
	for _, r := range prod.Trusted {
		if r.Name != ApplyRoleName {
			t.Errorf("the deploy role trusts %+v", r)
		}
	}
	// gitops bake writes the parameters of the AMIs distributed to prod,
	// in every region they go to, through the publish role, which the
	// bake stage and the apply role may assume.
	pub := prod.Publish
	if pub == nil || !slices.Equal(pub.AMIParameters, []ParameterRef{{"eu-central-1", "/gitops/ami/base"}, {"eu-west-1", "/gitops/ami/app"}, {"eu-west-1", "/gitops/ami/base"}}) ||
		!slices.Contains(pub.Trusted, RoleRef{"111111111111", "gitops-bake-app"}) || !slices.Contains(pub.Trusted, RoleRef{"111111111111", ApplyRoleName}) {
		t.Errorf("publish role: %+v", pub)
	}
	if !slices.Equal(prod.ImageBuilderAccountIDs, []string{"111111111111"}) {
		t.Errorf("ImageBuilder accounts: %v", prod.ImageBuilderAccountIDs)
	}
	// The execution role gets the resource types of prod's stacks: the
	// application's, the network's, not the pipeline's.
	for typ, want := range map[string]bool{"AWS::AutoScaling::AutoScalingGroup": true, "AWS::EC2::VPC": true, "AWS::CodePipeline::Pipeline": false} {
		if slices.Contains(prod.ResourceTypes, typ) != want {
			t.Errorf("prod's execution role has %s: %v, want %v", typ, !want, want)
		}
	}
	if !slices.Contains(prod.StackNames, "app-prod") || !slices.IsSorted(prod.StackNames) {
		t.Errorf("stack names: %v", prod.StackNames)
	}
	tooling := p.Stack("tooling/eu-west-1/deploy-role").DeployRole
	if len(tooling.ImageBuilderAccountIDs) != 0 || tooling.Publish != nil || len(tooling.Pipelines) != 1 || tooling.Pipelines[0].Name != "gitops-deploy-api" {
		t.Errorf("tooling deploy role: %+v", tooling)
	}
	// The mirrors sync and SMTP credentials roles exist where mirrors and
	// a GitLab sending mail are planned (tooling), not elsewhere (prod),
	// and the manifest's account table names them.
	if prod.MirrorsRole != "" || prod.SMTPRole != "" || len(prod.Mirrors) != 0 {
		t.Errorf("prod, without mirrors or GitLab, has duty roles: mirrors %q, SMTP %q", prod.MirrorsRole, prod.SMTPRole)
	}
	if tooling.MirrorsRole != MirrorsSyncRoleName() || tooling.SMTPRole != SMTPCredentialsRoleName() ||
		len(tooling.SMTPCredentials) == 0 || len(tooling.Mirrors) == 0 {
		t.Errorf("tooling: mirrors role %q over %+v, SMTP role %q over %+v", tooling.MirrorsRole, tooling.Mirrors, tooling.SMTPRole, tooling.SMTPCredentials)
	}
	for _, m := range tooling.Mirrors {
		if (m.User == "") != (m.Connection != "") || (m.User != "" && (m.User != MirrorUserName(m.Name) || m.Secret != MirrorSecretName(m.Name))) {
			t.Errorf("mirror %+v", m)
		}
	}
	for _, a := range NewManifest(p, nil).Accounts {
		d := p.Stack(a.Name + "/eu-west-1/deploy-role").DeployRole
		if a.MirrorsRole != d.MirrorsRole || a.SMTPRole != d.SMTPRole {
			t.Errorf("manifest account %+v, deploy role stack: mirrors %q, SMTP %q", a, d.MirrorsRole, d.SMTPRole)
		}
	}
}

func TestBuildspecs(t *testing.T) {
	var bake struct {
		Env struct {
			Variables map[string]string `yaml:"variables"`
		} `yaml:"env"`
		Phases map[string]struct {
			Commands []string `yaml:"commands"`
		} `yaml:"phases"`
	}
	if err := yaml.Unmarshal([]byte(BakeBuildspec("web-app", "BuildOutput", "gitops-bucket", "releases/web-app/current.tar.gz", false)), &bake); err != nil {
		t.Fatal(err)
	}
	// The build's output is published before gitops bake starts the image build.
	cmds := bake.Phases["build"].Commands
	publish := []string{
		`tar -czf /tmp/release.tar.gz -C "$CODEBUILD_SRC_DIR_BuildOutput" .`,
		`aws s3 cp /tmp/release.tar.gz s3://gitops-bucket/releases/web-app/current.tar.gz`,
	}
	if len(cmds) != 4 || !slices.Equal(cmds[:2], publish) || !strings.HasPrefix(cmds[2], "go build ") || cmds[3] != `"$CODEBUILD_SRC_DIR/bin/gitops" bake web-app` {
		t.Errorf("bake commands: %q", cmds)
	}
	if bake.Env.Variables["GOTOOLCHAIN"] != "auto" {
		t.Errorf("bake variables: %v", bake.Env.Variables)
	}

	// In the pipeline's own build image nothing is downloaded: no runtime
	// install, no toolchain fetch, the image checked first.
	var offline struct {
		Env struct {
			Variables map[string]string `yaml:"variables"`
		} `yaml:"env"`
		Phases map[string]struct {
			RuntimeVersions map[string]string `yaml:"runtime-versions"`
			Commands        []string          `yaml:"commands"`
		} `yaml:"phases"`
	}
	if err := yaml.Unmarshal([]byte(BakeBuildspec("web-app", "BuildOutput", "gitops-bucket", "releases/web-app/current.tar.gz", true)), &offline); err != nil {
		t.Fatal(err)
	}
	if offline.Env.Variables["GOTOOLCHAIN"] != "local" || len(offline.Phases["install"].RuntimeVersions) != 0 ||
		!slices.Equal(offline.Phases["install"].Commands, []string{"sh .ci/check-image"}) || len(offline.Phases["build"].Commands) != 4 {
		t.Errorf("bake in its own image: %+v", offline)
	}

	var ecs struct {
		Phases map[string]struct {
			Commands []string `yaml:"commands"`
		} `yaml:"phases"`
		Artifacts struct {
			Files []string `yaml:"files"`
		} `yaml:"artifacts"`
	}
	targets := []TargetStage{
		{ECS: &ECSDeploy{Container: "web", ImageDefinitions: "imagedefinitions-a.json"}},
		{ECS: &ECSDeploy{Container: "it's", ImageDefinitions: "imagedefinitions-b.json"}},
	}
	if err := yaml.Unmarshal([]byte(ECSBuildspec(targets)), &ecs); err != nil {
		t.Fatal(err)
	}
	build := ecs.Phases["build"].Commands
	want := `printf '[{"name":"it's","imageUri":"%s"}]' "$IMAGE" > imagedefinitions-b.json`
	if len(build) != 4 || build[3] != want || !strings.HasPrefix(build[1], "docker push") {
		t.Errorf("ECS build commands: %q", build)
	}
	if !slices.Equal(ecs.Artifacts.Files, []string{"imagedefinitions-a.json", "imagedefinitions-b.json"}) {
		t.Errorf("artifacts: %v", ecs.Artifacts.Files)
	}
}

func TestArtifactBucketName(t *testing.T) {
	if got := ArtifactBucketName("111111111111", "eu-west-1", "webapp"); got != "gitops-111111111111-eu-west-1-webapp" {
		t.Errorf("short name: %s", got)
	}
	long := strings.Repeat("a", 63)
	a, b := ArtifactBucketName("111111111111", "ap-southeast-3", long), ArtifactBucketName("111111111111", "ap-southeast-3", long[:62]+"b")
	if len(a) > 63 || a == b || !strings.HasPrefix(a, "gitops-111111111111-ap-southeast-3-aaa") {
		t.Errorf("long names: %s %s", a, b)
	}
}

// TestPlanRelease: gitops:release is where the recipe's pipeline publishes
// its build, and the recipe's instance role has the name the pipeline grants.
func TestPlanRelease(t *testing.T) {
	recipe := readFixture(t, "imagerecipes/app.yaml")
	p := buildFixture(t, map[string]string{"imagerecipes/app.yaml": strings.Replace(recipe, `Release: "2024.1"`, `Release: gitops:release`, 1)})
	app := p.Stack("tooling/eu-west-1/imagerecipe-app").ImageRecipe
	want := []ComponentParam{{"Port", "8080"}, {"Release", "s3://gitops-111111111111-eu-west-1-app/releases/app/current.tar.gz"}}
	if !slices.Equal(app.Components[0].Parameters, want) {
		t.Errorf("parameters: %+v", app.Components[0].Parameters)
	}
	rel := app.Release
	if app.InstanceRole != "gitops-imagebuilder-app" || rel == nil || rel.Pipeline != "app" || rel.KeyAlias != "alias/gitops-pipeline-app" ||
		rel.URL() != want[1].Value {
		t.Errorf("release: %s %+v", app.InstanceRole, rel)
	}
	// The bake's grant names the same role and object.
	bake := p.Stack("tooling/eu-west-1/pipeline-app").Pipeline.Bake
	if bake.ReleaseReader.Name != app.InstanceRole || p.Stack("tooling/eu-west-1/pipeline-app").Pipeline.ArtifactBucket+"/"+bake.ReleaseKey != rel.Bucket+"/"+rel.Key {
		t.Errorf("bake %+v and recipe %+v disagree", bake, rel)
	}
	base := p.Stack("tooling/eu-west-1/imagerecipe-base").ImageRecipe
	if base.Release != nil || base.InstanceRole != "gitops-imagebuilder-base" {
		t.Errorf("a recipe no pipeline bakes: %s %+v", base.InstanceRole, base.Release)
	}
}

// TestBakeStageInTheBuildImage: a pipeline whose bake names an image runs
// the stage in it, with nothing downloaded.
func TestBakeStageInTheBuildImage(t *testing.T) {
	pipelines := readFixture(t, "environments/tooling/pipelines/app.yaml")
	image := "111111111111.dkr.ecr.eu-west-1.amazonaws.com/gitops-build:go1.26-node22"
	p := buildFixture(t, map[string]string{"environments/tooling/pipelines/app.yaml": strings.Replace(pipelines,
		"bake: {recipe: app}", "bake: {recipe: app, image: "+image+"}", 1)})
	b := p.Stack("tooling/eu-west-1/pipeline-app").Pipeline.Bake
	if b.Image != image || !strings.Contains(b.Buildspec, "GOTOOLCHAIN: local") || strings.Contains(b.Buildspec, "runtime-versions") {
		t.Errorf("bake in its own image: %s\n%s", b.Image, b.Buildspec)
	}
}

func TestPlanDeliveryErrors(t *testing.T) {
	pipelines := readFixture(t, "environments/tooling/pipelines/app.yaml")
	recipe := readFixture(t, "imagerecipes/app.yaml")
	cases := []struct {
		name string
		over map[string]string
		want string
	}{
		{"cross-region target", map[string]string{"environments/tooling/pipelines/app.yaml": strings.Replace(pipelines,
			"region: eu-west-1\n    stack: api-prod", "region: eu-central-1\n    stack: api-prod", 1)}, "cross-region targets"},
		{"application named like an estate stack", map[string]string{"environments/tooling/pipelines/app.yaml": strings.Replace(pipelines,
			"stack: app-prod", "stack: gitops-network", 1)}, "stack names starting with gitops- belong to the estate"},
		{"release of a recipe no pipeline bakes", map[string]string{"imagerecipes/other.yaml": strings.NewReplacer(
			"name: app", "name: other", "/gitops/ami/app", "/gitops/ami/other", `Release: "2024.1"`, `Release: gitops:release`).Replace(recipe)},
			"parameter Release is gitops:release, but no pipeline bakes the recipe"},
		{"two pipelines bake a recipe", map[string]string{"environments/tooling/pipelines/app.yaml": strings.Replace(pipelines,
			"build:\n  image: aws/codebuild/amazonlinux-aarch64", "estate: {mirror: estate, branch: main}\nbake: {recipe: app}\nbuild:\n  image: aws/codebuild/amazonlinux-aarch64", 1)},
			"pipelines app, api all bake it"},
		{"bake without estate", map[string]string{"environments/tooling/pipelines/app.yaml": strings.Replace(pipelines,
			"estate: {mirror: estate, branch: main}\n", "", 1)}, "bake needs the estate source"},
		{"account named like the documents", map[string]string{"accounts/imagerecipes.yaml": `kind: Account
name: imagerecipes
id: "333333333333"
email: ir@example.com
role: workload
regions: [eu-west-1]
`}, "would share generated/imagerecipes/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(loadFixture(t, tc.over))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
