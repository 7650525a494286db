package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"gitops/tools/internal/stacks"
)

// ZoneVPC is a VPC as Route 53 names it.
type ZoneVPC struct {
	ID, Region string
}

func (v ZoneVPC) String() string { return v.ID + " (" + v.Region + ")" }

// ZoneAssociator is Route 53 as the zone association step uses it. Each
// call runs in the target's account: the zone's account authorizes, reads
// and disassociates; a VPC's account associates its VPC.
type ZoneAssociator interface {
	// ZoneVPCs lists the VPCs associated with the zone.
	ZoneVPCs(ctx context.Context, t Target, zoneID string) ([]ZoneVPC, error)
	// AuthorizeVPC lets the VPC's account associate it
	// (CreateVPCAssociationAuthorization); RevokeVPC withdraws that once
	// used (DeleteVPCAssociationAuthorization).
	AuthorizeVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error
	RevokeVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error
	AssociateVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error
	DisassociateVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error
}

// describeZoneAssociation says in a plan what apply does after the stack.
func describeZoneAssociation(s *Stack) string {
	var vpcs []string
	for _, v := range s.AssociateZone.VPCs {
		if v.ByApply(s.AccountID, s.Region) {
			vpcs = append(vpcs, fmt.Sprintf("%s of %s (account %s, %s)", v.Output, v.Stack, v.AccountID, v.Region))
		}
	}
	what := "no VPC of another account or region"
	if len(vpcs) > 0 {
		what = strings.Join(vpcs, ", ")
	}
	return fmt.Sprintf("apply then associates the private hosted zone (output %s) with %s, and disassociates any VPC the manifest does not list", s.AssociateZone.ZoneOutput, what)
}

// associateZone gives the private zone the stack made exactly the VPCs the
// manifest lists: it associates those of other accounts (authorized by the
// zone's account first, the authorization withdrawn after) and of other
// regions, and disassociates the VPCs no longer listed. A VPC already
// associated is left alone, so a second apply changes nothing.
func (r *run) associateZone(ctx context.Context, s *Stack, res *StackResult) error {
	za := s.AssociateZone
	if r.opts.Zones == nil {
		return &stackError{msg: "cannot associate the private hosted zone with the VPCs of other accounts: no Route 53 client", advice: "apply again with a Route 53 client"}
	}
	zoneID, _, err := r.output(ctx, s, s.ID, za.ZoneOutput)
	if err != nil {
		return err
	}
	zoneTarget := s.Target()
	want := map[ZoneVPC]stacks.ZoneVPC{}
	var order []ZoneVPC
	for _, v := range za.VPCs {
		id, _, err := r.output(ctx, s, v.Stack, v.Output)
		if err != nil {
			return fmt.Errorf("the id of a VPC to associate with the private zone: %w", err)
		}
		vpc := ZoneVPC{ID: id, Region: v.Region}
		want[vpc] = v
		order = append(order, vpc)
	}
	have, err := r.opts.Zones.ZoneVPCs(ctx, zoneTarget, zoneID)
	if err != nil {
		return r.zoneError(s, res, err, "reading the VPCs of private hosted zone "+zoneID, s.AccountID, "route53:GetHostedZone")
	}
	for _, vpc := range order {
		v := want[vpc]
		if !v.ByApply(s.AccountID, s.Region) || slices.Contains(have, vpc) {
			continue
		}
		cross := v.CrossAccount(s.AccountID)
		if cross {
			if err := r.opts.Zones.AuthorizeVPC(ctx, zoneTarget, zoneID, vpc); err != nil {
				if err := r.zoneError(s, res, err, "authorizing VPC "+vpc.String()+" of account "+v.AccountID, s.AccountID, "route53:CreateVPCAssociationAuthorization"); err != nil {
					return err
				}
			}
		}
		vt := Target{Account: v.Account, AccountID: v.AccountID, Region: v.Region}
		if err := r.opts.Zones.AssociateVPC(ctx, vt, zoneID, vpc); err != nil {
			if r.opts.Emulator != "" && cross && apiCode(err) == "NoSuchHostedZone" {
				// moto keeps each account's zones apart.
				r.notEmulated(s, res, "associating VPC "+vpc.String()+" of account "+v.AccountID+" with the zone of account "+s.AccountID+" (the emulator keeps each account's zones apart)")
				continue
			}
			return r.zoneError(s, res, err, "associating VPC "+vpc.String()+" with private hosted zone "+zoneID, v.AccountID, "route53:AssociateVPCWithHostedZone and ec2:DescribeVpcs")
		}
		if cross {
			if err := r.opts.Zones.RevokeVPC(ctx, zoneTarget, zoneID, vpc); err != nil {
				if err := r.zoneError(s, res, err, "withdrawing the used authorization of VPC "+vpc.String(), s.AccountID, "route53:DeleteVPCAssociationAuthorization"); err != nil {
					return err
				}
			}
		}
		res.Zone = append(res.Zone, fmt.Sprintf("associated VPC %s (%s of %s)", vpc, v.Output, v.Stack))
		r.say(s.ID, "associated VPC %s of account %s with private hosted zone %s", vpc, v.AccountID, zoneID)
	}
	for _, vpc := range have {
		if _, ok := want[vpc]; ok {
			continue
		}
		if err := r.opts.Zones.DisassociateVPC(ctx, zoneTarget, zoneID, vpc); err != nil {
			return r.zoneError(s, res, err, "disassociating VPC "+vpc.String()+", which the manifest no longer lists, from private hosted zone "+zoneID, s.AccountID, "route53:DisassociateVPCFromHostedZone")
		}
		res.Zone = append(res.Zone, fmt.Sprintf("disassociated VPC %s (the manifest no longer lists it)", vpc))
		r.say(s.ID, "disassociated VPC %s from private hosted zone %s: the manifest no longer lists it", vpc, zoneID)
	}
	return nil
}

