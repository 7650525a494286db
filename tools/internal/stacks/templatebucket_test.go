package stacks

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/estate"
)

// templateBucketStacks lists the template-bucket stacks of a plan by ID.
func templateBucketStacks(p *Plan) map[string]*Stack {
	out := map[string]*Stack{}
	for _, s := range p.Stacks {
		if s.Kind == KindTemplateBucket {
			out[s.ID] = s
		}
	}
	return out
}

// TestPlanTemplateBuckets: the fixture's prod account has stacks in two
// regions and gets a template-bucket stack in the one its deploy-role
// stack is not in; tooling, in one region, gets none. Every stack of that
// region waits for the bucket, and the deploy role is granted both buckets.
func TestPlanTemplateBuckets(t *testing.T) {
	p := buildFixture(t, nil)
	got := templateBucketStacks(p)
	const id = "prod/eu-central-1/template-bucket"
	if len(got) != 1 || got[id] == nil {
		t.Fatalf("template-bucket stacks: %v, want only %s", slices.Sorted(maps.Keys(got)), id)
	}
	s := got[id]
	want := TemplateBucketSpec{Bucket: "gitops-templates-222222222222-eu-central-1", DeployRole: "prod-deployer", PlanRole: PlanRoleName}
	if *s.TemplateBucket != want || s.Name != "gitops-template-bucket" || s.Resources() != 2 {
		t.Errorf("bucket stack: %s %+v, %d resources", s.Name, *s.TemplateBucket, s.Resources())
	}
	if !slices.Equal(s.DependsOn, []string{"prod/eu-west-1/deploy-role"}) {
		t.Errorf("the bucket stack depends on %v, want the deploy role alone", s.DependsOn)
	}
	for _, other := range p.Stacks {
		waits := slices.Contains(other.DependsOn, id)
		if want := other.Account == "prod" && other.Region == "eu-central-1" && other.ID != id; waits != want {
			t.Errorf("%s waits for %s: %v, want %v", other.ID, id, waits, want)
		}
	}
	if got := p.Stack("prod/eu-west-1/deploy-role").DeployRole.TemplateBuckets; !slices.Equal(got, []string{
		"gitops-templates-222222222222-eu-central-1", "gitops-templates-222222222222-eu-west-1",
	}) {
		t.Errorf("prod's deploy role may write %v", got)
	}
	if got := p.Stack("tooling/eu-west-1/deploy-role").DeployRole.TemplateBuckets; !slices.Equal(got, []string{"gitops-templates-111111111111-eu-west-1"}) {
		t.Errorf("tooling's deploy role may write %v", got)
	}
}

// TestPlanTemplateBucketsPerRegion: an account with stacks in three
// regions gets one template-bucket stack in each of the two regions its
// deploy-role stack is not in; a region it declares but holds no stack in
// gets none.
func TestPlanTemplateBucketsPerRegion(t *testing.T) {
	network := func(region, cidr string) string {
		return "kind: Network\naccount: tooling\nregion: " + region + "\nvpcs:\n  - name: extra-" + region + "\n    cidr: " + cidr +
			"\n    azCount: 2\n    subnets:\n      - {name: private, type: private, prefix: 24}\n    egress: {type: none}\n    flowLogs: {disabled: true}\n"
	}
	p := buildFixture(t, map[string]string{
		"accounts/tooling.yaml": strings.Replace(readFixture(t, "accounts/tooling.yaml"),
			"regions: [eu-west-1]", "regions: [eu-west-1, us-east-1, eu-central-1, ap-southeast-2]", 1),
		"environments/tooling/network-us-east-1.yaml":    network("us-east-1", "10.90.0.0/16"),
		"environments/tooling/network-eu-central-1.yaml": network("eu-central-1", "10.91.0.0/16"),
	})
	got := slices.Sorted(maps.Keys(templateBucketStacks(p)))
	want := []string{"prod/eu-central-1/template-bucket", "tooling/eu-central-1/template-bucket", "tooling/us-east-1/template-bucket"}
	if !slices.Equal(got, want) {
		t.Fatalf("template-bucket stacks:\n got %v\nwant %v", got, want)
	}
	for _, region := range []string{"us-east-1", "eu-central-1"} {
		net, bucket := p.Stack("tooling/"+region+"/network-extra-"+region), "tooling/"+region+"/template-bucket"
		if net == nil || !slices.Contains(net.DependsOn, bucket) {
			t.Errorf("the network stack of %s does not wait for %s: %+v", region, bucket, net)
		}
		if b := p.Stack(bucket).TemplateBucket; b.Bucket != TemplateBucketName("111111111111", region) || b.DeployRole != estate.DefaultDeployRoleName {
			t.Errorf("%s: %+v", bucket, b)
		}
	}
	if got := p.Stack("tooling/eu-west-1/deploy-role").DeployRole.TemplateBuckets; !slices.Equal(got, []string{
		"gitops-templates-111111111111-eu-central-1", "gitops-templates-111111111111-eu-west-1", "gitops-templates-111111111111-us-east-1",
	}) {
		t.Errorf("tooling's deploy role may write %v", got)
	}
}
