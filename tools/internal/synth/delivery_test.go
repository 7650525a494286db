package synth

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

const (
	mirrorsTemplate   = "tooling/eu-west-1/mirrors.template.json"
	baseTemplate      = "tooling/eu-west-1/imagerecipe-base.template.json"
	appRecipeTemplate = "tooling/eu-west-1/imagerecipe-app.template.json"
	appPipeline       = "tooling/eu-west-1/pipeline-app.template.json"
	apiPipeline       = "tooling/eu-west-1/pipeline-api.template.json"
	appTemplate       = "prod/eu-west-1/app-prod.template.json"
	prodAMIParameters = "prod/eu-west-1/ami-parameters.template.json"
	prodDeployRole    = "prod/eu-west-1/deploy-role.template.json"
	partitionRootProd = `:iam::222222222222:root`
	// The roles pipelines app and api deploy prod through, and the role
	// gitops bake publishes there through.
	prodDeployerSuffix = `:iam::222222222222:role/gitops-deploy-app`
	prodAPIDeployer    = `:iam::222222222222:role/gitops-deploy-api`
	prodPublisher      = `:iam::222222222222:role/gitops-ami-publish`
)

func TestMirrors(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[mirrorsTemplate])
	repo := tmpl.only(t, "AWS::CodeCommit::Repository")
	if repo.Properties["RepositoryName"] != "webapp" || repo.DeletionPolicy != "Retain" || repo.UpdateReplace != "Retain" {
		t.Errorf("repository: %+v", repo)
	}
	// The push user may push and pull its repository, and nothing else.
	user := tmpl.only(t, "AWS::IAM::User").Properties
	if user["UserName"] != "gitops-mirror-webapp" {
		t.Errorf("user name: %v", user["UserName"])
	}
	pol := get(user, "Policies", 0, "PolicyDocument", "Statement")
	if st, _ := pol.([]any); len(st) != 1 || jsonString(get(st[0], "Action")) != `["codecommit:GitPull","codecommit:GitPush"]` ||
		jsonString(get(st[0], "Resource")) != `{"Fn::GetAtt":["WebappRepository","Arn"]}` {
		t.Errorf("user policy: %s", jsonString(pol))
	}
	if _, ok := user["LoginProfile"]; ok {
		t.Error("the mirror user can sign in to the console")
	}
	host := tmpl.only(t, "AWS::CodeConnections::Host").Properties
	if host["ProviderType"] != "GitLabSelfManaged" || host["ProviderEndpoint"] != "https://gitlab.example.com" ||
		jsonString(get(host, "VpcConfiguration", "VpcId")) != `{"Ref":"GitlabVpcId"}` ||
		jsonString(get(host, "VpcConfiguration", "SubnetIds")) != `{"Ref":"GitlabPrivateSubnetIds"}` {
		t.Errorf("host: %s", jsonString(host))
	}
	// GitLab's load balancer lets the host's interfaces in on 443.
	in := tmpl.only(t, "AWS::EC2::SecurityGroupIngress").Properties
	if jsonString(in["GroupId"]) != `{"Ref":"MainLoadBalancerSecurityGroupId"}` || in["FromPort"] != 443.0 {
		t.Errorf("ALB ingress: %s", jsonString(in))
	}
	conn := tmpl.only(t, "AWS::CodeConnections::Connection").Properties
	if conn["ConnectionName"] != "gitlab-estate" || jsonString(conn["HostArn"]) != `{"Fn::GetAtt":["MainHost","HostArn"]}` {
		t.Errorf("connection: %s", jsonString(conn))
	}
	if _, ok := tmpl.Outputs["EstateConnectionArn"]; !ok {
		t.Error("no connection ARN output for the pipeline")
	}
	// The GitLab stack offers its load balancer's security group.
	gl := parse(t, templates[gitlabTemplate])
	if _, ok := gl.Outputs["MainLoadBalancerSecurityGroupId"]; !ok {
		t.Error("the GitLab stack does not output its load balancer's security group")
	}
}

