package synth

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"

	"gitops/tools/internal/stacks"
)

// pipelineBuild holds a pipeline's shared resources while it is wired.
type pipelineBuild struct {
	spec   *stacks.PipelineSpec
	p      string
	key    awskms.CfnKey
	bucket awss3.CfnBucket
	// objects is the ARN of the bucket's objects.
	objects *string
	arn     *string
	topic   *string
	ecr     awsecr.CfnRepository
}

// pipeline builds a rollout pipeline: CodePipeline V2 reading the
// application and this repository, building, baking the AMI, then for each
// target in order approvals and change sets (or an ECS deploy) through the
// target account's deploy role; its encrypted artifacts readable by those
// roles only; notifications of approvals and outcomes.
func (b *builder) pipeline(spec *stacks.PipelineSpec) error {
	pb := &pipelineBuild{spec: spec, p: spec.ID}
	pb.arn = b.arn("codepipeline", spec.PipelineName)
	pb.key = b.pipelineKey(pb)
	pb.bucket = b.privateBucket(pb.p+"ArtifactBucket", spec.ArtifactBucket, pb.key.AttrArn(), true, 0,
		func(bucket, objects *string) []map[string]any {
			var out []map[string]any
			if len(spec.ArtifactReaders) > 0 {
				out = append(out, b.rolesStatement("TargetsRead", spec.ArtifactReaders,
					[]string{"s3:GetObject", "s3:GetObjectVersion"}, objects))
			}
			if bk := spec.Bake; bk != nil {
				// The recipe's build instances fetch the release, nothing else.
				out = append(out, b.rolesStatement("BuildInstancesReadRelease", []stacks.RoleRef{bk.ReleaseReader},
					[]string{"s3:GetObject"}, awscdk.Fn_Join(str(""), &[]*string{bucket, str("/" + bk.ReleaseKey)})))
			}
			return out
		})
	pb.objects = awscdk.Fn_Join(str(""), &[]*string{pb.bucket.AttrArn(), str("/*")})
	pb.topic = b.pipelineTopic(pb)
	if spec.ECR != nil {
		pb.ecr = b.pipelineRepository(pb)
	}

	role := b.pipelineRole(pb)
	build := b.buildProject(pb)
	stages := []any{b.sourceStage(pb), &awscodepipeline.CfnPipeline_StageDeclarationProperty{
		Name:    str("Build"),
		Actions: &[]any{codeBuildAction("Build", b.ref(build), sourceArtifact(spec.Source), spec.Build.Output)},
	}}
	if spec.Bake != nil {
		bake := b.bakeProject(pb)
		stages = append(stages, &awscodepipeline.CfnPipeline_StageDeclarationProperty{
			Name:    str("Bake"),
			Actions: &[]any{bakeAction(b.ref(bake), spec.Estate.Action, spec.Bake.Input)},
		})
	}
	for _, t := range spec.Targets {
		stages = append(stages, b.targetStage(pb, t))
	}
	props := &awscodepipeline.CfnPipelineProps{
		Name:          str(spec.PipelineName),
		PipelineType:  str("V2"),
		ExecutionMode: str("SUPERSEDED"),
		RoleArn:       role.AttrArn(),
		ArtifactStore: &awscodepipeline.CfnPipeline_ArtifactStoreProperty{
			Type: str("S3"), Location: b.ref(pb.bucket),
			EncryptionKey: &awscodepipeline.CfnPipeline_EncryptionKeyProperty{Type: str("KMS"), Id: pb.key.AttrArn()},
		},
		Stages:                   &stages,
		RestartExecutionOnUpdate: false,
	}
	if src := spec.Source; src.ConnectionParam != "" {
		props.Triggers = &[]any{&awscodepipeline.CfnPipeline_PipelineTriggerDeclarationProperty{
			ProviderType: str("CodeStarSourceConnection"),
			GitConfiguration: &awscodepipeline.CfnPipeline_GitConfigurationProperty{
				SourceActionName: str(src.Action),
				Push: &[]any{&awscodepipeline.CfnPipeline_GitPushFilterProperty{
					Branches: &awscodepipeline.CfnPipeline_GitBranchFilterCriteriaProperty{Includes: strs([]string{src.Branch})},
				}},
			},
		}}
	}
	pl := awscodepipeline.NewCfnPipeline(b.st, id(pb.p, "Pipeline"), props)
	if spec.Source.Repository != "" {
		b.codeCommitTrigger(pb)
	}
	b.pipelineNotifications(pb, pl)
	return nil
}

