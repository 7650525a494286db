package stacks

import (
	"maps"
	"net/netip"
	"slices"
	"testing"

	"gitops/tools/internal/estate"
)

func TestPeerRoutes(t *testing.T) {
	cidrs := map[string]netip.Prefix{
		"a": netip.MustParsePrefix("10.0.0.0/16"),
		"b": netip.MustParsePrefix("10.1.0.0/16"),
		"c": netip.MustParsePrefix("10.2.0.0/16"),
	}
	// d is a VPC of the estate attached elsewhere: no summary may take it in.
	estateCIDRs := append(slices.Collect(maps.Values(cidrs)), netip.MustParsePrefix("10.3.0.0/16"))
	atts := []estate.TGWAttachment{{Name: "a", VPC: "a"}, {Name: "b", VPC: "b"}, {Name: "c", VPC: "c"}}
	cases := []struct {
		name   string
		tables []estate.TGWRouteTable
		want   map[string][]string
	}{
		{
			name: "propagations reach, own CIDR excluded",
			tables: []estate.TGWRouteTable{
				{Name: "all", Associations: []string{"a", "b"}, Propagations: []string{"a", "b", "c"}},
			},
			want: map[string][]string{"a": {"10.0.0.0/15", "10.2.0.0/16"}, "b": {"10.0.0.0/15", "10.2.0.0/16"}},
		},
		{
			name: "summaries stop at private blocks and at VPCs out of reach",
			tables: []estate.TGWRouteTable{
				{Name: "t", Associations: []string{"c"}, Propagations: []string{"a", "b"}, Routes: []estate.TGWRoute{
					{Destination: "172.16.0.0/24", Attachment: "a"},
					{Destination: "172.16.1.0/24", Attachment: "a"},
					{Destination: "172.16.2.0/24", Attachment: "a"},
					{Destination: "172.16.3.0/24", Blackhole: true},
					{Destination: "8.8.8.0/24", Attachment: "a"},
					{Destination: "8.8.9.0/24", Attachment: "a"},
				}},
			},
			want: map[string][]string{"c": {"8.8.8.0/24", "8.8.9.0/24", "10.0.0.0/15", "172.16.0.0/23", "172.16.2.0/24"}},
		},
		{
			name: "hub and spokes: spokes reach only the hub",
			tables: []estate.TGWRouteTable{
				{Name: "hub", Associations: []string{"a"}, Propagations: []string{"b", "c"}},
				{Name: "spokes", Associations: []string{"b", "c"}, Propagations: []string{"a"}},
			},
			want: map[string][]string{"a": {"10.1.0.0/16", "10.2.0.0/16"}, "b": {"10.0.0.0/16"}, "c": {"10.0.0.0/16"}},
		},
		{
			name: "static routes reach, blackholes do not",
			tables: []estate.TGWRouteTable{
				{Name: "t", Associations: []string{"a"}, Propagations: []string{"b"}, Routes: []estate.TGWRoute{
					{Destination: "192.168.0.0/16", Attachment: "c"},
					{Destination: "10.1.0.0/16", Blackhole: true},
					{Destination: "172.16.0.0/12", Blackhole: true},
				}},
			},
			want: map[string][]string{"a": {"192.168.0.0/16"}},
		},
		{
			name: "routes inside the own VPC are left to the VPC",
			tables: []estate.TGWRouteTable{
				{Name: "t", Associations: []string{"a"}, Routes: []estate.TGWRoute{
					{Destination: "10.0.5.0/24", Attachment: "b"},
					{Destination: "10.0.0.0/8", Attachment: "b"},
				}},
			},
			want: map[string][]string{"a": {"10.0.0.0/8"}},
		},
		{
			name: "duplicates collapse, output sorted",
			tables: []estate.TGWRouteTable{
				{Name: "t", Associations: []string{"a"}, Propagations: []string{"c", "b"}, Routes: []estate.TGWRoute{
					{Destination: "10.2.0.0/16", Attachment: "c"},
				}},
			},
			want: map[string][]string{"a": {"10.1.0.0/16", "10.2.0.0/16"}},
		},
		{
			name: "a default route absorbs no other: subnets with their own default keep the rest",
			tables: []estate.TGWRouteTable{
				{Name: "t", Associations: []string{"a"}, Propagations: []string{"b"}, Routes: []estate.TGWRoute{
					{Destination: "0.0.0.0/0", Attachment: "c"},
				}},
			},
			want: map[string][]string{"a": {"0.0.0.0/0", "10.1.0.0/16"}},
		},
		{
			name:   "unassociated attachments reach nothing",
			tables: []estate.TGWRouteTable{{Name: "t", Propagations: []string{"a", "b"}}},
			want:   map[string][]string{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := PeerRoutes(&estate.TransitGateway{Attachments: atts, RouteTables: tc.tables}, cidrs, estateCIDRs)
			for name, want := range tc.want {
				var have []string
				for _, p := range got[name] {
					have = append(have, p.String())
				}
				if !slices.Equal(have, want) {
					t.Errorf("%s: got %v, want %v", name, have, want)
				}
			}
			for name, dsts := range got {
				if _, ok := tc.want[name]; !ok && len(dsts) > 0 {
					t.Errorf("%s: unexpected routes %v", name, dsts)
				}
			}
		})
	}
}

// Outside an organization every other account's VPC stacks holding an
// attachment ask
// apply to accept the share's invitation, and that account's deploy role
// may accept the owner's; inside one the share goes to the organization and
// nothing waits for an invitation.
func TestPlanTransitGatewayShare(t *testing.T) {
	p := buildFixture(t, nil)
	owner := p.Stack("tooling/eu-west-1/tgw-hub")
	want := ShareInvitation{Share: "gitops-tgw-hub", OwnerAccountID: owner.AccountID}
	attachments := 0
	for _, s := range p.Stacks {
		if s.Network == nil || len(s.Network.Attachments) == 0 {
			continue
		}
		attachments++
		switch {
		case s.AccountID == owner.AccountID && s.AcceptShare != nil:
			t.Errorf("%s: the owner's own attachment waits for an invitation", s.ID)
		case s.AccountID != owner.AccountID && (s.AcceptShare == nil || *s.AcceptShare != want):
			t.Errorf("%s: %+v, want %+v", s.ID, s.AcceptShare, want)
		}
	}
	if attachments == 0 {
		t.Fatal("the fixture has no attachment stacks")
	}
	if d := p.Stack("prod/eu-west-1/deploy-role").DeployRole; len(d.ShareOwnerAccountIDs) != 1 || d.ShareOwnerAccountIDs[0] != owner.AccountID {
		t.Errorf("prod's deploy role accepts invitations of %v", d.ShareOwnerAccountIDs)
	}

	e := loadFixture(t, nil)
	e.TransitGateways[0].Organization = "arn:aws:organizations::111111111111:organization/o-exampleorgid"
	p, err := Build(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Stacks {
		if s.AcceptShare != nil {
			t.Errorf("inside an organization %s waits for %+v", s.ID, s.AcceptShare)
		}
	}
	if o := p.Stack("tooling/eu-west-1/tgw-hub").TransitGateway; o.Organization != e.TransitGateways[0].Organization {
		t.Errorf("owner spec: %+v", o)
	}
}