func TestImageRecipe(t *testing.T) {
	p, templates := fixtureTemplates(t)
	spec := p.Stack("tooling/eu-west-1/imagerecipe-base").ImageRecipe
	tmpl := parse(t, templates[baseTemplate])

	comp := tmpl.only(t, "AWS::ImageBuilder::Component").Properties
	doc := spec.Components[1].Document
	if comp["Name"] != "base-harden" || comp["Version"] != doc.Version || comp["Data"] != doc.Data || comp["Platform"] != "Linux" {
		t.Errorf("component: %v", comp)
	}
	recipe := tmpl.only(t, "AWS::ImageBuilder::ImageRecipe").Properties
	if recipe["Name"] != "base" || recipe["Version"] != spec.Version || recipe["ParentImage"] != spec.ParentImage {
		t.Errorf("recipe: %v", recipe)
	}
	arns := jsonString(recipe["Components"])
	for _, want := range []string{`:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x`, `{"Fn::GetAtt":["BaseHardenComponent","Arn"]}`, `component/reboot-test-linux/1.0.x`} {
		if !strings.Contains(arns, want) {
			t.Errorf("recipe components lack %s: %s", want, arns)
		}
	}
	app := parse(t, templates[appRecipeTemplate]).only(t, "AWS::ImageBuilder::ImageRecipe").Properties
	if app["ParentImage"] != "ssm:/gitops/ami/base" || get(app, "BlockDeviceMappings", 0, "Ebs", "VolumeSize") != 30.0 {
		t.Errorf("app recipe: %v", app)
	}
	if jsonString(get(app, "Components", 0, "Parameters")) != `[{"Name":"Port","Value":["8080"]},{"Name":"Release","Value":["2024.1"]}]` {
		t.Errorf("component parameters: %s", jsonString(get(app, "Components", 0, "Parameters")))
	}

	infra := tmpl.only(t, "AWS::ImageBuilder::InfrastructureConfiguration").Properties
	if infra["TerminateInstanceOnFailure"] != true || jsonString(infra["SubnetId"]) != `{"Ref":"GitlabPrivateASubnetId"}` ||
		jsonString(infra["InstanceTypes"]) != `["t3.medium","t3a.medium"]` || get(infra, "Logging", "S3Logs", "S3KeyPrefix") != "base" {
		t.Errorf("infrastructure: %s", jsonString(infra))
	}
	role := tmpl.only(t, "AWS::IAM::Role").Properties
	managed := jsonString(role["ManagedPolicyArns"])
	for _, want := range []string{"policy/AmazonSSMManagedInstanceCore", "policy/EC2InstanceProfileForImageBuilder"} {
		if !strings.Contains(managed, want) {
			t.Errorf("instance role lacks %s: %s", want, managed)
		}
	}
	logs := tmpl.only(t, "AWS::S3::Bucket")
	if logs.DeletionPolicy != "Retain" || get(logs.Properties, "PublicAccessBlockConfiguration", "BlockPublicPolicy") != true {
		t.Errorf("logs bucket: %+v", logs)
	}

	dist := tmpl.only(t, "AWS::ImageBuilder::DistributionConfiguration").Properties
	first := get(dist, "Distributions", 0)
	if get(first, "Region") != "eu-west-1" || get(first, "AmiDistributionConfiguration", "Name") != "base-{{imagebuilder:buildDate}}" ||
		jsonString(get(first, "AmiDistributionConfiguration", "TargetAccountIds")) != `["222222222222"]` ||
		jsonString(get(first, "AmiDistributionConfiguration", "LaunchPermissionConfiguration", "UserIds")) != `["222222222222"]` ||
		jsonString(get(first, "SsmParameterConfigurations")) != `[{"DataType":"aws:ec2:image","ParameterName":"/gitops/ami/base"}]` {
		t.Errorf("build region distribution: %s", jsonString(first))
	}
	if get(dist, "Distributions", 1, "Region") != "eu-central-1" || get(dist, "Distributions", 1, "SsmParameterConfigurations") != nil {
		t.Errorf("second region: %s", jsonString(get(dist, "Distributions", 1)))
	}

	pl := tmpl.only(t, "AWS::ImageBuilder::ImagePipeline").Properties
	if pl["Name"] != "gitops-base" || get(pl, "ImageTestsConfiguration", "ImageTestsEnabled") != true ||
		get(pl, "Schedule", "ScheduleExpression") != "cron(0 3 ? * sun *)" {
		t.Errorf("image pipeline: %s", jsonString(pl))
	}
	if _, ok := parse(t, templates[appRecipeTemplate]).only(t, "AWS::ImageBuilder::ImagePipeline").Properties["Schedule"]; ok {
		t.Error("app has a schedule it does not declare")
	}

	prm := tmpl.only(t, "AWS::SSM::Parameter")
	if prm.DeletionPolicy != "Retain" || prm.Properties["DataType"] != "aws:ec2:image" || prm.Properties["Name"] != "/gitops/ami/base" ||
		prm.Properties["Value"] != "{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}" {
		t.Errorf("AMI parameter: %+v", prm)
	}
	for id, a := range parse(t, templates[prodAMIParameters]).ofType("AWS::SSM::Parameter") {
		if a.DeletionPolicy != "Retain" || a.Properties["DataType"] != "aws:ec2:image" {
			t.Errorf("%s: %+v", id, a)
		}
	}
}