// zoneError explains a failed Route 53 call; against an emulator without
// the call it is reported as not emulated and the step goes on (nil).
func (r *run) zoneError(s *Stack, res *StackResult, err error, what, accountID, actions string) error {
	if r.opts.Emulator != "" && emulatorBroke(err) {
		r.notEmulated(s, res, what+" (the emulator lacks the call)")
		return nil
	}
	return &stackError{
		msg:    what + ": " + apiMessage(err),
		advice: "the deploy role of account " + accountID + " needs " + actions + " (the deploy role stack grants it); fix that, then apply again",
	}
}

// route53Client is the Route 53 client of the target's account.
func (c *AWSClients) route53Client(ctx context.Context, t Target) (*route53.Client, error) {
	c.mu.Lock()
	cfg, err := c.config(ctx, t)
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return route53.NewFromConfig(cfg), nil
}

func r53VPC(v ZoneVPC) *r53types.VPC {
	return &r53types.VPC{VPCId: aws.String(v.ID), VPCRegion: r53types.VPCRegion(v.Region)}
}

// ZoneVPCs implements ZoneAssociator with GetHostedZone.
func (c *AWSClients) ZoneVPCs(ctx context.Context, t Target, zoneID string) ([]ZoneVPC, error) {
	client, err := c.route53Client(ctx, t)
	if err != nil {
		return nil, err
	}
	out, err := client.GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(zoneID)})
	if err != nil {
		return nil, err
	}
	var vpcs []ZoneVPC
	for _, v := range out.VPCs {
		vpcs = append(vpcs, ZoneVPC{ID: aws.ToString(v.VPCId), Region: string(v.VPCRegion)})
	}
	return vpcs, nil
}

// AuthorizeVPC implements ZoneAssociator.
func (c *AWSClients) AuthorizeVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error {
	client, err := c.route53Client(ctx, t)
	if err != nil {
		return err
	}
	_, err = client.CreateVPCAssociationAuthorization(ctx, &route53.CreateVPCAssociationAuthorizationInput{HostedZoneId: aws.String(zoneID), VPC: r53VPC(vpc)})
	return err
}

// RevokeVPC implements ZoneAssociator.
func (c *AWSClients) RevokeVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error {
	client, err := c.route53Client(ctx, t)
	if err != nil {
		return err
	}
	_, err = client.DeleteVPCAssociationAuthorization(ctx, &route53.DeleteVPCAssociationAuthorizationInput{HostedZoneId: aws.String(zoneID), VPC: r53VPC(vpc)})
	return err
}

// AssociateVPC implements ZoneAssociator.
func (c *AWSClients) AssociateVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error {
	client, err := c.route53Client(ctx, t)
	if err != nil {
		return err
	}
	_, err = client.AssociateVPCWithHostedZone(ctx, &route53.AssociateVPCWithHostedZoneInput{HostedZoneId: aws.String(zoneID), VPC: r53VPC(vpc)})
	return err
}

// DisassociateVPC implements ZoneAssociator.
func (c *AWSClients) DisassociateVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error {
	client, err := c.route53Client(ctx, t)
	if err != nil {
		return err
	}
	_, err = client.DisassociateVPCFromHostedZone(ctx, &route53.DisassociateVPCFromHostedZoneInput{HostedZoneId: aws.String(zoneID), VPC: r53VPC(vpc)})
	return err
}
