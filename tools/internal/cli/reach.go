package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/reach"
)

func init() {
	register(&Command{
		Name:    "reach",
		Args:    "FROM TO",
		NArgs:   2,
		Summary: "explain whether FROM reaches TO and back, hop by hop, from the YAML alone",
		Doc: `FROM and TO name a VPC, a VPC's subnet (vpc/subnet), an intent group, or (TO only) a
GitLab service (its load balancer) or a VPC's interface endpoints (vpc/endpoints). Each hop
says what decided it and where, like a traceroute over the YAML.`,
		Group: groupEstate,
		Exits: []Exit{
			{ExitOK, "every pair makes the round trip"},
			{ExitFindings, "a pair does not"},
		},
		Setup: func(fs *flag.FlagSet) Run {
			root := rootFlag(fs)
			port := fs.Int("port", 0, "TCP `port` (default: any port)")
			format := fs.String("format", "text", "output `format`: text or json")
			return func(c *Call) int { return runReach(c, root, port, format) }
		},
	})
}

// runReach explains whether FROM reaches TO and back, like a traceroute
// over the YAML: each hop, what decided it and where.
func runReach(c *Call, root *string, port *int, format *string) int {
	names, stdout, stderr := c.Args, c.Stdout, c.Stderr
	if *format != "text" && *format != "json" {
		return c.Usagef("unknown format %q (want text or json)", *format)
	}
	if *port < 0 || *port > 65535 {
		return c.Usagef("--port %d is not a TCP port", *port)
	}
	if err := checkRoot(*root); err != nil {
		return c.Usagef("%v", err)
	}
	e, diags, err := load.LoadEstate(*root)
	if err != nil {
		fmt.Fprintf(stderr, "gitops reach: %v\n", err)
		return ExitUsage
	}
	if diags.HasErrors() {
		diag.Write(stderr, "text", report(*root, e, diags))
		fmt.Fprintln(stderr, "gitops reach: fix the estate's load errors first")
		return ExitUsage
	}
	m := reach.Build(e, estate.NewIndex(e))
	from, err := endpoints(m, names[0], false)
	if err != nil {
		fmt.Fprintf(stderr, "gitops reach: FROM: %v\n", err)
		return ExitUsage
	}
	to, err := endpoints(m, names[1], true)
	if err != nil {
		fmt.Fprintf(stderr, "gitops reach: TO: %v\n", err)
		return ExitUsage
	}
	var answers []reachAnswer
	for _, f := range from {
		for _, t := range to {
			if f.VPC == t.VPC && t.Guard == nil {
				continue
			}
			answers = append(answers, answer(m, f, t, *port))
		}
	}
	if len(answers) == 0 {
		fmt.Fprintln(stderr, "gitops reach: FROM and TO are the same VPC; nothing crosses the gateway")
		return ExitUsage
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(answers); err != nil {
			fmt.Fprintf(stderr, "gitops reach: writing the answer: %v\n", err)
			return ExitUsage
		}
	} else {
		for i, a := range answers {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			a.writeText(stdout)
		}
	}
	for _, a := range answers {
		if !a.Reachable {
			return ExitFindings
		}
	}
	return ExitOK
}

// endpoints resolves a name: vpc/subnet, a GitLab service (as TO), an
// intent group of any gateway, or a VPC.
func endpoints(m *reach.Model, name string, to bool) ([]reach.Endpoint, error) {
	if vpc, sub, ok := strings.Cut(name, "/"); ok {
		v := m.VPCs[vpc]
		if v == nil {
			return nil, unknown("VPC", vpc, slices.Collect(maps.Keys(m.VPCs)))
		}
		if sub == "endpoints" && to {
			ep, ok := m.EndpointsEndpoint(v)
			if !ok {
				return nil, fmt.Errorf("VPC %s has no interface endpoints", vpc)
			}
			return []reach.Endpoint{ep}, nil
		}
		if !v.CIDR.IsValid() {
			return nil, badCIDR(v)
		}
		var names []string
		for _, s := range v.Subnets {
			if s.Name == sub {
				return []reach.Endpoint{{Name: name, VPC: v, Subnets: []*reach.Subnet{s}}}, nil
			}
			names = append(names, s.Name)
		}
		return nil, unknown("subnet of "+vpc, sub, names)
	}
	if g := m.Ix.GitLabs[name]; to && g != nil {
		if v := m.VPCs[g.Network.VPC]; v != nil && !v.CIDR.IsValid() {
			return nil, badCIDR(v)
		}
		ep, ok := m.GitLabEndpoint(g)
		if !ok {
			return nil, fmt.Errorf("GitLab %s has no load balancer subnets to reach", name)
		}
		return []reach.Endpoint{ep}, nil
	}
	for _, h := range m.Hubs {
		if g := h.T.Group(name); g != nil {
			var out []reach.Endpoint
			for _, ref := range estate.GroupVPCs(m.E, m.Ix, h.T, g) {
				if v := m.VPCs[ref.VPC.Name]; v != nil {
					out = append(out, reach.VPCEndpoint(v))
				}
			}
			if len(out) == 0 {
				return nil, fmt.Errorf("group %s holds no VPC", name)
			}
			return out, nil
		}
	}
	if v := m.VPCs[name]; v != nil {
		if !v.CIDR.IsValid() {
			return nil, badCIDR(v)
		}
		ep := reach.VPCEndpoint(v)
		if len(ep.Subnets) == 0 {
			return nil, fmt.Errorf("VPC %s has no public or private subnet; name one as %s/<subnet>", name, name)
		}
		return []reach.Endpoint{ep}, nil
	}
	known := slices.Collect(maps.Keys(m.VPCs))
	for _, h := range m.Hubs {
		for _, g := range h.T.Intents.Groups {
			known = append(known, g.Name)
		}
	}
	if to {
		known = append(known, slices.Collect(maps.Keys(m.Ix.GitLabs))...)
	}
	what := "VPC or group"
	if to {
		what = "VPC, group or GitLab"
	}
	return nil, unknown(what, name, known)
}