func TestPipeline(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[appPipeline])

	key := tmpl.only(t, "AWS::KMS::Key")
	if key.DeletionPolicy != "Retain" || key.Properties["EnableKeyRotation"] != true {
		t.Errorf("key: %+v", key)
	}
	kp := jsonString(key.Properties["KeyPolicy"])
	if !strings.Contains(kp, partitionRootProd) || !strings.Contains(kp, prodDeployerSuffix) || !strings.Contains(kp, "codestar-notifications.amazonaws.com") {
		t.Errorf("key policy: %s", kp)
	}
	bucket := tmpl.only(t, "AWS::S3::Bucket")
	if bucket.DeletionPolicy != "Retain" || bucket.Properties["BucketName"] != "gitops-111111111111-eu-west-1-app" ||
		get(bucket.Properties, "BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault", "SSEAlgorithm") != "aws:kms" {
		t.Errorf("bucket: %s", jsonString(bucket))
	}
	bp := jsonString(tmpl.only(t, "AWS::S3::BucketPolicy").Properties["PolicyDocument"])
	// The deploy role fetches artifacts, CloudFormation reads the templates.
	if !strings.Contains(bp, `"aws:SecureTransport":"false"`) || !strings.Contains(bp, prodDeployerSuffix) ||
		!strings.Contains(bp, ":iam::222222222222:role/gitops-cfn-exec") || strings.Contains(bp, "s3:PutObject") {
		t.Errorf("bucket policy: %s", bp)
	}

	pl := tmpl.only(t, "AWS::CodePipeline::Pipeline").Properties
	if pl["PipelineType"] != "V2" || get(pl, "ArtifactStore", "EncryptionKey", "Type") != "KMS" {
		t.Errorf("pipeline: type %v store %v", pl["PipelineType"], pl["ArtifactStore"])
	}
	var stages []string
	for _, st := range pl["Stages"].([]any) {
		var actions []string
		for _, a := range get(st, "Actions").([]any) {
			actions = append(actions, get(a, "Name").(string))
		}
		stages = append(stages, get(st, "Name").(string)+":"+strings.Join(actions, ","))
	}
	want := []string{"Source:Source,Estate", "Build:Build", "Bake:Bake", "Deploy-prod:ApproveChangeSet,CreateChangeSet,ApproveExecute,ExecuteChangeSet"}
	if !slices.Equal(stages, want) {
		t.Errorf("stages:\n got %v\nwant %v", stages, want)
	}
	deploy := get(pl, "Stages", 3, "Actions")
	create := get(deploy, 1)
	cfg := get(create, "Configuration")
	if get(cfg, "ActionMode") != "CHANGE_SET_REPLACE" || get(cfg, "StackName") != "app-prod" ||
		get(cfg, "TemplatePath") != "Estate::generated/prod/eu-west-1/app-prod.template.json" ||
		!strings.Contains(jsonString(get(create, "RoleArn")), prodDeployerSuffix) ||
		!strings.Contains(jsonString(get(cfg, "RoleArn")), ":iam::222222222222:role/gitops-cfn-exec") ||
		jsonString(get(cfg, "ParameterOverrides")) != `{"Fn::Sub":"{\"AppPrivateSubnetIds\":\"${AppPrivateSubnetIds}\",\"AppVpcId\":\"${AppVpcId}\"}"}` {
		t.Errorf("create change set: %s", jsonString(create))
	}
	if get(deploy, 3, "Configuration", "ActionMode") != "CHANGE_SET_EXECUTE" || !strings.Contains(jsonString(get(deploy, 3, "RoleArn")), prodDeployerSuffix) {
		t.Errorf("execute change set: %s", jsonString(get(deploy, 3)))
	}
	if jsonString(get(deploy, 2, "Configuration", "NotificationArn")) != `{"Ref":"AppTopic"}` {
		t.Errorf("approval does not notify: %s", jsonString(get(deploy, 2)))
	}
	// The CodeCommit source is started by an EventBridge rule on its branch.
	if get(pl, "Stages", 0, "Actions", 0, "Configuration", "PollForSourceChanges") != "false" || pl["Triggers"] != nil {
		t.Errorf("CodeCommit source: %s", jsonString(get(pl, "Stages", 0)))
	}
	rule := tmpl.only(t, "AWS::Events::Rule").Properties
	if jsonString(get(rule, "EventPattern", "detail", "referenceName")) != `["main"]` || !strings.Contains(jsonString(get(rule, "EventPattern", "resources")), ":codecommit:eu-west-1:111111111111:webapp") {
		t.Errorf("trigger: %s", jsonString(rule))
	}

	roles := tmpl.ofType("AWS::IAM::Role")
	if roles["AppPipelineRole"].Properties["RoleName"] != "gitops-pipeline-app" || roles["AppBakeRole"].Properties["RoleName"] != "gitops-bake-app" {
		t.Error("pipeline or bake role not named for the deploy roles' trust")
	}
	if _, named := roles["AppBuildRole"].Properties["RoleName"]; named {
		t.Error("the build role runs application code; it must not carry a name deploy roles trust")
	}
	if build := jsonString(roles["AppBuildRole"].Properties["Policies"]); strings.Contains(build, "sts:AssumeRole") {
		t.Errorf("the build role may assume roles: %s", build)
	}
	bake := jsonString(roles["AppBakeRole"].Properties["Policies"])
	for _, want := range []string{"imagebuilder:StartImagePipelineExecution", ":imagebuilder:eu-west-1:111111111111:image-pipeline/gitops-app", "image/app/*", "sts:AssumeRole", prodPublisher} {
		if !strings.Contains(bake, want) {
			t.Errorf("bake role lacks %s: %s", want, bake)
		}
	}
	if strings.Contains(bake, "ssm:PutParameter") {
		t.Errorf("app is not distributed to the tooling account, yet the bake role writes parameters there: %s", bake)
	}
	projects := tmpl.ofType("AWS::CodeBuild::Project")
	if get(projects["AppBuildProject"].Properties, "Source", "BuildSpec") != "buildspec.yml" ||
		get(projects["AppBuildProject"].Properties, "Environment", "ComputeType") != "BUILD_GENERAL1_MEDIUM" {
		t.Errorf("build project: %s", jsonString(projects["AppBuildProject"].Properties))
	}
	if bs := get(projects["AppBakeProject"].Properties, "Source", "BuildSpec").(string); !strings.Contains(bs, `"$CODEBUILD_SRC_DIR/bin/gitops" bake app`) {
		t.Errorf("bake buildspec: %s", bs)
	}
}

