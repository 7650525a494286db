package estate

// VPCRef locates a VPC inside its Network document.
type VPCRef struct {
	Network *Network
	VPC     *VPC
	// Path is the VPC's path in its document, e.g. vpcs[1].
	Path string
}

// Index looks documents up by name. On duplicate names the first document
// (in file order) wins; validation reports the others.
type Index struct {
	Accounts        map[string]*Account
	VPCs            map[string]VPCRef
	TransitGateways map[string]*TransitGateway
	GitLabs         map[string]*GitLab
	Mirrors         map[string]*Mirror
	ImageRecipes    map[string]*ImageRecipe
	Pipelines       map[string]*Pipeline
}

// NewIndex builds the lookups of e.
func NewIndex(e *Estate) *Index {
	ix := &Index{
		Accounts:        map[string]*Account{},
		VPCs:            map[string]VPCRef{},
		TransitGateways: map[string]*TransitGateway{},
		GitLabs:         map[string]*GitLab{},
		Mirrors:         map[string]*Mirror{},
		ImageRecipes:    map[string]*ImageRecipe{},
		Pipelines:       map[string]*Pipeline{},
	}
	for _, a := range e.Accounts {
		putFirst(ix.Accounts, a.Name, a)
	}
	for _, n := range e.Networks {
		for i := range n.VPCs {
			putFirst(ix.VPCs, n.VPCs[i].Name, VPCRef{Network: n, VPC: &n.VPCs[i], Path: ItemPath("vpcs", i)})
		}
	}
	for _, t := range e.TransitGateways {
		putFirst(ix.TransitGateways, t.Name, t)
	}
	for _, g := range e.GitLabs {
		putFirst(ix.GitLabs, g.Name, g)
	}
	for _, m := range e.Mirrors {
		putFirst(ix.Mirrors, m.Name, m)
	}
	for _, r := range e.ImageRecipes {
		putFirst(ix.ImageRecipes, r.Name, r)
	}
	for _, p := range e.Pipelines {
		putFirst(ix.Pipelines, p.Name, p)
	}
	return ix
}

func putFirst[V any](m map[string]V, name string, v V) {
	if _, ok := m[name]; !ok && name != "" {
		m[name] = v
	}
}
