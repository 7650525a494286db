package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsram"

	"gitops/tools/internal/stacks"
)

// transitGateway builds the owner stack: the gateway, with default route
// table association and propagation off (every route is declared), its RAM
// share and its route tables.
func (b *builder) transitGateway(spec *stacks.TransitGatewaySpec) error {
	p := spec.ID
	tgw := awsec2.NewCfnTransitGateway(b.st, id(p, "TransitGateway"), &awsec2.CfnTransitGatewayProps{
		AmazonSideAsn:                num(spec.ASN),
		DefaultRouteTableAssociation: str("disable"),
		DefaultRouteTablePropagation: str("disable"),
		// Attachments come from the accounts the gateway is shared with;
		// the share already limits who can attach.
		AutoAcceptSharedAttachments: str("enable"),
		DnsSupport:                  str("enable"),
		VpnEcmpSupport:              str("enable"),
		Description:                 str("gitops transit gateway " + spec.Name),
		Tags:                        nameTag(spec.Name),
	})
	b.offer(stacks.TransitGatewayIDOutput(spec.Name), b.ref(tgw))
	if len(spec.ShareWith) > 0 {
		var principals []*string
		for _, a := range spec.ShareWith {
			principals = append(principals, str(a))
		}
		props := &awsram.CfnResourceShareProps{
			Name:         str(stacks.TransitGatewayShareName(spec.Name)),
			ResourceArns: &[]*string{tgw.AttrTransitGatewayArn()},
			Principals:   &principals,
			Tags:         nameTag(spec.Name),
		}
		if spec.Organization != "" {
			// Inside the organization: no invitation, and no account
			// outside it can be added.
			props.Principals = &[]*string{str(spec.Organization)}
			props.AllowExternalPrincipals = false
		}
		awsram.NewCfnResourceShare(b.st, id(p, "Share"), props)
	}
	for _, rt := range spec.RouteTables {
		t := awsec2.NewCfnTransitGatewayRouteTable(b.st, id(p, stacks.Pascal(rt), "RouteTable"), &awsec2.CfnTransitGatewayRouteTableProps{
			TransitGatewayId: b.ref(tgw),
			Tags:             nameTag(spec.Name + "-" + rt),
		})
		b.offer(stacks.TGWRouteTableIDOutput(spec.Name, rt), b.ref(t))
	}
	return nil
}

// vpcAttachments builds the VPC's attachments to transit gateways and the
// routes that send each one's (summarised) peer CIDRs to its gateway.
func (b *builder) vpcAttachments(vb *vpcBuild, attachments []stacks.AttachmentSpec) {
	for _, a := range attachments {
		gateway := b.param(a.GatewayParam)
		var subnets []any
		for _, s := range a.Subnets {
			subnets = append(subnets, b.ref(vb.subnets[s]))
		}
		att := awsec2.NewCfnTransitGatewayAttachment(b.st, id(a.ID, "Attachment"), &awsec2.CfnTransitGatewayAttachmentProps{
			TransitGatewayId: gateway,
			VpcId:            b.ref(vb.vpc),
			SubnetIds:        &subnets,
			// Options is free-form JSON to the CDK: keys as in CloudFormation.
			Options: map[string]any{"DnsSupport": "enable"},
			Tags:    nameTag(a.TransitGateway + "-" + a.Name),
		})
		b.offer(stacks.AttachmentIDOutput(a.TransitGateway, a.Name), b.ref(att))
		for _, r := range a.Routes {
			route := awsec2.NewCfnRoute(b.st, id(a.ID, stacks.Pascal(r.Subnet), "To", cidrID(r.Destination)), &awsec2.CfnRouteProps{
				RouteTableId:         b.ref(vb.routeTables[r.Subnet]),
				DestinationCidrBlock: str(r.Destination),
				TransitGatewayId:     gateway,
			})
			// A route to the gateway is refused until the VPC is attached.
			route.AddResourceDependency(att, nil)
		}
	}
}

// routing builds the route tables' associations, propagations and static
// routes in the owner account.
func (b *builder) routing(spec *stacks.RoutingSpec) error {
	for _, rt := range spec.RouteTables {
		table := b.param(rt.TableParam)
		for _, a := range rt.Associations {
			awsec2.NewCfnTransitGatewayRouteTableAssociation(b.st, id(rt.ID, "Associates", a.ID), &awsec2.CfnTransitGatewayRouteTableAssociationProps{
				TransitGatewayAttachmentId: b.param(a.Param),
				TransitGatewayRouteTableId: table,
			})
		}
		for _, a := range rt.Propagations {
			awsec2.NewCfnTransitGatewayRouteTablePropagation(b.st, id(rt.ID, "Propagates", a.ID), &awsec2.CfnTransitGatewayRouteTablePropagationProps{
				TransitGatewayAttachmentId: b.param(a.Param),
				TransitGatewayRouteTableId: table,
			})
		}
		for _, r := range rt.Routes {
			props := &awsec2.CfnTransitGatewayRouteProps{
				DestinationCidrBlock:       str(r.Destination),
				TransitGatewayRouteTableId: table,
			}
			if r.Blackhole {
				props.Blackhole = true
			} else {
				props.TransitGatewayAttachmentId = b.param(r.Attachment.Param)
			}
			awsec2.NewCfnTransitGatewayRoute(b.st, id(rt.ID, "Route", cidrID(r.Destination)), props)
		}
	}
	return nil
}

// cidrID spells a CIDR for a logical ID: 10.0.0.0/16 → 10x0x0x0x16.
func cidrID(cidr string) string {
	out := []byte(cidr)
	for i, c := range out {
		if c == '.' || c == '/' {
			out[i] = 'x'
		}
	}
	return string(out)
}