// TestPipelineRelease: the build's output reaches the bake, which publishes
// it where the recipe's build instances, and only they, may read it.
func TestPipelineRelease(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[appPipeline])
	pl := tmpl.only(t, "AWS::CodePipeline::Pipeline").Properties
	build, bake := get(pl, "Stages", 1, "Actions", 0), get(pl, "Stages", 2, "Actions", 0)
	if jsonString(get(build, "OutputArtifacts")) != `[{"Name":"BuildOutput"}]` {
		t.Errorf("build action: %s", jsonString(build))
	}
	if jsonString(get(bake, "InputArtifacts")) != `[{"Name":"Estate"},{"Name":"BuildOutput"}]` || get(bake, "Configuration", "PrimarySource") != "Estate" {
		t.Errorf("bake action: %s", jsonString(bake))
	}
	bs := get(tmpl.ofType("AWS::CodeBuild::Project")["AppBakeProject"].Properties, "Source", "BuildSpec").(string)
	upload := `aws s3 cp /tmp/release.tar.gz s3://gitops-111111111111-eu-west-1-app/releases/app/current.tar.gz`
	tar, up, run := strings.Index(bs, `-C "$CODEBUILD_SRC_DIR_BuildOutput" .`), strings.Index(bs, upload), strings.Index(bs, `" bake app`)
	if tar < 0 || up < tar || run < up {
		t.Errorf("the bake does not publish the build before it bakes:\n%s", bs)
	}

	// The bake role writes the release prefix and no other object.
	bakeRole := get(tmpl.ofType("AWS::IAM::Role")["AppBakeRole"].Properties, "Policies", 0, "PolicyDocument", "Statement").([]any)
	var puts []string
	for _, st := range bakeRole {
		if strings.Contains(jsonString(get(st, "Action")), "s3:PutObject") {
			puts = append(puts, jsonString(get(st, "Resource")))
		}
	}
	if len(puts) != 1 || puts[0] != `{"Fn::Join":["",[{"Fn::GetAtt":["AppArtifactBucket","Arn"]},"/releases/app/*"]]}` {
		t.Errorf("bake role writes %v", puts)
	}

	reader := `:iam::111111111111:role/gitops-imagebuilder-app`
	bp := sid(t, get(tmpl.only(t, "AWS::S3::BucketPolicy").Properties, "PolicyDocument", "Statement"), "BuildInstancesReadRelease")
	if jsonString(bp["Action"]) != `["s3:GetObject"]` || !strings.Contains(jsonString(bp["Condition"]), reader) ||
		jsonString(bp["Resource"]) != `{"Fn::Join":["",[{"Fn::GetAtt":["AppArtifactBucket","Arn"]},"/releases/app/current.tar.gz"]]}` {
		t.Errorf("bucket policy release read: %s", jsonString(bp))
	}
	kp := sid(t, get(tmpl.only(t, "AWS::KMS::Key").Properties, "KeyPolicy", "Statement"), "BuildInstancesDecryptRelease")
	if jsonString(kp["Action"]) != `["kms:Decrypt"]` || !strings.Contains(jsonString(kp["Condition"]), reader) ||
		!strings.Contains(jsonString(kp["Condition"]), `"kms:ViaService":"s3.eu-west-1.amazonaws.com"`) {
		t.Errorf("key policy release decrypt: %s", jsonString(kp))
	}

	// The recipe's instance role carries that name and reads that object.
	role := parse(t, templates[appRecipeTemplate]).only(t, "AWS::IAM::Role").Properties
	if role["RoleName"] != "gitops-imagebuilder-app" {
		t.Errorf("instance role name: %v", role["RoleName"])
	}
	read := jsonString(get(role, "Policies", 1))
	for _, want := range []string{`"PolicyName":"read-release"`, `:s3:::gitops-111111111111-eu-west-1-app/releases/app/current.tar.gz"`,
		`"kms:ResourceAliases":"alias/gitops-pipeline-app"`, `"kms:ViaService":"s3.eu-west-1.amazonaws.com"`} {
		if !strings.Contains(read, want) {
			t.Errorf("instance role release policy lacks %s: %s", want, read)
		}
	}
	base := parse(t, templates[baseTemplate]).only(t, "AWS::IAM::Role").Properties
	if n := len(base["Policies"].([]any)); n != 1 {
		t.Errorf("base is baked by no pipeline, yet its instances read a release: %s", jsonString(base["Policies"]))
	}
}

