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
			WithRelated(prev, "first declared here").
			WithHint("names must be unique"))
		return
	}
	s.first[key] = pos
}

// logicalIDs finds distinct names that become the same CloudFormation
// logical id (app-1 and app1 are both App1), which compile could not tell
// apart.
type logicalIDs struct {
	c     *checker
	what  string
	first map[string]string
}

func (c *checker) logicalIDs(what string) *logicalIDs {
	return &logicalIDs{c: c, what: what, first: map[string]string{}}
}

func (l *logicalIDs) add(name string, pos estate.Pos) {
	if name == "" {
		return
	}
	id := estate.Pascal(name)
	prev, ok := l.first[id]
	switch {
	case !ok:
		l.first[id] = name
	case prev != name:
		l.c.report(diag.Errorf(pos, "name-logical-id", "%s names %q and %q both become CloudFormation id %s", l.what, prev, name, id).
			WithHint("rename one so they differ in more than dashes"))
	}
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
	vpcs, vpcIDs := c.unique("VPC"), c.logicalIDs("VPC")
	for _, n := range c.e.Networks {
		for i, v := range n.VPCs {
			pos := n.Pos(fmt.Sprintf("vpcs[%d].name", i))
			vpcs.add(v.Name, v.Name, pos)
			vpcIDs.add(v.Name, pos)
		}
	}
	tgws, tgwIDs := c.unique("transit gateway"), c.logicalIDs("transit gateway")
	for _, t := range c.e.TransitGateways {
		tgws.add(t.Name, t.Name, t.Pos("name"))
		tgwIDs.add(t.Name, t.Pos("name"))
		tables, attachments := c.unique("route table"), c.unique("attachment")
		tableIDs, attachmentIDs := c.logicalIDs("route table"), c.logicalIDs("attachment")
		for i, rt := range t.RouteTables {
			pos := t.Pos(fmt.Sprintf("routeTables[%d].name", i))
			tables.add(rt.Name, rt.Name, pos)
			tableIDs.add(rt.Name, pos)
		}
		for i, at := range t.Attachments {
			pos := t.Pos(fmt.Sprintf("attachments[%d].name", i))
			attachments.add(at.Name, at.Name, pos)
			attachmentIDs.add(at.Name, pos)
		}
	}
	gitlabs, gitlabIDs := c.unique("GitLab service"), c.logicalIDs("GitLab service")
	for _, g := range c.e.GitLabs {
		gitlabs.add(g.Name, g.Name, g.Pos("name"))
		gitlabIDs.add(g.Name, g.Pos("name"))
	}
	mirrors, mirrorIDs := c.unique("mirror"), c.logicalIDs("mirror")
	for _, m := range c.e.Mirrors {
		mirrors.add(m.Name, m.Name, m.Pos("name"))
		mirrorIDs.add(m.Name, m.Pos("name"))
	}
	recipes, recipeIDs := c.unique("image recipe"), c.logicalIDs("image recipe")
	for _, r := range c.e.ImageRecipes {
		recipes.add(r.Name, r.Name, r.Pos("name"))
		recipeIDs.add(r.Name, r.Pos("name"))
	}
	pipelines, pipelineIDs := c.unique("pipeline"), c.logicalIDs("pipeline")
	for _, p := range c.e.Pipelines {
		pipelines.add(p.Name, p.Name, p.Pos("name"))
		pipelineIDs.add(p.Name, p.Pos("name"))
	}
}
