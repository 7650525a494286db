package estate

// Account is an AWS account of the estate (kind: Account), one file per
// account under accounts/.
type Account struct {
	Doc `yaml:"-"`
	// Kind is always Account.
	Kind string `yaml:"kind" jsonschema:"enum=Account"`
	// Name is how every other document refers to this account.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// ID is the 12-digit AWS account id, quoted so YAML keeps it a string.
	ID string `yaml:"id" jsonschema:"pattern=^[0-9]{12}$"`
	// Email is the account's root email address; unique across the estate.
	Email string `yaml:"email" jsonschema:"format=email"`
	// Role is tooling (hosts GitLab, the Transit Gateway hub and pipelines) or
	// workload (receives deployments).
	Role string `yaml:"role" jsonschema:"enum=tooling,enum=workload"`
	// Production accounts require a manual approval before every change-set execution.
	Production bool `yaml:"production,omitempty"`
	// Regions the estate may deploy to in this account.
	Regions []string `yaml:"regions" jsonschema:"minItems=1"`
	// DeployRoleName is the IAM role the pipelines assume in this account
	// (default gitops-deploy).
	DeployRoleName string `yaml:"deployRoleName,omitempty" jsonschema:"pattern=^[A-Za-z0-9+=,.@_-]{1,64}$"`
	// Tags are applied to every resource deployed into the account.
	Tags map[string]string `yaml:"tags,omitempty"`
	// AllowReplace names the stateful resources this document's change may
	// replace or remove, as TYPE/LOGICAL-ID (what gitops diff prints, e.g.
	// AWS::EFS::FileSystem/GitlabFileSystem); diff and apply refuse any
	// other. Remove the entries once the change is applied.
	AllowReplace []string `yaml:"allowReplace,omitempty" jsonschema:"uniqueItems=true"`
}

// DefaultDeployRoleName is the deploy role's name when an account sets none.
const DefaultDeployRoleName = "gitops-deploy"

// DeployRole returns the name of the role pipelines assume in the account.
func (a *Account) DeployRole() string {
	if a.DeployRoleName == "" {
		return DefaultDeployRoleName
	}
	return a.DeployRoleName
}