// pipelineKey is the retained, rotated key of the artifacts and the topic.
// The target accounts' deploy and CloudFormation roles may decrypt the
// artifacts, CodeStar Notifications may publish to the encrypted topic.
func (b *builder) pipelineKey(pb *pipelineBuild) awskms.CfnKey {
	statements := []map[string]any{
		{
			"Sid": "AccountAdministers", "Effect": "Allow",
			"Principal": map[string]any{"AWS": b.globalARN("iam", b.spec.AccountID, "root")},
			"Action":    "kms:*", "Resource": "*",
		},
		{
			"Sid": "NotificationsPublish", "Effect": "Allow",
			"Principal": map[string]any{"Service": "codestar-notifications.amazonaws.com"},
			"Action":    []string{"kms:GenerateDataKey*", "kms:Decrypt"}, "Resource": "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"kms:ViaService": "sns." + b.spec.Region + ".amazonaws.com"}},
		},
	}
	if len(pb.spec.ArtifactReaders) > 0 {
		statements = append(statements, b.rolesStatement("TargetsDecrypt", pb.spec.ArtifactReaders,
			[]string{"kms:Decrypt", "kms:DescribeKey"}, "*"))
	}
	if bk := pb.spec.Bake; bk != nil {
		// The recipe's build instances decrypt the release S3 serves them.
		st := b.rolesStatement("BuildInstancesDecryptRelease", []stacks.RoleRef{bk.ReleaseReader}, []string{"kms:Decrypt"}, "*")
		st["Condition"].(map[string]any)["StringEquals"] = map[string]any{"kms:ViaService": "s3." + b.spec.Region + ".amazonaws.com"}
		statements = append(statements, st)
	}
	key := awskms.NewCfnKey(b.st, id(pb.p, "ArtifactKey"), &awskms.CfnKeyProps{
		Description:       str("Artifacts and notifications of pipeline " + pb.spec.Name),
		EnableKeyRotation: true,
		KeyPolicy:         policy(statements...),
	})
	key.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	awskms.NewCfnAlias(b.st, id(pb.p, "ArtifactKeyAlias"), &awskms.CfnAliasProps{
		AliasName: str(pb.spec.KeyAlias), TargetKeyId: b.ref(key),
	})
	return key
}

// rolesStatement allows actions to roles of other accounts, named
// exactly: their accounts are the principals, the roles the condition, so
// the statement holds before the roles exist.
func (b *builder) rolesStatement(sid string, roles []stacks.RoleRef, actions []string, resource any) map[string]any {
	var accounts, arns []any
	var seen []string
	for _, r := range roles {
		if !slices.Contains(seen, r.AccountID) {
			seen = append(seen, r.AccountID)
			accounts = append(accounts, b.globalARN("iam", r.AccountID, "root"))
		}
		arns = append(arns, b.globalARN("iam", r.AccountID, "role/"+r.Name))
	}
	return map[string]any{
		"Sid": sid, "Effect": "Allow", "Principal": map[string]any{"AWS": accounts},
		"Action": actions, "Resource": resource,
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": arns}},
	}
}

// roleARNs returns the ARNs of roles.
func (b *builder) roleARNs(roles []stacks.RoleRef) []any {
	var out []any
	for _, r := range roles {
		out = append(out, b.globalARN("iam", r.AccountID, "role/"+r.Name))
	}
	return out
}