// sid returns the policy statement called name.
func sid(t *testing.T, statements any, name string) map[string]any {
	t.Helper()
	list, _ := statements.([]any)
	for _, st := range list {
		if m, ok := st.(map[string]any); ok && m["Sid"] == name {
			return m
		}
	}
	t.Fatalf("no statement %s in %s", name, jsonString(statements))
	return nil
}

func TestPipelineNotifications(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[appPipeline])
	rule := tmpl.only(t, "AWS::CodeStarNotifications::NotificationRule").Properties
	if jsonString(rule["EventTypeIds"]) != `["codepipeline-pipeline-manual-approval-needed","codepipeline-pipeline-pipeline-execution-succeeded","codepipeline-pipeline-pipeline-execution-failed"]` ||
		jsonString(get(rule, "Targets", 0, "TargetAddress")) != `{"Ref":"AppTopic"}` {
		t.Errorf("notification rule: %s", jsonString(rule))
	}
	topic := tmpl.only(t, "AWS::SNS::Topic").Properties
	if topic["KmsMasterKeyId"] == nil {
		t.Error("topic not encrypted")
	}
	var protocols []string
	for _, s := range tmpl.ofType("AWS::SNS::Subscription") {
		protocols = append(protocols, s.Properties["Protocol"].(string))
	}
	slices.Sort(protocols)
	if !slices.Equal(protocols, []string{"email", "lambda"}) {
		t.Errorf("subscriptions: %v", protocols)
	}
	fn := tmpl.only(t, "AWS::Lambda::Function").Properties
	if fn["Runtime"] != chatRuntime || jsonString(get(fn, "Environment", "Variables")) != `{"CHAT_KIND":"slack","WEBHOOK_SECRET":"gitops/chat/app"}` {
		t.Errorf("chat function: %s", jsonString(fn))
	}
	if code := get(fn, "Code", "ZipFile").(string); len(code) > 4096 || !strings.Contains(code, "get_secret_value") {
		t.Errorf("chat code (%d bytes) is too long for ZipFile or reads no secret", len(code))
	}
	pol := jsonString(tmpl.Resources["AppChatRole"].Properties["Policies"])
	if !strings.Contains(pol, ":secretsmanager:eu-west-1:111111111111:secret:gitops/chat/app-??????") {
		t.Errorf("chat role: %s", pol)
	}
	for path, b := range templates {
		if strings.Contains(string(b), "hooks.slack.com") {
			t.Errorf("%s holds a webhook URL", path)
		}
	}
}

