package validate

import (
	"fmt"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
)

// The limits AWS enforces when the estate is deployed: CloudFormation's
// per-stack limits (checked on the planned stacks), IAM name lengths and
// the service quotas the estate can hit. Service quotas have defaults an
// account may have raised; the account declares those under quotas: and
// validate trusts them.
//
// Quota pages:
//   - VPC: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
//   - Transit Gateway: https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-quotas.html
//   - CloudFormation: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
//   - IAM: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
//   - AWS RAM: https://docs.aws.amazon.com/ram/latest/userguide/service-quotas.html
//   - Route 53: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DNSLimitations.html
const (
	// VPCs per Region (L-F678F1CE), adjustable.
	defaultVPCsPerRegion = 5
	// Routes per route table (L-93826ACB), adjustable up to 1,000.
	defaultRoutesPerRouteTable = 50
	// Interface VPC endpoints per VPC (L-29B6F2EB), adjustable.
	defaultInterfaceEndpointsPerVPC = 50
	// Attachments per transit gateway (L-E0233F82), adjustable.
	defaultAttachmentsPerTransitGateway = 5000
	// Routes (static and propagated) per transit gateway, adjustable.
	defaultRoutesPerTransitGateway = 10000
	// Route tables per transit gateway, adjustable.
	defaultRouteTablesPerTransitGateway = 20
	// Transit gateway attachments per VPC: 5, not adjustable.
	maxAttachmentsPerVPC = 5
	// EC2-VPC Elastic IPs per region (L-0263D0A3), adjustable: each NAT
	// gateway holds one.
	defaultElasticIPsPerRegion = 5
	// NAT gateways per Availability Zone (L-FE5A380F), adjustable; not
	// declarable here: the Elastic IPs run out first at the defaults.
	// Inbound rules per security group (L-0EA8095F), adjustable (with
	// security groups per network interface, at most 1,000 rules).
	defaultInboundRulesPerSecurityGroup = 60
	// Transit gateways per account (per region), adjustable.
	defaultTransitGatewaysPerRegion = 5
	// AWS RAM principal associations per resource share (one share per
	// gateway; an organization or OU counts one), and across the shares
	// of an account in a region.
	defaultRAMPrincipalsPerShare  = 5000
	defaultRAMPrincipalsPerRegion = 25000
	// AWS RAM pending invitations per sharing account: the accounts a
	// share names outside an organization are invited at once. Not
	// declarable: the page does not say it can be raised. (Resource shares
	// per Region, 25,000, is out of reach: one share per gateway.)
	maxRAMPendingInvitations = 20
	// Route 53: VPCs associated with one private hosted zone, adjustable.
	// (Cross-account association authorizations per zone are out of
	// reach: apply deletes each once the VPC is associated.)
	defaultVPCsPerPrivateHostedZone = 300
	// IAM user and role names: 64 characters, not adjustable.
	maxIAMName = 64
)

func quotaOr(raised, def int) int {
	if raised > 0 {
		return raised
	}
	return def
}

// checkNameLengths checks the names compile derives from estate names and
// AWS limits in length: IAM users and roles.
func (c *checker) checkNameLengths() {
	long := func(doc *estate.Doc, what, name, kind, derived string) {
		if len(derived) > maxIAMName {
			c.report(diag.Errorf(doc.Pos("name"), "limit-name-length", "%s %s names the IAM %s %s, %d characters; IAM allows %d",
				what, name, kind, derived, len(derived), maxIAMName).
				WithHint("shorten the name to at most %d characters", len(name)-(len(derived)-maxIAMName)))
		}
	}
	for _, m := range c.e.Mirrors {
		if m.CodeCommit != nil {
			long(&m.Doc, "mirror", m.Name, "user", stacks.MirrorUserName(m.Name))
		}
	}
	for _, r := range c.e.ImageRecipes {
		long(&r.Doc, "image recipe", r.Name, "role", stacks.RecipeInstanceRoleName(r.Name))
	}
	for _, p := range c.e.Pipelines {
		long(&p.Doc, "pipeline", p.Name, "role", stacks.PipelineRoleName(p.Name))
	}
}