// pipelineRole is the role the pipeline runs as, named so that the target
// accounts' deploy roles trust it: the artifacts, its sources, its
// projects, the approvals' topic, and the deploy roles.
func (b *builder) pipelineRole(pb *pipelineBuild) awsiam.CfnRole {
	spec := pb.spec
	statements := []map[string]any{
		statement("Allow", []string{"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"}, pb.objects),
		statement("Allow", []string{"s3:GetBucketVersioning", "s3:GetBucketLocation"}, pb.bucket.AttrArn()),
		statement("Allow", []string{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}, pb.key.AttrArn()),
	}
	var repos, connections []any
	for _, src := range []*stacks.PipelineSourceSpec{&spec.Source, spec.Estate} {
		switch {
		case src == nil:
		case src.Repository != "":
			repos = append(repos, b.arn("codecommit", src.Repository))
		case src.ConnectionParam != "":
			connections = append(connections, b.param(src.ConnectionParam))
		}
	}
	if len(repos) > 0 {
		statements = append(statements, statement("Allow", []string{
			"codecommit:CancelUploadArchive", "codecommit:GetBranch", "codecommit:GetCommit", "codecommit:GetRepository",
			"codecommit:GetUploadArchiveStatus", "codecommit:UploadArchive",
		}, repos...))
	}
	if len(connections) > 0 {
		statements = append(statements, statement("Allow", []string{"codeconnections:UseConnection", "codestar-connections:UseConnection"}, connections...))
	}
	projects := []any{b.arn("codebuild", "project/"+spec.Build.ProjectName)}
	if spec.Bake != nil {
		projects = append(projects, b.arn("codebuild", "project/"+spec.Bake.ProjectName))
	}
	statements = append(statements,
		statement("Allow", []string{"codebuild:BatchGetBuilds", "codebuild:StartBuild"}, projects...),
		statement("Allow", []string{"sns:Publish"}, pb.topic),
		statement("Allow", []string{"sts:AssumeRole"}, b.roleARNs(spec.DeployRoles)...),
	)
	role := awsiam.NewCfnRole(b.st, id(pb.p, "PipelineRole"), &awsiam.CfnRoleProps{
		RoleName:                 str(spec.RoleName),
		Description:              str("Pipeline " + spec.Name + "; the deploy roles of its targets trust it"),
		AssumeRolePolicyDocument: serviceTrust("codepipeline.amazonaws.com", b.spec.AccountID),
		Policies:                 &[]any{&awsiam.CfnRole_PolicyProperty{PolicyName: str("run-pipeline"), PolicyDocument: policy(statements...)}},
	})
	acknowledge(role, "IAM5", artifactObjectsReason)
	return role
}

// sourceStage reads the application and, when set, this repository.
func (b *builder) sourceStage(pb *pipelineBuild) *awscodepipeline.CfnPipeline_StageDeclarationProperty {
	var actions []any
	for _, src := range []*stacks.PipelineSourceSpec{&pb.spec.Source, pb.spec.Estate} {
		if src == nil {
			continue
		}
		a := &awscodepipeline.CfnPipeline_ActionDeclarationProperty{
			Name:            str(src.Action),
			OutputArtifacts: &[]any{&awscodepipeline.CfnPipeline_OutputArtifactProperty{Name: str(src.Action)}},
			RunOrder:        num(1),
		}
		if src.Repository != "" {
			a.ActionTypeId = actionType("Source", "CodeCommit")
			// Pushes start the pipeline through an EventBridge rule, not
			// polling; the estate source is read, never a trigger.
			a.Configuration = map[string]any{
				"RepositoryName": src.Repository, "BranchName": src.Branch,
				"PollForSourceChanges": "false", "OutputArtifactFormat": "CODE_ZIP",
			}
		} else {
			a.ActionTypeId = actionType("Source", "CodeStarSourceConnection")
			// The pipeline's trigger starts it for the application's
			// pushes; no source detects changes by itself.
			a.Configuration = map[string]any{
				"ConnectionArn": b.param(src.ConnectionParam), "FullRepositoryId": src.Project, "BranchName": src.Branch,
				"OutputArtifactFormat": "CODE_ZIP", "DetectChanges": "false",
			}
		}
		actions = append(actions, a)
	}
	return &awscodepipeline.CfnPipeline_StageDeclarationProperty{Name: str("Source"), Actions: &actions}
}

func actionType(category, provider string) *awscodepipeline.CfnPipeline_ActionTypeIdProperty {
	return &awscodepipeline.CfnPipeline_ActionTypeIdProperty{Category: str(category), Owner: str("AWS"), Provider: str(provider), Version: str("1")}
}

func sourceArtifact(src stacks.PipelineSourceSpec) string { return src.Action }

