package estate

// ImageRecipe is an EC2 ImageBuilder recipe (kind: ImageRecipe), one file per
// recipe under imagerecipes/. Recipes can build on each other: a golden base
// image first, application images on top.
type ImageRecipe struct {
	Doc `yaml:"-"`
	// Always ImageRecipe.
	Kind string `yaml:"kind" jsonschema:"enum=ImageRecipe"`
	// Unique across the estate.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// The description of the image.
	Description string `yaml:"description,omitempty"`
	// The account that builds the image (normally the tooling account).
	Account string `yaml:"account"`
	// The region the image is built in.
	Region string `yaml:"region"`
	// The version of the recipe (major.minor.patch); ImageBuilder versions are immutable.
	Version string `yaml:"version" jsonschema:"pattern=^[0-9]+\\.[0-9]+\\.[0-9]+$"`
	// The image the recipe starts from.
	Parent RecipeParent `yaml:"parent"`
	// The components run in order to build the image.
	Components []ComponentRef `yaml:"components" jsonschema:"minItems=1"`
	// The tests run on the built image.
	Tests []ComponentRef `yaml:"tests,omitempty"`
	// The instance types the build may use.
	InstanceTypes []string `yaml:"instanceTypes" jsonschema:"minItems=1"`
	// The root volume size in GiB (default: the parent's).
	RootVolumeSize int `yaml:"rootVolumeSize,omitempty" jsonschema:"minimum=8,maximum=16384"`
	// Where the build instances run: a VPC and its private subnet tier.
	Network RecipeNetwork `yaml:"network"`
	// Lists where the AMI is copied and shared.
	Distribution []DistributionTarget `yaml:"distribution" jsonschema:"minItems=1"`
	// Receives the new AMI id, e.g. /gitops/ami/golden-base.
	SSMParameter string `yaml:"ssmParameter"`
	// Rebuilds the image periodically.
	Schedule *RecipeSchedule `yaml:"schedule,omitempty"`
	// The stateful resources this document's change may
	// replace or remove, as TYPE/LOGICAL-ID (what gitops diff prints, e.g.
	// AWS::EFS::FileSystem/GitlabFileSystem); diff and apply refuse any
	// other. Remove the entries once the change is applied.
	AllowReplace []string `yaml:"allowReplace,omitempty" jsonschema:"uniqueItems=true"`
}

// RecipeParent is an AMI id, an SSM parameter holding one, or another recipe.
// Give exactly one.
type RecipeParent struct {
	// The AMI id, e.g. ami-0123456789abcdef0.
	AMI string `yaml:"ami,omitempty" jsonschema:"pattern=^ami-([0-9a-f]{8}|[0-9a-f]{17})$"`
	// The SSM parameter holding the AMI id, e.g. an AWS public parameter.
	SSMParameter string `yaml:"ssmParameter,omitempty"`
	// Another recipe of the estate (the golden-image cascade).
	Recipe string `yaml:"recipe,omitempty"`
}

// ComponentRef is an AWS-managed component (by ARN or name and version) or an
// AWSTOE document in imagerecipes/components/. Give exactly one of arn,
// managed and file.
type ComponentRef struct {
	// The ARN of a component.
	ARN string `yaml:"arn,omitempty" jsonschema:"pattern=^arn:aws[a-z-]*:imagebuilder:"`
	// The name of an Amazon-managed component, e.g. update-linux.
	Managed string `yaml:"managed,omitempty"`
	// The version of the managed component, e.g. 1.0.x (default x.x.x).
	Version string `yaml:"version,omitempty"`
	// An AWSTOE document, relative to imagerecipes/.
	File string `yaml:"file,omitempty"`
	// The parameters passed to the component (values only, never secrets: read
	// those from SSM or Secrets Manager in the component). The value
	// gitops:release becomes the s3:// URL of the tar.gz of the build the
	// pipeline baking the recipe publishes before each bake.
	Parameters map[string]string `yaml:"parameters,omitempty"`
}

// ReleaseValue is the component parameter value that compile replaces with
// the s3:// URL of the release the pipeline baking the recipe publishes.
const ReleaseValue = "gitops:release"

// RecipeNetwork is where build instances run.
type RecipeNetwork struct {
	// The name of the build VPC.
	VPC string `yaml:"vpc"`
	// The subnet tier (private) of the build instances.
	Subnets string `yaml:"subnets"`
}

// DistributionTarget is an account and region that receives the AMI.
type DistributionTarget struct {
	// The account name.
	Account string `yaml:"account"`
	// The region name.
	Region string `yaml:"region"`
}

// RecipeSchedule rebuilds the image on a schedule.
type RecipeSchedule struct {
	// An ImageBuilder cron expression, e.g. cron(0 3 ? * sun *).
	Cron string `yaml:"cron" jsonschema:"pattern=^cron\\(.+\\)$"`
	// Skips the build when neither parent nor components changed.
	OnlyWhenUpdated bool `yaml:"onlyWhenUpdated,omitempty"`
}