// checkQuotas checks the service quotas that depend on the declarations
// only: VPCs per region, subnets and interface endpoints per VPC,
// attachments and routes per transit gateway. (Subnets per VPC: the
// subnet-count rule of network.go.)
func (c *checker) checkQuotas() {
	vpcs := map[string]int{}
	for _, n := range c.e.Networks {
		a := c.ix.Accounts[n.Account]
		if a == nil {
			continue
		}
		q := a.Quota(n.Region)
		for i := range n.VPCs {
			v := &n.VPCs[i]
			at := fmt.Sprintf("vpcs[%d]", i)
			key := n.Account + "/" + n.Region
			vpcs[key]++
			if limit := quotaOr(q.VPCsPerRegion, defaultVPCsPerRegion); vpcs[key] == limit+1 {
				c.report(diag.Errorf(n.Pos(at+".name"), "quota-vpcs-per-region", "VPC %s is the %d. VPC of account %s in %s; the quota is %d",
					v.Name, vpcs[key], n.Account, n.Region, limit).
					WithHint("request more VPCs per Region (L-F678F1CE) and declare it in %s under quotas: [{region: %s, vpcsPerRegion: N}]", a.File, n.Region))
			}
			if k := len(v.Endpoints.Interface); k > quotaOr(q.InterfaceEndpointsPerVPC, defaultInterfaceEndpointsPerVPC) {
				c.report(diag.Errorf(n.Pos(at+".endpoints.interface"), "quota-interface-endpoints", "VPC %s has %d interface endpoints; the quota is %d",
					v.Name, k, quotaOr(q.InterfaceEndpointsPerVPC, defaultInterfaceEndpointsPerVPC)).
					WithHint("request more interface endpoints per VPC (L-29B6F2EB) and declare interfaceEndpointsPerVpc under quotas: in %s", a.File))
			}
		}
	}
	c.checkSharing()
	attachments := map[string]int{} // by VPC
	for _, t := range c.e.TransitGateways {
		a := c.ix.Accounts[t.Account]
		if a == nil {
			continue
		}
		q := a.Quota(t.Region)
		if limit := quotaOr(q.AttachmentsPerTransitGateway, defaultAttachmentsPerTransitGateway); len(t.Attachments) > limit {
			c.report(diag.Errorf(t.Pos(fmt.Sprintf("attachments[%d]", limit)), "quota-tgw-attachments", "gateway %s has %d attachments; the quota is %d",
				t.Name, len(t.Attachments), limit).
				WithHint("request more attachments per transit gateway (L-E0233F82) and declare attachmentsPerTransitGateway under quotas: in %s", a.File))
		}
		if limit := quotaOr(q.RouteTablesPerTransitGateway, defaultRouteTablesPerTransitGateway); len(t.RouteTables) > limit {
			c.report(diag.Errorf(t.Pos(fmt.Sprintf("routeTables[%d].name", limit)), "quota-tgw-route-tables", "gateway %s has %d route tables; the quota is %d",
				t.Name, len(t.RouteTables), limit).
				WithHint("let attachments that route alike share a route table, or request more route tables per transit gateway and declare routeTablesPerTransitGateway under quotas: in %s", a.File))
		}
		for k, at := range t.Attachments {
			if attachments[at.VPC]++; at.VPC != "" && attachments[at.VPC] == maxAttachmentsPerVPC+1 {
				c.report(diag.Errorf(t.Pos(fmt.Sprintf("attachments[%d].vpc", k)), "limit-vpc-attachments", "VPC %s is attached to a transit gateway a %d. time; AWS allows %d attachments per VPC",
					at.VPC, attachments[at.VPC], maxAttachmentsPerVPC).
					WithHint("attach the VPC to fewer gateways; this limit cannot be raised"))
			}
		}
		// Each propagation learns the attachment's VPC CIDR into its table.
		routes := 0
		for _, rt := range t.RouteTables {
			routes += len(rt.Routes) + len(rt.Propagations)
		}
		if limit := quotaOr(q.RoutesPerTransitGateway, defaultRoutesPerTransitGateway); routes > limit {
			c.report(diag.Errorf(t.Pos("routeTables"), "quota-tgw-routes", "gateway %s carries %d routes (static and propagated); the quota is %d",
				t.Name, routes, limit).
				WithHint("summarise static routes, spread them over gateways, or request more routes per transit gateway and declare routesPerTransitGateway under quotas: in %s", a.File))
		}
	}
}