// codeBuildAction runs a project on an input artifact, with an output
// artifact when output is set.
func codeBuildAction(name string, project *string, input, output string) *awscodepipeline.CfnPipeline_ActionDeclarationProperty {
	a := &awscodepipeline.CfnPipeline_ActionDeclarationProperty{
		Name:           str(name),
		ActionTypeId:   actionType("Build", "CodeBuild"),
		Configuration:  map[string]any{"ProjectName": project},
		InputArtifacts: &[]any{&awscodepipeline.CfnPipeline_InputArtifactProperty{Name: str(input)}},
		RunOrder:       num(1),
	}
	if output != "" {
		a.OutputArtifacts = &[]any{&awscodepipeline.CfnPipeline_OutputArtifactProperty{Name: str(output)}}
	}
	return a
}

// bakeAction runs the bake project on the estate (its primary source) and
// the build's output (CODEBUILD_SRC_DIR_<build>), which it publishes.
func bakeAction(project *string, estate, build string) *awscodepipeline.CfnPipeline_ActionDeclarationProperty {
	a := codeBuildAction("Bake", project, estate, "")
	a.Configuration = map[string]any{"ProjectName": project, "PrimarySource": estate}
	a.InputArtifacts = &[]any{
		&awscodepipeline.CfnPipeline_InputArtifactProperty{Name: str(estate)},
		&awscodepipeline.CfnPipeline_InputArtifactProperty{Name: str(build)},
	}
	return a
}

// projectRole is a CodeBuild project's role: its log group, the
// artifacts, the key, and what more the project needs.
func (b *builder) projectRole(pb *pipelineBuild, logicalID, name, description string, logGroup awslogs.CfnLogGroup, write bool, more ...map[string]any) awsiam.CfnRole {
	s3 := []string{"s3:GetObject", "s3:GetObjectVersion"}
	kms := []string{"kms:Decrypt", "kms:DescribeKey"}
	if write {
		s3 = append(s3, "s3:PutObject")
		kms = append(kms, "kms:Encrypt", "kms:GenerateDataKey")
	}
	statements := append([]map[string]any{
		statement("Allow", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, logGroup.AttrArn()),
		statement("Allow", s3, pb.objects),
		statement("Allow", kms, pb.key.AttrArn()),
	}, more...)
	props := &awsiam.CfnRoleProps{
		Description:              str(description),
		AssumeRolePolicyDocument: serviceTrust("codebuild.amazonaws.com", b.spec.AccountID),
		Policies:                 &[]any{&awsiam.CfnRole_PolicyProperty{PolicyName: str("build"), PolicyDocument: policy(statements...)}},
	}
	if name != "" {
		props.RoleName = str(name)
	}
	role := awsiam.NewCfnRole(b.st, str(logicalID), props)
	acknowledge(role, "IAM5", artifactObjectsReason+" The bake stage also reads the recipe's images (image/<recipe>/*, one per build version) and writes its release under releases/<recipe>/ only; SSM checks an AMI id with ec2:DescribeImages, which has no resource-level permissions.")
	return role
}

// artifactObjectsReason is why the pipeline's roles name the artifact
// objects with a wildcard.
const artifactObjectsReason = "CodePipeline names the artifact objects per execution, so the roles may use the objects of this pipeline's own bucket (bucket/*), encrypted with its own key, and no other bucket."

// projectLogGroup is a CodeBuild project's log group, kept a year.
func (b *builder) projectLogGroup(logicalID, project string) awslogs.CfnLogGroup {
	return awslogs.NewCfnLogGroup(b.st, str(logicalID), &awslogs.CfnLogGroupProps{
		LogGroupName: str("/aws/codebuild/" + project), RetentionInDays: num(stacks.DefaultLogRetentionDays),
	})
}

