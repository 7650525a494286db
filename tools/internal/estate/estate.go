package estate

import (
	"maps"
	"reflect"
	"slices"
	"strings"
)

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

// KindInfo is one document kind: its kind: value, the directory its files
// live under, its Go type, its schema's file name and its list in the
// estate. Load, schema, the index and the checks over every document range
// over Kinds, so adding a kind is one row here (and its type).
type KindInfo struct {
	Kind string
	Dir  string
	// Schema is the schema file's name without .schema.json.
	Schema string
	Type   reflect.Type
	// list returns the kind's documents in an estate; add appends one.
	list func(e *Estate) []any
	add  func(e *Estate, doc any) bool
}

// Kinds lists the document kinds.
var Kinds = []KindInfo{
	kind("Account", "accounts", "account", func(e *Estate) *[]*Account { return &e.Accounts }),
	kind("Network", "environments", "network", func(e *Estate) *[]*Network { return &e.Networks }),
	kind("TransitGateway", "environments", "transit-gateway", func(e *Estate) *[]*TransitGateway { return &e.TransitGateways }),
	kind("GitLab", "environments", "gitlab", func(e *Estate) *[]*GitLab { return &e.GitLabs }),
	kind("Mirror", "environments", "mirror", func(e *Estate) *[]*Mirror { return &e.Mirrors }),
	kind("Pipeline", "environments", "pipeline", func(e *Estate) *[]*Pipeline { return &e.Pipelines }),
	kind("ImageRecipe", "imagerecipes", "image-recipe", func(e *Estate) *[]*ImageRecipe { return &e.ImageRecipes }),
}

func kind[T any](name, dir, schema string, list func(e *Estate) *[]*T) KindInfo {
	return KindInfo{
		Kind: name, Dir: dir, Schema: schema, Type: reflect.TypeFor[T](),
		list: func(e *Estate) []any {
			var out []any
			for _, d := range *list(e) {
				out = append(out, d)
			}
			return out
		},
		add: func(e *Estate, doc any) bool {
			d, ok := doc.(*T)
			if ok {
				*list(e) = append(*list(e), d)
			}
			return ok
		},
	}
}

// LookupKind returns the kind named name.
func LookupKind(name string) (KindInfo, bool) {
	for _, k := range Kinds {
		if k.Kind == name {
			return k, true
		}
	}
	return KindInfo{}, false
}

// KindNames lists the kinds' names in table order.
func KindNames() []string {
	names := make([]string, 0, len(Kinds))
	for _, k := range Kinds {
		names = append(names, k.Kind)
	}
	return names
}

// Add puts a decoded document (a pointer to a kind's type, or a
// *Component) into the estate's list of its kind.
func (e *Estate) Add(doc any) {
	if c, ok := doc.(*Component); ok {
		if e.Components == nil {
			e.Components = map[string]*Component{}
		}
		e.Components[strings.TrimPrefix(c.File, "imagerecipes/")] = c
		return
	}
	for _, k := range Kinds {
		if k.add(e, doc) {
			return
		}
	}
}

// Documents returns every document of the estate, kind by kind in table
// order, then the components by path.
func (e *Estate) Documents() []any {
	var out []any
	for _, k := range Kinds {
		out = append(out, k.list(e)...)
	}
	for _, p := range slices.Sorted(maps.Keys(e.Components)) {
		out = append(out, e.Components[p])
	}
	return out
}