// checkPlanLimits plans the stacks as compile will and checks them against
// CloudFormation's limits and the routes per VPC route table. It runs only
// on an estate without errors: the planner assumes a valid one. A planner
// error here is a bug (a check validate lacks), reported rather than lost.
func (c *checker) checkPlanLimits() {
	plan, err := stacks.Build(c.e)
	if err != nil {
		pos := estate.Pos{File: "accounts", Line: 1, Col: 1}
		if len(c.e.Accounts) > 0 {
			pos = c.e.Accounts[0].Pos("name")
		}
		c.report(diag.Errorf(pos, "limit-plan", "compile could not plan this estate: %v", err).
			WithHint("this is a gap in validate; please report it with the estate"))
		return
	}
	c.plan = plan
	for _, s := range plan.Stacks {
		c.stackLimit(s, "limit-stack-resources", "resources", s.Resources(), stacks.MaxResources)
		c.stackLimit(s, "limit-stack-parameters", "parameters", len(s.Parameters), stacks.MaxParameters)
		c.stackLimit(s, "limit-stack-outputs", "outputs", len(s.Outputs), stacks.MaxOutputs)
		if d := s.DeployRole; d != nil {
			if n := stacks.ExecutionPolicies(d, s.AccountID); n > stacks.MaxRolePolicies {
				c.report(diag.Errorf(s.Origin, "limit-role-policies", "the CloudFormation execution role of account %s would need about %d managed policies for its %d stacks; IAM attaches at most %d to a role",
					s.Account, n, len(d.StackNames), stacks.MaxRolePolicies).
					WithHint("each application stack a pipeline deploys here is named in the role's IAM statements: deploy fewer application stacks to this account"))
			}
		}
		if d := s.DeployRole; d != nil && d.Publish != nil {
			if n := stacks.TrustPolicySize(d.Publish.Trusted); n > stacks.MaxTrustPolicy {
				c.report(diag.Errorf(s.Origin, "limit-trust-policy", "role %s of account %s would trust %d roles in a trust policy of %d characters; IAM allows %d",
					d.Publish.Name, s.Account, len(d.Publish.Trusted), n, stacks.MaxTrustPolicy).
					WithHint("the bake stage of every pipeline whose recipe is distributed to this account is trusted: distribute fewer baked recipes here, or bake them in fewer pipelines"))
			}
		}
		if len(s.Name) > stacks.MaxStackName {
			c.report(diag.Errorf(s.Origin, "limit-stack-name", "stack name %s has %d characters; CloudFormation allows %d", s.Name, len(s.Name), stacks.MaxStackName).
				WithHint("shorten the names it is made of"))
		}
	}
	c.checkVPCRouteTables(plan)
	c.checkPrivateZoneVPCs(plan)
	c.checkLoadBalancerRules(plan)
	c.checkElasticIPs(plan)
}

// checkElasticIPs counts the NAT gateways of each account and region, one
// Elastic IP each, against the quota; the finding points at the VPC whose
// NAT gateways cross it.
func (c *checker) checkElasticIPs(plan *stacks.Plan) {
	used := map[string]int{}
	for _, s := range plan.Stacks {
		if s.Network == nil {
			continue
		}
		a := c.ix.Accounts[s.Account]
		if a == nil {
			continue
		}
		key := s.Account + "/" + s.Region
		limit := quotaOr(a.Quota(s.Region).ElasticIPsPerRegion, defaultElasticIPsPerRegion)
		for _, v := range s.Network.VPCs {
			before := used[key]
			for _, n := range v.NATs {
				if !n.Instance {
					used[key]++
				}
			}
			if before <= limit && used[key] > limit {
				if ref, ok := c.ix.VPCs[v.Name]; ok {
					c.report(diag.Errorf(ref.Network.Pos(ref.Path+".egress"), "quota-elastic-ips",
						"the NAT gateways of account %s in %s would need %d Elastic IPs with VPC %s; the quota is %d",
						s.Account, s.Region, used[key], v.Name, limit).
						WithHint("use one NAT gateway per VPC (perAZ: false) or NAT instances, or request more EC2-VPC Elastic IPs (L-0263D0A3) and declare elasticIpsPerRegion under quotas: in %s", a.File))
				}
			}
		}
	}
}