// buildProject is the build stage: the application's buildspec (or, for
// ECS targets, the generated one that builds and pushes the image) in the
// declared image and size. Its role has no way into any other account.
func (b *builder) buildProject(pb *pipelineBuild) awscodebuild.CfnProject {
	spec := pb.spec.Build
	logs := b.projectLogGroup(pb.p+"BuildLogs", spec.ProjectName)
	var more []map[string]any
	var env []any
	if pb.ecr != nil {
		more = append(more,
			statement("Allow", []string{"ecr:GetAuthorizationToken"}, "*"),
			statement("Allow", []string{
				"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:GetDownloadUrlForLayer",
				"ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
			}, pb.ecr.AttrArn()))
		env = append(env, &awscodebuild.CfnProject_EnvironmentVariableProperty{Name: str("REPOSITORY_URI"), Value: pb.ecr.AttrRepositoryUri()})
	}
	role := b.projectRole(pb, pb.p+"BuildRole", "", "Build stage of pipeline "+pb.spec.Name, logs, true, more...)
	buildspec := spec.Buildspec
	if spec.InlineBuildspec != "" {
		buildspec = spec.InlineBuildspec
	}
	environment := &awscodebuild.CfnProject_EnvironmentProperty{
		Type: str(containerType(spec.Image)), ComputeType: str(spec.ComputeType), Image: str(spec.Image),
		ImagePullCredentialsType: str("CODEBUILD"),
		PrivilegedMode:           spec.Privileged,
	}
	if len(env) > 0 {
		environment.EnvironmentVariables = &env
	}
	return b.project(pb, pb.p+"BuildProject", spec.ProjectName, "Build stage of pipeline "+pb.spec.Name, buildspec, environment, role, logs, 60)
}

// bakeProject runs gitops bake from the estate source: its role may start
// the image pipelines of the recipe and the recipes built on it, read their
// images, write their parameters in this account, and assume the deploy
// roles of the other distribution accounts to write them there.
func (b *builder) bakeProject(pb *pipelineBuild) awscodebuild.CfnProject {
	spec := pb.spec.Bake
	logs := b.projectLogGroup(pb.p+"BakeLogs", spec.ProjectName)
	var pipelines, images, params []any
	for _, r := range spec.Recipes {
		pipelines = append(pipelines, b.arnIn("imagebuilder", r.Region, "image-pipeline/"+r.PipelineName))
		images = append(images, b.arnIn("imagebuilder", r.Region, "image/"+strings.ToLower(r.Name)+"/*"))
		for _, region := range r.ParameterRegions {
			params = append(params, b.arnIn("ssm", region, "parameter"+r.Parameter))
		}
	}
	more := []map[string]any{
		statement("Allow", []string{"imagebuilder:StartImagePipelineExecution"}, pipelines...),
		statement("Allow", []string{"imagebuilder:GetImage"}, images...),
		// SSM checks an aws:ec2:image value with the writer's rights.
		statement("Allow", []string{"ec2:DescribeImages"}, "*"),
	}
	if len(params) > 0 {
		more = append(more, statement("Allow", []string{"ssm:GetParameter", "ssm:LabelParameterVersion", "ssm:PutParameter"}, params...))
	}
	if len(spec.DeployRoles) > 0 {
		more = append(more, statement("Allow", []string{"sts:AssumeRole"}, b.roleARNs(spec.DeployRoles)...))
	}
	// It publishes the build's output for the recipe's build instances,
	// encrypted with the bucket's key, and writes no other artifact.
	more = append(more,
		statement("Allow", []string{"s3:PutObject"}, awscdk.Fn_Join(str(""), &[]*string{pb.bucket.AttrArn(), str("/" + path.Dir(spec.ReleaseKey) + "/*")})),
		statement("Allow", []string{"kms:GenerateDataKey"}, pb.key.AttrArn()))
	role := b.projectRole(pb, pb.p+"BakeRole", spec.RoleName, "Bake stage of pipeline "+pb.spec.Name+": gitops bake "+spec.Recipe, logs, false, more...)
	environment := &awscodebuild.CfnProject_EnvironmentProperty{
		Type: str(containerType(spec.Image)), ComputeType: str(stacks.DefaultComputeType), Image: str(spec.Image),
		ImagePullCredentialsType: str("CODEBUILD"),
	}
	// An image build with its tests takes up to two hours (gitops bake's
	// own limit) per recipe of the cascade.
	return b.project(pb, pb.p+"BakeProject", spec.ProjectName, "Bake stage of pipeline "+pb.spec.Name+": gitops bake "+spec.Recipe, spec.Buildspec, environment, role, logs, 480)
}

