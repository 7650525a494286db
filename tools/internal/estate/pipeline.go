package estate

// Pipeline is a rollout pipeline (kind: Pipeline): source from a mirror, build,
// bake an AMI, then change sets into each target in order, with approvals.
type Pipeline struct {
	Doc `yaml:"-"`
	// Kind is always Pipeline.
	Kind string `yaml:"kind" jsonschema:"enum=Pipeline"`
	// Name is unique across the estate.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// Account the pipeline runs in (the tooling account).
	Account string `yaml:"account"`
	// Region the pipeline runs in.
	Region string `yaml:"region"`
	// Source is the mirror the pipeline starts from.
	Source PipelineSource `yaml:"source"`
	// Estate is the mirror and branch of this gitops repository. The bake
	// stage runs `gitops bake` from it, and the Auto Scaling targets' change
	// sets read their templates from its generated/ (compile puts them
	// there), so a pipeline with bake or autoScaling targets needs it.
	Estate *PipelineSource `yaml:"estate,omitempty"`
	// Build is the CodeBuild stage.
	Build PipelineBuild `yaml:"build"`
	// Bake builds the AMI with an image recipe (optional: ECS targets need none).
	Bake *PipelineBake `yaml:"bake,omitempty"`
	// Targets are deployed in order.
	Targets []PipelineTarget `yaml:"targets" jsonschema:"minItems=1"`
	// Notifications tell people when an approval waits and when a run ends.
	Notifications Notifications `yaml:"notifications"`
	// AllowReplace names the stateful resources this document's change may
	// replace or remove, as TYPE/LOGICAL-ID (what gitops diff prints, e.g.
	// AWS::EFS::FileSystem/GitlabFileSystem); diff and apply refuse any
	// other. Remove the entries once the change is applied.
	AllowReplace []string `yaml:"allowReplace,omitempty" jsonschema:"uniqueItems=true"`
}

// PipelineSource is a mirror and branch.
type PipelineSource struct {
	// Mirror is the name of the mirror.
	Mirror string `yaml:"mirror"`
	// Branch that triggers the pipeline; one of the mirror's branches.
	Branch string `yaml:"branch"`
}

// PipelineBuild is the CodeBuild build stage.
type PipelineBuild struct {
	// Image is the CodeBuild image, e.g. aws/codebuild/amazonlinux-x86_64-standard:5.0.
	Image string `yaml:"image"`
	// Buildspec is the buildspec's path in the application repository (default buildspec.yml).
	// When the pipeline bakes, its artifacts: are the release the recipe's components install.
	Buildspec string `yaml:"buildspec,omitempty"`
	// ComputeType of the build (default BUILD_GENERAL1_SMALL).
	ComputeType string `yaml:"computeType,omitempty" jsonschema:"enum=BUILD_GENERAL1_SMALL,enum=BUILD_GENERAL1_MEDIUM,enum=BUILD_GENERAL1_LARGE,enum=BUILD_GENERAL1_XLARGE,enum=BUILD_GENERAL1_2XLARGE"`
}

// PipelineBake bakes an AMI with an image recipe.
type PipelineBake struct {
	// Recipe is the name of the image recipe.
	Recipe string `yaml:"recipe"`
}

// PipelineTarget is one deployment: a stack in an account and region. Give
// exactly one of autoScaling and ecs.
type PipelineTarget struct {
	// Name of the stage, e.g. dev.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,30}$"`
	// Account deployed to, through its deploy role.
	Account string `yaml:"account"`
	// Region deployed to.
	Region string `yaml:"region"`
	// Stack is the CloudFormation stack name.
	Stack string `yaml:"stack" jsonschema:"pattern=^[A-Za-z][A-Za-z0-9-]{0,127}$"`
	// Approval gates of this target.
	Approval Approval `yaml:"approval,omitempty"`
	// AutoScaling deploys the baked AMI to an Auto Scaling group, rolling.
	AutoScaling *AutoScalingTarget `yaml:"autoScaling,omitempty"`
	// ECS deploys the built image to an ECS service.
	ECS *ECSTarget `yaml:"ecs,omitempty"`
}

// Approval gates a target with manual approvals.
type Approval struct {
	// BeforeChangeSet asks for approval before the change set is created.
	BeforeChangeSet bool `yaml:"beforeChangeSet,omitempty"`
	// BeforeExecute asks for approval after reviewing the change set, before
	// it executes; required in production accounts.
	BeforeExecute bool `yaml:"beforeExecute,omitempty"`
}

// AutoScalingTarget is an Auto Scaling group behind a target group, updated
// one instance at a time when the AMI changes.
type AutoScalingTarget struct {
	// VPC is the name of the application's VPC.
	VPC string `yaml:"vpc"`
	// Subnets is the private subnet tier of the instances.
	Subnets string `yaml:"subnets"`
	// InstanceType of the instances.
	InstanceType string `yaml:"instanceType"`
	// MinSize of the group.
	MinSize int `yaml:"minSize" jsonschema:"minimum=0"`
	// MaxSize of the group.
	MaxSize int `yaml:"maxSize" jsonschema:"minimum=1"`
	// DesiredCapacity of the group (default minSize).
	DesiredCapacity int `yaml:"desiredCapacity,omitempty"`
	// MinInstancesInService during a rolling update (default: the desired
	// capacity when it is below maxSize, so a new instance starts before an
	// old one stops; else desired capacity - 1).
	MinInstancesInService int `yaml:"minInstancesInService,omitempty"`
	// MaxBatchSize of a rolling update (default 1: one instance at a time).
	MaxBatchSize int `yaml:"maxBatchSize,omitempty" jsonschema:"minimum=1"`
	// PauseTime waits for each batch's signals, ISO 8601 (default PT15M).
	PauseTime string `yaml:"pauseTime,omitempty" jsonschema:"pattern=^PT([0-9]+H)?([0-9]+M)?([0-9]+S)?$"`
	// Port the application listens on.
	Port int `yaml:"port" jsonschema:"minimum=1,maximum=65535"`
	// HealthCheckPath of the target group (default /).
	HealthCheckPath string `yaml:"healthCheckPath,omitempty"`
}

// ECSTarget is an ECS service that receives the built container image.
type ECSTarget struct {
	// Cluster name.
	Cluster string `yaml:"cluster"`
	// Service name.
	Service string `yaml:"service"`
	// Container whose image is replaced.
	Container string `yaml:"container"`
}

// Notifications of a pipeline. At least one of chat and sns.
type Notifications struct {
	// Chat posts to a chat webhook (Slack, Teams, Chime).
	Chat *ChatNotification `yaml:"chat,omitempty"`
	// SNS publishes to a topic (email subscribers, other tools).
	SNS *SNSNotification `yaml:"sns,omitempty"`
}

// ChatNotification posts to a chat webhook whose URL is a secret.
type ChatNotification struct {
	// Kind of chat: slack, teams or chime.
	Kind string `yaml:"kind" jsonschema:"enum=slack,enum=teams,enum=chime"`
	// WebhookSecret is the Secrets Manager secret holding the webhook URL
	// (the URL is a credential and never goes in YAML).
	WebhookSecret string `yaml:"webhookSecret"`
}

// SNSNotification publishes to an SNS topic.
type SNSNotification struct {
	// Emails subscribed to the topic.
	Emails []string `yaml:"emails,omitempty"`
}
