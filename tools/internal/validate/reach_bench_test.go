package validate

import (
	"fmt"
	"strconv"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/synthetic"
)

// BenchmarkReach measures what the reach checks add to validate on the
// synthetic estate of 500 accounts, 2,000 VPCs and 20,000 gateway routes,
// rewired as hub and spokes with intents: each of its gateways gets a
// shared-services table (one VPC, every other VPC propagated, the static
// routes) and a spokes table, and the intents "the hub's workloads reach
// its shared VPC on 443" and "the hub's workloads never reach each other".
func BenchmarkReach(b *testing.B) {
	e := hubAndSpokeEstate(b, 500, 2000, 20000)
	c := &checker{e: e, ix: estate.NewIndex(e), diags: &diag.List{}}
	c.checkReach()
	if c.diags.HasErrors() {
		b.Fatalf("the estate has reach errors:\n%s", render(c.diags.Items()))
	}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		c := &checker{e: e, ix: estate.NewIndex(e), diags: &diag.List{}}
		c.checkReach()
	}
	// CPU time, unlike wall time, holds still when other work shares the
	// machine.
	b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
}

// BenchmarkValidateHubAndSpoke is all of validate on the same estate.
func BenchmarkValidateHubAndSpoke(b *testing.B) {
	e := hubAndSpokeEstate(b, 500, 2000, 20000)
	b.ReportAllocs()
	for b.Loop() {
		Estate(e)
	}
}

func hubAndSpokeEstate(tb testing.TB, accounts, vpcs, routes int) *estate.Estate {
	dir := tb.TempDir()
	if err := synthetic.Generate(dir, accounts, vpcs, routes); err != nil {
		tb.Fatal(err)
	}
	e, diags, err := load.LoadEstate(dir)
	if err != nil || diags.HasErrors() {
		tb.Fatalf("loading the synthetic estate: %v %v", err, diags.Items())
	}
	hubs := len(e.TransitGateways)
	// Account a's VPCs are a, a+accounts, …, all on gateway a mod hubs when
	// hubs divides accounts; the first VPC of each gateway is its shared one.
	for _, a := range e.Accounts {
		n, _ := strconv.Atoi(a.Name[len(a.Name)-4:])
		if a.Name == "tooling" {
			n = 0
		}
		a.Tags["hub"] = strconv.Itoa(n % hubs)
		if n < hubs {
			a.Role = "tooling"
		}
	}
	for t, g := range e.TransitGateways {
		shared := g.Attachments[0].Name
		old := g.RouteTables[0]
		var others []string
		for _, a := range g.Attachments[1:] {
			others = append(others, a.Name)
		}
		g.RouteTables = []estate.TGWRouteTable{
			{Name: "shared-services", Associations: []string{shared}, Propagations: others, Routes: old.Routes},
			{Name: "spokes", Associations: others, Propagations: []string{shared}},
		}
		g.Intents = estate.Intents{
			Groups: []estate.IntentGroup{{Name: "workloads", Role: "workload", Tags: map[string]string{"hub": strconv.Itoa(t)}}},
			Allow:  []estate.IntentRule{{From: []string{"workloads"}, To: []string{shared}, Ports: []int{443}}},
			Deny:   []estate.IntentRule{{From: []string{"workloads"}, To: []string{"workloads"}}},
		}
	}
	if hubs != 4 || accounts%hubs != 0 {
		tb.Fatal(fmt.Sprintf("the rewiring expects 4 gateways dividing the accounts, got %d", hubs))
	}
	return e
}
