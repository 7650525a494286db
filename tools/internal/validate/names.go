package validate

import (
	"fmt"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// seen finds duplicate names of one kind and reports every copy after the first.
type seen struct {
	c     *checker
	what  string
	first map[string]estate.Pos
}

func (c *checker) unique(what string) *seen {
	return &seen{c: c, what: what, first: map[string]estate.Pos{}}
}

// add records name at pos; key is the comparison form (for case-insensitive names).
func (s *seen) add(name, key string, pos estate.Pos) {
	if name == "" {
		return
	}
	if prev, ok := s.first[key]; ok {
		s.c.report(diag.Errorf(pos, "name-unique", "%s %q is declared twice", s.what, name).
			WithHint("first declared at %s:%d:%d; names must be unique", prev.File, prev.Line, prev.Col))
		return
	}
	s.first[key] = pos
}

// checkNames reports duplicate names of every kind, and duplicate account ids
// and emails.
func (c *checker) checkNames() {
	names, ids, emails := c.unique("account"), c.unique("account id"), c.unique("account email")
	for _, a := range c.e.Accounts {
		names.add(a.Name, a.Name, a.Pos("name"))
		ids.add(a.ID, a.ID, a.Pos("id"))
		emails.add(a.Email, strings.ToLower(a.Email), a.Pos("email"))
	}
	vpcs := c.unique("VPC")
	for _, n := range c.e.Networks {
		for i, v := range n.VPCs {
			vpcs.add(v.Name, v.Name, n.Pos(fmt.Sprintf("vpcs[%d].name", i)))
		}
	}
	tgws := c.unique("transit gateway")
	for _, t := range c.e.TransitGateways {
		tgws.add(t.Name, t.Name, t.Pos("name"))
		tables, attachments := c.unique("route table"), c.unique("attachment")
		for i, rt := range t.RouteTables {
			tables.add(rt.Name, rt.Name, t.Pos(fmt.Sprintf("routeTables[%d].name", i)))
		}
		for i, at := range t.Attachments {
			attachments.add(at.Name, at.Name, t.Pos(fmt.Sprintf("attachments[%d].name", i)))
		}
	}
	gitlabs := c.unique("GitLab service")
	for _, g := range c.e.GitLabs {
		gitlabs.add(g.Name, g.Name, g.Pos("name"))
	}
	mirrors := c.unique("mirror")
	for _, m := range c.e.Mirrors {
		mirrors.add(m.Name, m.Name, m.Pos("name"))
	}
	recipes := c.unique("image recipe")
	for _, r := range c.e.ImageRecipes {
		recipes.add(r.Name, r.Name, r.Pos("name"))
	}
	pipelines := c.unique("pipeline")
	for _, p := range c.e.Pipelines {
		pipelines.add(p.Name, p.Name, p.Pos("name"))
	}
}