// checkLoadBalancerRules counts the inbound rules of each GitLab load
// balancer's security group: one per allowed CIDR (declared, or a VPC an
// intent lets in) and port (80, and 443 with HTTPS), and one per
// CodeConnections host reaching it.
func (c *checker) checkLoadBalancerRules(plan *stacks.Plan) {
	hosts := map[string]int{}
	for _, s := range plan.Stacks {
		if s.Mirrors != nil {
			for _, h := range s.Mirrors.Hosts {
				hosts[h.GitLab]++
			}
		}
	}
	for _, s := range plan.Stacks {
		if s.GitLab == nil {
			continue
		}
		g, a := c.ix.GitLabs[s.GitLab.Name], c.ix.Accounts[s.Account]
		if g == nil || a == nil {
			continue
		}
		ports := 1
		if s.GitLab.HTTPS != nil {
			ports = 2
		}
		rules := len(s.GitLab.AllowedCIDRs)*ports + hosts[g.Name]
		if limit := quotaOr(a.Quota(s.Region).InboundRulesPerSecurityGroup, defaultInboundRulesPerSecurityGroup); rules > limit {
			c.report(diag.Errorf(g.Pos("alb"), "quota-security-group-rules",
				"GitLab %s's load balancer security group would hold %d inbound rules (%d CIDRs × %d ports, %d CodeConnections hosts); the quota is %d",
				g.Name, rules, len(s.GitLab.AllowedCIDRs), ports, hosts[g.Name], limit).
				WithHint("let fewer, larger CIDRs in (allowedCidrs, or VPCs with adjacent CIDRs in the intents), or request more inbound rules per security group (L-0EA8095F) and declare inboundRulesPerSecurityGroup under quotas: in %s", a.File))
		}
	}
}

func (c *checker) stackLimit(s *stacks.Stack, rule, what string, n, limit int) {
	if n <= limit {
		return
	}
	c.report(diag.Errorf(s.Origin, rule, "stack %s would hold %d %s; CloudFormation allows %d", s.Name, n, what, limit).
		WithHint("%s", splitHint(s)))
}

// splitHint says how to make a stack of each kind smaller.
func splitHint(s *stacks.Stack) string {
	switch s.Kind {
	case stacks.KindNetwork:
		return "give the VPC fewer subnets or endpoints, or let what its attachments reach summarise into fewer routes (adjacent CIDRs)"
	case stacks.KindTGWRouting:
		return "routes are grouped by route table and /16 of their destination: summarise the static routes in this /16"
	}
	return "split the declarations feeding this stack over more documents of their own stacks (accounts, regions, pipelines)"
}

// checkVPCRouteTables counts the routes of every VPC route table — the
// local and default routes, gateway endpoints, and the summarised routes
// towards each transit gateway — against the account's quota.
func (c *checker) checkVPCRouteTables(plan *stacks.Plan) {
	toGateways := map[string]int{} // by VPC name and subnet
	for _, s := range plan.Stacks {
		if s.Network == nil || len(s.Network.VPCs) != 1 {
			continue
		}
		vpc := s.Network.VPCs[0].Name
		// A route table holds one route per destination: a VPC attached to
		// two gateways must not be given the same destination by both.
		via, reported := map[string]string{}, map[string]bool{}
		for _, a := range s.Network.Attachments {
			for _, r := range a.Routes {
				toGateways[vpc+"/"+r.Subnet]++
				key := r.Subnet + " " + r.Destination
				if other, dup := via[key]; dup && other != a.TransitGateway {
					if ref, ok := c.ix.VPCs[vpc]; ok && !reported[r.Destination] {
						reported[r.Destination] = true
						c.report(diag.Errorf(ref.Network.Pos(ref.Path+".name"), "limit-vpc-route-conflict",
							"VPC %s would route %s to both transit gateways %s and %s from subnet %s; a route table holds one route per destination",
							vpc, r.Destination, other, a.TransitGateway, r.Subnet).
							WithHint("let only one of the gateways' route tables reach %s", r.Destination))
					}
					continue
				}
				via[key] = a.TransitGateway
			}
		}
	}
	for _, s := range plan.Stacks {
		if s.Network == nil {
			continue
		}
		for i := range s.Network.VPCs {
			v := &s.Network.VPCs[i]
			ref, ok := c.ix.VPCs[v.Name]
			a := c.ix.Accounts[s.Account]
			if !ok || a == nil {
				continue
			}
			limit := quotaOr(a.Quota(s.Region).RoutesPerRouteTable, defaultRoutesPerRouteTable)
			base := v.RouteTableRoutes()
			for _, sub := range v.Subnets {
				n := base[sub.Name] + toGateways[v.Name+"/"+sub.Name]
				if n <= limit {
					continue
				}
				c.report(diag.Errorf(ref.Network.Pos(ref.Path+".cidr"), "quota-vpc-route-table-routes",
					"the route table of subnet %s of VPC %s would hold %d routes (%d towards transit gateways, after summarising); the quota is %d",
					sub.Name, v.Name, n, toGateways[v.Name+"/"+sub.Name], limit).
					WithHint("give the VPCs this one reaches adjacent CIDRs so they summarise, or request more routes per route table (L-93826ACB) and declare routesPerRouteTable under quotas: in %s", a.File))
				break
			}
		}
	}
}
