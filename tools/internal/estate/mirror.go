package estate

// Mirror brings a GitLab project into AWS for CodePipeline (kind: Mirror):
// a push mirror into a CodeCommit repository, or a CodeConnections connection
// to the self-managed GitLab. Give exactly one of codeCommit and codeConnections.
type Mirror struct {
	Doc `yaml:"-"`
	// Always Mirror.
	Kind string `yaml:"kind" jsonschema:"enum=Mirror"`
	// Unique across the estate; pipelines refer to it.
	Name string `yaml:"name" jsonschema:"pattern=^[a-z][a-z0-9-]{0,62}$"`
	// The name of the GitLab service holding the project.
	GitLab string `yaml:"gitlab"`
	// The GitLab project path, e.g. platform/webapp.
	Project string `yaml:"project" jsonschema:"pattern=^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$"`
	// The branches that are mirrored. Each must be protected in GitLab: the push
	// mirror carries protected branches only, and gitops mirrors sync fails
	// for a declared branch that is not.
	Branches []string `yaml:"branches" jsonschema:"minItems=1"`
	// The account the mirror target lives in (normally the tooling account).
	Account string `yaml:"account"`
	// The region of the mirror target.
	Region string `yaml:"region"`
	// Pushes the project into a CodeCommit repository.
	CodeCommit *CodeCommitTarget `yaml:"codeCommit,omitempty"`
	// Connects CodePipeline to GitLab through a host.
	CodeConnections *CodeConnectionsTarget `yaml:"codeConnections,omitempty"`
	// The stateful resources this document's change may
	// replace or remove, as TYPE/LOGICAL-ID (what gitops diff prints, e.g.
	// AWS::EFS::FileSystem/GitlabFileSystem); diff and apply refuse any
	// other. Remove the entries once the change is applied.
	AllowReplace []string `yaml:"allowReplace,omitempty" jsonschema:"uniqueItems=true"`
}

// CodeCommitTarget is a CodeCommit repository receiving GitLab's push mirror.
type CodeCommitTarget struct {
	// The repository name in CodeCommit.
	Repository string `yaml:"repository" jsonschema:"pattern=^[A-Za-z0-9_.-]{1,100}$"`
}

// CodeConnectionsTarget is a CodeConnections host and connection for the
// self-managed GitLab (needs HTTPS at the ALB).
type CodeConnectionsTarget struct {
	// The connection's name (unique per account and region).
	Connection string `yaml:"connection" jsonschema:"pattern=^[A-Za-z0-9_.-]{1,32}$"`
}
