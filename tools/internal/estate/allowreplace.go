package estate

import "strconv"

// AllowReplaceEntry is one allowReplace: entry of a document.
type AllowReplaceEntry struct {
	// Key is the entry as written: TYPE/LOGICAL-ID.
	Key string
	Pos Pos
}

// AllowReplace lists every document's allowReplace: entries, in file order.
func (e *Estate) AllowReplace() []AllowReplaceEntry {
	var out []AllowReplaceEntry
	add := func(d *Doc, keys []string) {
		for i, k := range keys {
			out = append(out, AllowReplaceEntry{Key: k, Pos: d.Pos("allowReplace[" + strconv.Itoa(i) + "]")})
		}
	}
	for _, a := range e.Accounts {
		add(&a.Doc, a.AllowReplace)
	}
	for _, n := range e.Networks {
		add(&n.Doc, n.AllowReplace)
	}
	for _, t := range e.TransitGateways {
		add(&t.Doc, t.AllowReplace)
	}
	for _, g := range e.GitLabs {
		add(&g.Doc, g.AllowReplace)
	}
	for _, m := range e.Mirrors {
		add(&m.Doc, m.AllowReplace)
	}
	for _, r := range e.ImageRecipes {
		add(&r.Doc, r.AllowReplace)
	}
	for _, p := range e.Pipelines {
		add(&p.Doc, p.AllowReplace)
	}
	return out
}
