package estate

// Estate is everything the repository declares, loaded from its YAML files.
type Estate struct {
	// Root is the repository directory the estate was loaded from.
	Root string
	// Files are the YAML files read, relative to Root, sorted.
	Files           []string
	Accounts        []*Account
	Networks        []*Network
	TransitGateways []*TransitGateway
	GitLabs         []*GitLab
	Mirrors         []*Mirror
	ImageRecipes    []*ImageRecipe
	Pipelines       []*Pipeline
	// Components are the AWSTOE documents under imagerecipes/components/,
	// keyed by path relative to imagerecipes/ (components/x.yaml).
	Components map[string]*Component
}

// Kinds lists the document kinds and where their files live.
var Kinds = []struct {
	Kind string
	Dir  string
}{
	{"Account", "accounts"},
	{"Network", "environments"},
	{"TransitGateway", "environments"},
	{"GitLab", "environments"},
	{"Mirror", "environments"},
	{"Pipeline", "environments"},
	{"ImageRecipe", "imagerecipes"},
}