// project is a CodeBuild project of the pipeline: its source and
// artifacts are the pipeline's, encrypted with its key.
func (b *builder) project(pb *pipelineBuild, logicalID, name, description, buildspec string, env *awscodebuild.CfnProject_EnvironmentProperty, role awsiam.CfnRole, logs awslogs.CfnLogGroup, timeout int) awscodebuild.CfnProject {
	return awscodebuild.NewCfnProject(b.st, str(logicalID), &awscodebuild.CfnProjectProps{
		Name:             str(name),
		Description:      str(description),
		Source:           &awscodebuild.CfnProject_SourceProperty{Type: str("CODEPIPELINE"), BuildSpec: str(buildspec)},
		Artifacts:        &awscodebuild.CfnProject_ArtifactsProperty{Type: str("CODEPIPELINE")},
		Environment:      env,
		ServiceRole:      role.AttrArn(),
		EncryptionKey:    pb.key.AttrArn(),
		TimeoutInMinutes: num(timeout),
		LogsConfig: &awscodebuild.CfnProject_LogsConfigProperty{
			CloudWatchLogs: &awscodebuild.CfnProject_CloudWatchLogsConfigProperty{Status: str("ENABLED"), GroupName: b.ref(logs)},
		},
	})
}

// containerType is the CodeBuild environment type of an image.
func containerType(image string) string {
	if strings.Contains(image, "aarch64") || strings.Contains(image, "arm64") {
		return "ARM_CONTAINER"
	}
	return "LINUX_CONTAINER"
}

// targetStage deploys one target through its account's deploy role.
func (b *builder) targetStage(pb *pipelineBuild, t stacks.TargetStage) *awscodepipeline.CfnPipeline_StageDeclarationProperty {
	deployRole := b.globalARN("iam", t.AccountID, "role/"+t.DeployRole)
	place := fmt.Sprintf("stack %s in account %s (%s, %s)", t.Stack, t.Account, t.AccountID, t.Region)
	var actions []any
	approve := func(name, question string) {
		actions = append(actions, &awscodepipeline.CfnPipeline_ActionDeclarationProperty{
			Name:          str(name),
			ActionTypeId:  actionType("Approval", "Manual"),
			Configuration: map[string]any{"NotificationArn": pb.topic, "CustomData": question},
			RunOrder:      num(len(actions) + 1),
		})
	}
	if t.ECS != nil {
		if t.BeforeChangeSet || t.BeforeExecute {
			approve("Approve", fmt.Sprintf("Deploy the new image to ECS service %s/%s in account %s (%s, %s)?", t.ECS.Cluster, t.ECS.Service, t.Account, t.AccountID, t.Region))
		}
		actions = append(actions, &awscodepipeline.CfnPipeline_ActionDeclarationProperty{
			Name:           str("Deploy"),
			ActionTypeId:   actionType("Deploy", "ECS"),
			Configuration:  map[string]any{"ClusterName": t.ECS.Cluster, "ServiceName": t.ECS.Service, "FileName": t.ECS.ImageDefinitions},
			InputArtifacts: &[]any{&awscodepipeline.CfnPipeline_InputArtifactProperty{Name: str(pb.spec.Build.Output)}},
			RoleArn:        deployRole,
			RunOrder:       num(len(actions) + 1),
		})
		return &awscodepipeline.CfnPipeline_StageDeclarationProperty{Name: str(t.Stage), Actions: &actions}
	}
	changeSet := "gitops-" + pb.spec.Name
	if t.BeforeChangeSet {
		approve("ApproveChangeSet", "Create the change set of "+place+"?")
	}
	overrides := []string{}
	for _, o := range t.Overrides {
		overrides = append(overrides, fmt.Sprintf("%q:\"${%s}\"", o.Name, o.Name))
	}
	slices.Sort(overrides)
	actions = append(actions, &awscodepipeline.CfnPipeline_ActionDeclarationProperty{
		Name:         str("CreateChangeSet"),
		ActionTypeId: actionType("Deploy", "CloudFormation"),
		Configuration: map[string]any{
			"ActionMode":    "CHANGE_SET_REPLACE",
			"StackName":     t.Stack,
			"ChangeSetName": changeSet,
			"TemplatePath":  t.TemplatePath,
			"Capabilities":  "CAPABILITY_IAM",
			// cfn-lint wants Fn::Sub here, not the Fn::Join of globalARN.
			"RoleArn":            awscdk.Fn_Sub(str("arn:${AWS::Partition}:iam::"+t.AccountID+":role/"+t.ExecutionRole), nil),
			"ParameterOverrides": awscdk.Fn_Sub(str("{"+strings.Join(overrides, ",")+"}"), nil),
		},
		InputArtifacts: &[]any{&awscodepipeline.CfnPipeline_InputArtifactProperty{Name: str(pb.spec.Estate.Action)}},
		RoleArn:        deployRole,
		RunOrder:       num(len(actions) + 1),
	})
	if t.BeforeExecute {
		approve("ApproveExecute", "Review change set "+changeSet+" of "+place+", then approve to execute it.")
	}
	actions = append(actions, &awscodepipeline.CfnPipeline_ActionDeclarationProperty{
		Name:         str("ExecuteChangeSet"),
		ActionTypeId: actionType("Deploy", "CloudFormation"),
		Configuration: map[string]any{
			"ActionMode": "CHANGE_SET_EXECUTE", "StackName": t.Stack, "ChangeSetName": changeSet,
		},
		RoleArn:  deployRole,
		RunOrder: num(len(actions) + 1),
	})
	return &awscodepipeline.CfnPipeline_StageDeclarationProperty{Name: str(t.Stage), Actions: &actions}
}