// badCIDR names what stops the walk in a VPC whose block does not parse:
// it has no subnets to start from or deliver to.
func badCIDR(v *reach.VPC) error {
	return fmt.Errorf("VPC %s's CIDR %q is not a valid IPv4 prefix; run 'gitops validate' for its position", v.Name, v.Ref.VPC.CIDR)
}

func unknown(what, name string, known []string) error {
	slices.Sort(known)
	if h := diag.DidYouMean(name, known); h != "" {
		return fmt.Errorf("no %s %q; %s", what, name, h)
	}
	return fmt.Errorf("no %s %q (known: %s)", what, name, strings.Join(known, ", "))
}

// reachAnswer is one pair's answer, as printed.
type reachAnswer struct {
	From      string      `json:"from"`
	To        string      `json:"to"`
	Port      int         `json:"port,omitempty"`
	Reachable bool        `json:"reachable"`
	Hops      []reachHop  `json:"hops"`
	Failure   *reachFault `json:"failure,omitempty"`
}

type reachHop struct {
	Pos    string `json:"pos"`
	Text   string `json:"text"`
	Return bool   `json:"return,omitempty"`
}

type reachFault struct {
	Pos  string `json:"pos"`
	Why  string `json:"why"`
	Hint string `json:"hint,omitempty"`
}

func answer(m *reach.Model, from, to reach.Endpoint, port int) reachAnswer {
	a := reachAnswer{From: from.Name, To: to.Name, Port: port}
	if len(from.Subnets) == 0 {
		a.Failure = &reachFault{Why: fmt.Sprintf("VPC %s has no public or private subnet", from.Name)}
		return a
	}
	p := m.RoundTrip(from, to, port)
	a.Reachable = p.OK()
	for _, h := range p.Hops {
		a.Hops = append(a.Hops, reachHop{Pos: posText(h.Pos), Text: h.Text, Return: h.Return})
	}
	if p.Fail != nil {
		a.Failure = &reachFault{Pos: posText(p.Fail.Pos), Why: p.Fail.Why, Hint: p.Fail.Hint}
	}
	return a
}

func posText(p estate.Pos) string {
	if p.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

func (a reachAnswer) writeText(w io.Writer) {
	on := "any port"
	if a.Port != 0 {
		on = fmt.Sprintf("tcp/%d", a.Port)
	}
	verdict := "reachable, and the reply comes back"
	if !a.Reachable {
		verdict = "NOT reachable"
		if len(a.Hops) > 0 && a.Hops[len(a.Hops)-1].Return {
			verdict = "NOT reachable: the request arrives, the reply has no way back"
		}
	}
	fmt.Fprintf(w, "%s → %s on %s: %s\n", a.From, a.To, on, verdict)
	width := 0
	for _, h := range a.Hops {
		width = max(width, len(h.Pos))
	}
	if a.Failure != nil {
		width = max(width, len(a.Failure.Pos))
	}
	replied := false
	for i, h := range a.Hops {
		if h.Return && !replied {
			fmt.Fprintln(w, "   reply:")
			replied = true
		}
		fmt.Fprintf(w, "%4d  %-*s  %s\n", i+1, width, h.Pos, h.Text)
	}
	if f := a.Failure; f != nil {
		fmt.Fprintf(w, "   ✗  %-*s  %s\n", width, f.Pos, f.Why)
		if f.Hint != "" {
			fmt.Fprintf(w, "      = hint: %s\n", f.Hint)
		}
	}
}