func TestECSPipeline(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[apiPipeline])
	pl := tmpl.only(t, "AWS::CodePipeline::Pipeline").Properties
	// The connection source triggers the pipeline through a V2 trigger.
	if jsonString(pl["Triggers"]) != `[{"GitConfiguration":{"Push":[{"Branches":{"Includes":["main"]}}],"SourceActionName":"Source"},"ProviderType":"CodeStarSourceConnection"}]` {
		t.Errorf("triggers: %s", jsonString(pl["Triggers"]))
	}
	prod := get(pl, "Stages", 3, "Actions")
	if get(prod, 0, "ActionTypeId", "Provider") != "Manual" || get(prod, 1, "ActionTypeId", "Provider") != "ECS" ||
		get(prod, 1, "Configuration", "FileName") != "imagedefinitions-prod.json" || !strings.Contains(jsonString(get(prod, 1, "RoleArn")), prodAPIDeployer) {
		t.Errorf("prod ECS stage: %s", jsonString(prod))
	}
	if tools := get(pl, "Stages", 2, "Actions"); get(tools, 0, "ActionTypeId", "Provider") != "ECS" {
		t.Errorf("tools stage has an approval it does not declare: %s", jsonString(tools))
	}
	repo := tmpl.only(t, "AWS::ECR::Repository")
	if repo.DeletionPolicy != "Retain" || repo.Properties["ImageTagMutability"] != "IMMUTABLE" || !strings.Contains(jsonString(repo.Properties["RepositoryPolicyText"]), partitionRootProd) {
		t.Errorf("repository: %s", jsonString(repo))
	}
	env := get(tmpl.Resources["ApiBuildProject"].Properties, "Environment")
	if get(env, "PrivilegedMode") != true || get(env, "Type") != "ARM_CONTAINER" || !strings.Contains(jsonString(get(env, "EnvironmentVariables")), "REPOSITORY_URI") {
		t.Errorf("build environment: %s", jsonString(env))
	}
}