// codeCommitTrigger starts the pipeline when the source branch of its
// CodeCommit repository changes.
func (b *builder) codeCommitTrigger(pb *pipelineBuild) {
	src := pb.spec.Source
	role := awsiam.NewCfnRole(b.st, id(pb.p, "TriggerRole"), &awsiam.CfnRoleProps{
		Description:              str("EventBridge starts pipeline " + pb.spec.Name),
		AssumeRolePolicyDocument: serviceTrust("events.amazonaws.com", b.spec.AccountID),
		Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName:     str("start-pipeline"),
			PolicyDocument: policy(statement("Allow", []string{"codepipeline:StartPipelineExecution"}, pb.arn)),
		}},
	})
	awsevents.NewCfnRule(b.st, id(pb.p, "Trigger"), &awsevents.CfnRuleProps{
		Description: str("Starts pipeline " + pb.spec.Name + " on pushes to " + src.Branch + " of " + src.Repository),
		EventPattern: map[string]any{
			"source":      []string{"aws.codecommit"},
			"detail-type": []string{"CodeCommit Repository State Change"},
			"resources":   []any{b.arn("codecommit", src.Repository)},
			"detail": map[string]any{
				"event":         []string{"referenceCreated", "referenceUpdated"},
				"referenceType": []string{"branch"},
				"referenceName": []string{src.Branch},
			},
		},
		Targets: &[]any{&awsevents.CfnRule_TargetProperty{Id: str("pipeline"), Arn: pb.arn, RoleArn: role.AttrArn()}},
	})
}

// pipelineRepository is where the build pushes the images of ECS targets:
// immutable tags, scanned, pulled by the target accounts.
func (b *builder) pipelineRepository(pb *pipelineBuild) awsecr.CfnRepository {
	props := &awsecr.CfnRepositoryProps{
		RepositoryName:             str(pb.spec.ECR.Repository),
		ImageTagMutability:         str("IMMUTABLE"),
		ImageScanningConfiguration: &awsecr.CfnRepository_ImageScanningConfigurationProperty{ScanOnPush: true},
		EncryptionConfiguration:    &awsecr.CfnRepository_EncryptionConfigurationProperty{EncryptionType: str("AES256")},
		LifecyclePolicy:            &awsecr.CfnRepository_LifecyclePolicyProperty{LifecyclePolicyText: str(ecrLifecyclePolicy)},
	}
	if ids := pb.spec.ECR.PullAccountIDs; len(ids) > 0 {
		var accounts []any
		for _, a := range ids {
			accounts = append(accounts, b.globalARN("iam", a, "root"))
		}
		props.RepositoryPolicyText = policy(map[string]any{
			"Sid": "TargetAccountsPull", "Effect": "Allow", "Principal": map[string]any{"AWS": accounts},
			"Action": []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
		})
	}
	repo := awsecr.NewCfnRepository(b.st, id(pb.p, "Repository"), props)
	repo.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	return repo
}

// arnIn builds an ARN of this account in another region.
func (b *builder) arnIn(service, region, resource string) *string {
	return b.partitionARN(service + ":" + region + ":" + b.spec.AccountID + ":" + resource)
}
