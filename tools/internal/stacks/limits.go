package stacks

// CloudFormation's hard limits on one stack
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
// Validate refuses an estate whose plan exceeds them; compile checks the
// synthesized templates against them once more.
const (
	MaxResources  = 500
	MaxParameters = 200
	MaxOutputs    = 200
	// MaxTemplateBytes is the largest template CloudFormation takes from
	// S3 (1 MB); apply uploads templates above MaxInlineTemplateBytes.
	MaxTemplateBytes       = 1 << 20
	MaxInlineTemplateBytes = 51200
	// MaxStackName is the longest stack name.
	MaxStackName = 128
)

// Resources returns how many resources the stack's template will hold: the
// exact count for the network and transit gateway kinds, whose size grows
// with the estate, and an upper bound for the others, whose constructs add
// a fixed handful of resources per declared item. The synth's tests check
// both against real templates.
func (s *Stack) Resources() int {
	switch {
	case s.Network != nil:
		n := 0
		for i := range s.Network.VPCs {
			n += s.Network.VPCs[i].Resources()
		}
		for _, a := range s.Network.Attachments {
			n += 1 + len(a.Routes) // the attachment and its VPC routes
		}
		return n
	case s.TransitGateway != nil:
		n := 1 + len(s.TransitGateway.RouteTables)
		if len(s.TransitGateway.ShareWith) > 0 {
			n++
		}
		return n
	case s.Routing != nil:
		n := 0
		for _, rt := range s.Routing.RouteTables {
			n += len(rt.Associations) + len(rt.Propagations) + len(rt.Routes)
		}
		return n
	case s.Mirrors != nil:
		m := s.Mirrors
		return 2*len(m.CodeCommit) + 3*len(m.Hosts) + len(m.Connections)
	case s.AMIParameters != nil:
		return len(s.AMIParameters.Parameters)
	case s.ImageRecipe != nil:
		return 12 + len(s.ImageRecipe.Components)
	case s.Pipeline != nil:
		return 40 + 4*len(s.Pipeline.Targets)
	case s.GitLab != nil:
		return 60
	case s.DeployRole != nil:
		// The boundary, the execution, deploy, plan, publish and
		// distribution roles, the template bucket and its policy; a role
		// per pipeline deploying here; the execution role's managed
		// policies, and those of the publish, SMTP and mirrors roles when
		// their statements outgrow an inline policy, at most
		// MaxRolePolicies each.
		d := s.DeployRole
		n := 8 + len(d.Pipelines) + MaxRolePolicies
		for _, has := range []bool{d.Publish != nil, d.SMTPRole != "", d.MirrorsRole != ""} {
			if has {
				n += MaxRolePolicies
			}
		}
		return n
	case s.AccessLogs != nil, s.TemplateBucket != nil:
		return 2 // the bucket and its policy
	case s.GitLabImage != nil:
		return 8
	case s.Application != nil:
		return 20
	}
	return 0
}

// Resources counts the resources of one VPC in its network stack.
func (v *NetworkVPC) Resources() int {
	n := 1 + 3*len(v.Subnets) // the VPC; per subnet itself, its route table and their association
	if v.InternetGateway {
		n += 2 // the gateway and its attachment
	}
	for _, s := range v.Subnets {
		if s.DefaultRoute != "" {
			n++
		}
	}
	instances := false
	for _, nat := range v.NATs {
		if nat.Instance {
			n++
			instances = true
		} else {
			n += 2 // the elastic IP and the NAT gateway
		}
	}
	if instances {
		n++ // their security group
	}
	if len(v.InterfaceEndpoints) > 0 {
		n += 1 + len(v.InterfaceEndpoints) // one security group for all
	}
	n += len(v.GatewayEndpoints)
	if v.FlowLogs != nil {
		n += 3 // the log group, the role and the flow log
	}
	return n
}

// RouteTableRoutes returns how many routes the route table of each subnet
// of the VPC holds before any route towards a transit gateway: the local
// route, the default route and one per gateway endpoint (a prefix list
// route each), by subnet name.
func (v *NetworkVPC) RouteTableRoutes() map[string]int {
	out := map[string]int{}
	for _, s := range v.Subnets {
		n := 1 + len(v.GatewayEndpoints)
		if s.DefaultRoute != "" {
			n++
		}
		out[s.Name] = n
	}
	return out
}