func TestApplication(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[appTemplate])
	if typ := tmpl.Parameters["ImageId"]["Type"]; typ != "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>" || tmpl.Parameters["ImageId"]["Default"] != "/gitops/ami/app" {
		t.Errorf("image parameter: %v", tmpl.Parameters["ImageId"])
	}
	lt := tmpl.only(t, "AWS::EC2::LaunchTemplate").Properties
	if jsonString(get(lt, "LaunchTemplateData", "ImageId")) != `{"Ref":"ImageId"}` || get(lt, "LaunchTemplateData", "InstanceType") != "t3.medium" ||
		get(lt, "LaunchTemplateData", "MetadataOptions", "HttpTokens") != "required" {
		t.Errorf("launch template: %s", jsonString(lt))
	}
	userData := jsonString(get(lt, "LaunchTemplateData", "UserData"))
	for _, want := range []string{"cfn-signal", "--resource AutoScalingGroup", "http://localhost:8080/healthz", "${AWS::StackName}"} {
		if !strings.Contains(userData, want) {
			t.Errorf("user data lacks %s: %s", want, userData)
		}
	}
	var asg struct {
		Properties     map[string]any `json:"Properties"`
		UpdatePolicy   map[string]any `json:"UpdatePolicy"`
		CreationPolicy map[string]any `json:"CreationPolicy"`
	}
	if err := jsonUnmarshal(templates[appTemplate], "AutoScalingGroup", &asg); err != nil {
		t.Fatal(err)
	}
	ru := jsonString(asg.UpdatePolicy["AutoScalingRollingUpdate"])
	for _, want := range []string{`"MaxBatchSize":1`, `"MinInstancesInService":3`, `"PauseTime":"PT15M"`, `"WaitOnResourceSignals":true`} {
		if !strings.Contains(ru, want) {
			t.Errorf("rolling update lacks %s: %s", want, ru)
		}
	}
	if jsonString(asg.CreationPolicy) != `{"ResourceSignal":{"Count":3,"Timeout":"PT15M"}}` {
		t.Errorf("creation policy: %s", jsonString(asg.CreationPolicy))
	}
	p := asg.Properties
	if p["MinSize"] != "2" || p["MaxSize"] != "6" || p["DesiredCapacity"] != "3" || p["HealthCheckType"] != "ELB" ||
		jsonString(p["TargetGroupARNs"]) != `[{"Ref":"TargetGroup"}]` || jsonString(p["VPCZoneIdentifier"]) != `{"Ref":"AppPrivateSubnetIds"}` {
		t.Errorf("group: %s", jsonString(p))
	}
	tg := tmpl.only(t, "AWS::ElasticLoadBalancingV2::TargetGroup").Properties
	if tg["Port"] != 8080.0 || tg["HealthCheckPath"] != "/healthz" {
		t.Errorf("target group: %s", jsonString(tg))
	}
	if lb := tmpl.only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer").Properties; lb["Scheme"] != "internal" {
		t.Errorf("load balancer: %s", jsonString(lb))
	}
}

func TestDeployRoleGrants(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[prodDeployRole])
	for role, wants := range map[string][]string{
		// Pipeline app's role: the application it deploys, its artifacts.
		"DeployAppRole": {
			":cloudformation:eu-west-1:222222222222:stack/app-prod/*", ":s3:::gitops-111111111111-eu-west-1-app/*",
			`"kms:ViaService":"s3.eu-west-1.amazonaws.com"`, "cloudformation:ExecuteChangeSet",
		},
		// Pipeline api's role: its ECS service.
		"DeployApiRole": {":ecs:eu-west-1:222222222222:service/apps/api", `"iam:PassedToService":"ecs-tasks.amazonaws.com"`},
		// gitops bake publishes the AMI ids distributed here.
		"PublishRole": {":ssm:eu-west-1:222222222222:parameter/gitops/ami/app", ":ssm:eu-central-1:222222222222:parameter/gitops/ami/base"},
	} {
		pol := jsonString(tmpl.Resources[role].Properties["Policies"])
		for _, want := range wants {
			if !strings.Contains(pol, want) {
				t.Errorf("%s's policy lacks %s: %s", role, want, pol)
			}
		}
	}
	if pol := jsonString(tmpl.Resources["DeployApiRole"].Properties["Policies"]); strings.Contains(pol, "app-prod") {
		t.Errorf("pipeline api's role reaches pipeline app's stack: %s", pol)
	}
	if pol := jsonString(tmpl.Resources["PublishRole"].Properties["Policies"]); strings.Contains(pol, "cloudformation:") || strings.Contains(pol, ":ssm:eu-west-1:111111111111:") {
		t.Errorf("publish role: %s", pol)
	}
	dist := tmpl.Resources["DistributionRole"].Properties
	if dist["RoleName"] != "EC2ImageBuilderDistributionCrossAccountRole" || !strings.Contains(jsonString(dist["AssumeRolePolicyDocument"]), ":iam::111111111111:root") ||
		!strings.Contains(jsonString(dist["ManagedPolicyArns"]), "Ec2ImageBuilderCrossAccountDistributionAccess") {
		t.Errorf("distribution role: %s", jsonString(dist))
	}
	if _, ok := parse(t, templates["tooling/eu-west-1/deploy-role.template.json"]).Resources["DistributionRole"]; ok {
		t.Error("the tooling account, which builds the AMIs, got a distribution role")
	}
}

