package estate

// Pipeline is a rollout pipeline (kind: Pipeline): source from a mirror, build,
// bake an AMI, then change sets into each target in order, with approvals.
type Pipeline struct {
	Doc `yaml:"-"`
	// Always Pipeline.
	Kind string `yaml:"kind" jsonschema:"enum=Pipeline"`
	// Unique across the estate.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// The account the pipeline runs in (the tooling account).
	Account string `yaml:"account"`
	// The region the pipeline runs in.
	Region string `yaml:"region"`
	// The mirror the pipeline starts from.
	Source PipelineSource `yaml:"source"`
	// The mirror and branch of this gitops repository. The bake
	// stage runs `gitops bake` from it, and the Auto Scaling targets' change
	// sets read their templates from its generated/ (compile puts them
	// there), so a pipeline with bake or autoScaling targets needs it.
	Estate *PipelineSource `yaml:"estate,omitempty"`
	// The CodeBuild stage.
	Build PipelineBuild `yaml:"build"`
	// Builds the AMI with an image recipe (optional: ECS targets need none).
	Bake *PipelineBake `yaml:"bake,omitempty"`
	// The deployments, in order.
	Targets []PipelineTarget `yaml:"targets" jsonschema:"minItems=1"`
	// The notifications tell people when an approval waits and when a run ends.
	Notifications Notifications `yaml:"notifications"`
	// The stateful resources this document's change may
	// replace or remove, as TYPE/LOGICAL-ID (what gitops diff prints, e.g.
	// AWS::EFS::FileSystem/GitlabFileSystem); diff and apply refuse any
	// other. Remove the entries once the change is applied.
	AllowReplace []string `yaml:"allowReplace,omitempty" jsonschema:"uniqueItems=true"`
}

// PipelineSource is a mirror and branch.
type PipelineSource struct {
	// The name of the mirror.
	Mirror string `yaml:"mirror"`
	// The branch that triggers the pipeline; one of the mirror's branches.
	Branch string `yaml:"branch"`
}

// PipelineBuild is the CodeBuild build stage.
type PipelineBuild struct {
	// The CodeBuild image, e.g. aws/codebuild/amazonlinux-x86_64-standard:5.0.
	Image string `yaml:"image"`
	// The buildspec's path in the application repository (default buildspec.yml).
	// When the pipeline bakes, its artifacts: are the release the recipe's components install.
	Buildspec string `yaml:"buildspec,omitempty"`
	// The compute type of the build (default BUILD_GENERAL1_SMALL).
	ComputeType string `yaml:"computeType,omitempty" jsonschema:"enum=BUILD_GENERAL1_SMALL,enum=BUILD_GENERAL1_MEDIUM,enum=BUILD_GENERAL1_LARGE,enum=BUILD_GENERAL1_XLARGE,enum=BUILD_GENERAL1_2XLARGE"`
}

// PipelineBake bakes an AMI with an image recipe.
type PipelineBake struct {
	// The name of the image recipe.
	Recipe string `yaml:"recipe"`
	// The CodeBuild image the bake stage runs gitops in: the build image of
	// .ci/build-image (Go and node, nothing downloaded at job time), mirrored
	// where the pipeline's account pulls from. Without it the stage runs in
	// CodeBuild's standard image and Go downloads go.mod's toolchain, which
	// an offline network cannot.
	Image string `yaml:"image,omitempty"`
}

// PipelineTarget is one deployment: a stack in an account and region. Give
// exactly one of autoScaling and ecs.
type PipelineTarget struct {
	// The name of the stage, e.g. dev.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,30}$"`
	// The account deployed to, through its deploy role.
	Account string `yaml:"account"`
	// The region deployed to.
	Region string `yaml:"region"`
	// The CloudFormation stack name.
	Stack string `yaml:"stack" jsonschema:"pattern=^[A-Za-z][A-Za-z0-9-]{0,127}$"`
	// The approval gates of this target.
	Approval Approval `yaml:"approval,omitempty"`
	// Deploys the baked AMI to an Auto Scaling group, rolling.
	AutoScaling *AutoScalingTarget `yaml:"autoScaling,omitempty"`
	// Deploys the built image to an ECS service.
	ECS *ECSTarget `yaml:"ecs,omitempty"`
}

// Approval gates a target with manual approvals.
type Approval struct {
	// Asks for approval before the change set is created.
	BeforeChangeSet bool `yaml:"beforeChangeSet,omitempty"`
	// Asks for approval after reviewing the change set, before
	// it executes; required in production accounts.
	BeforeExecute bool `yaml:"beforeExecute,omitempty"`
}

// AutoScalingTarget is an Auto Scaling group behind a target group, updated
// one instance at a time when the AMI changes.
type AutoScalingTarget struct {
	// The name of the application's VPC.
	VPC string `yaml:"vpc"`
	// The private subnet tier of the instances.
	Subnets string `yaml:"subnets"`
	// The instance type of the instances.
	InstanceType string `yaml:"instanceType"`
	// The group's minimum number of instances.
	MinSize int `yaml:"minSize" jsonschema:"minimum=0"`
	// The group's maximum number of instances.
	MaxSize int `yaml:"maxSize" jsonschema:"minimum=1"`
	// How many instances the group runs (default minSize).
	DesiredCapacity int `yaml:"desiredCapacity,omitempty"`
	// Instances kept in service during a rolling update (default: the desired
	// capacity when it is below maxSize, so a new instance starts before an
	// old one stops; else desired capacity - 1).
	MinInstancesInService int `yaml:"minInstancesInService,omitempty"`
	// Instances replaced at once in a rolling update (default 1: one at a time).
	MaxBatchSize int `yaml:"maxBatchSize,omitempty" jsonschema:"minimum=1"`
	// How long to wait for each batch's signals, ISO 8601 (default PT15M).
	PauseTime string `yaml:"pauseTime,omitempty" jsonschema:"pattern=^PT([0-9]+H)?([0-9]+M)?([0-9]+S)?$"`
	// The port the application listens on.
	Port int `yaml:"port" jsonschema:"minimum=1,maximum=65535"`
	// The health check path of the target group (default /).
	HealthCheckPath string `yaml:"healthCheckPath,omitempty"`
}

// ECSTarget is an ECS service that receives the built container image.
type ECSTarget struct {
	// The cluster name.
	Cluster string `yaml:"cluster"`
	// The service name.
	Service string `yaml:"service"`
	// The container whose image is replaced.
	Container string `yaml:"container"`
}

// Notifications of a pipeline. At least one of chat and sns.
type Notifications struct {
	// Posts to a chat webhook (Slack, Teams, Chime).
	Chat *ChatNotification `yaml:"chat,omitempty"`
	// Publishes to a topic (email subscribers, other tools).
	SNS *SNSNotification `yaml:"sns,omitempty"`
}

// ChatNotification posts to a chat webhook whose URL is a secret.
type ChatNotification struct {
	// The kind of chat: slack, teams or chime.
	Kind string `yaml:"kind" jsonschema:"enum=slack,enum=teams,enum=chime"`
	// The Secrets Manager secret holding the webhook URL
	// (the URL is a credential and never goes in YAML).
	WebhookSecret string `yaml:"webhookSecret"`
}

// SNSNotification publishes to an SNS topic.
type SNSNotification struct {
	// The emails subscribed to the topic.
	Emails []string `yaml:"emails,omitempty"`
}