// jsonUnmarshal decodes the resource logicalID of a template into v.
func jsonUnmarshal(template []byte, logicalID string, v any) error {
	var raw struct {
		Resources map[string]json.RawMessage `json:"Resources"`
	}
	if err := json.Unmarshal(template, &raw); err != nil {
		return err
	}
	r, ok := raw.Resources[logicalID]
	if !ok {
		return fmt.Errorf("no resource %s", logicalID)
	}
	return json.Unmarshal(r, v)
}

// TestTemplateBucketPlanRoleCannotWriteApply: the plan role (a merge
// request's CI) may write plan/ only; were it allowed apply/, it could swap
// the template an apply uploads before CloudFormation reads it, and the
// change set would run with the execution role. Both kinds of template
// bucket: the deploy-role stack's (roles by GetAtt) and a template-bucket
// stack's in another region (roles by ARN).
func TestTemplateBucketPlanRoleCannotWriteApply(t *testing.T) {
	_, templates := fixtureTemplates(t)
	byARN := func(role string) string {
		return `{"AWS":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::222222222222:role/` + role + `"]]}}`
	}
	for _, tc := range []struct{ template, bucket, deploy, plan string }{
		{prodDeployRole, "gitops-templates-222222222222-eu-west-1", `{"AWS":{"Fn::GetAtt":["DeployRole","Arn"]}}`, `{"AWS":{"Fn::GetAtt":["PlanRole","Arn"]}}`},
		{"prod/eu-central-1/template-bucket.template.json", "gitops-templates-222222222222-eu-central-1", byARN("prod-deployer"), byARN("gitops-plan")},
	} {
		tmpl := parse(t, templates[tc.template])
		if name := tmpl.Resources["TemplateBucket"].Properties["BucketName"]; name != tc.bucket {
			t.Errorf("%s: bucket %v, want %s", tc.template, name, tc.bucket)
		}
		if r := tmpl.Resources["TemplateBucket"]; r.DeletionPolicy != "Retain" || r.UpdateReplace != "Retain" {
			t.Errorf("%s: the bucket is not retained: %+v", tc.template, r)
		}
		doc, _ := get(tmpl.Resources["TemplateBucketPolicy"].Properties, "PolicyDocument", "Statement").([]any)
		grants := map[string]string{}
		for _, st := range doc {
			if get(st, "Effect") != "Allow" {
				continue
			}
			grants[jsonString(get(st, "Principal"))] += jsonString(get(st, "Resource"))
		}
		plan, deploy := grants[tc.plan], grants[tc.deploy]
		if !strings.Contains(plan, `"/plan/*"`) || strings.Contains(plan, `"/apply/*"`) || strings.Contains(plan, `"/*"`) {
			t.Errorf("%s: the plan role's grant on the template bucket: %s", tc.template, plan)
		}
		if !strings.Contains(deploy, `"/apply/*"`) || !strings.Contains(deploy, `"/plan/*"`) {
			t.Errorf("%s: the deploy role's grant on the template bucket: %s", tc.template, deploy)
		}
		if len(grants) != 2 {
			t.Errorf("%s: grants on the template bucket: %v", tc.template, grants)
		}
	}
}
