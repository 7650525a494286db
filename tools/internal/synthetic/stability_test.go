package synthetic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
)

// resourceHomes maps each resource the network and gateway stacks will
// hold (by what it is, which decides its logical ID) to the stack holding
// it.
func resourceHomes(p *stacks.Plan) map[string]string {
	home := map[string]string{}
	put := func(key, stack string) { home[key] = stack }
	for _, s := range p.Stacks {
		switch {
		case s.Network != nil:
			for _, v := range s.Network.VPCs {
				put("vpc "+v.Name, s.ID)
				for _, sub := range v.Subnets {
					put("subnet "+v.Name+"/"+sub.Name, s.ID)
				}
			}
			for _, a := range s.Network.Attachments {
				put("attachment "+a.Name, s.ID)
				for _, r := range a.Routes {
					put("vpc route "+a.Name+"/"+r.Subnet+"/"+r.Destination, s.ID)
				}
			}
		case s.Routing != nil:
			for _, rt := range s.Routing.RouteTables {
				for _, a := range rt.Associations {
					put("association "+rt.Name+"/"+a.Name, s.ID)
				}
				for _, a := range rt.Propagations {
					put("propagation "+rt.Name+"/"+a.Name, s.ID)
				}
				for _, r := range rt.Routes {
					put("route "+rt.Name+"/"+r.Destination, s.ID)
				}
			}
		}
	}
	return home
}

// TestAddingAVPCMovesNothing: adding one VPC, its attachment (associated,
// propagated) and a static route to it adds resources, and may change the
// summarised routes of other VPCs, but never moves a resource from one stack
// to another (in CloudFormation a move is a delete and a create).
func TestAddingAVPCMovesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := Generate(dir, 20, 90, 1200); err != nil {
		t.Fatal(err)
	}
	plan := func() *stacks.Plan {
		e, ds, err := load.LoadEstate(dir)
		if err != nil || ds.HasErrors() {
			t.Fatalf("loading: %v %v", err, ds.Items())
		}
		p, err := stacks.Build(e)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	before := resourceHomes(plan())

	// A new VPC in workload-0005, attached to hub-1, reached by a route.
	netFile := filepath.Join(dir, "environments", "workload-0005", "network.yaml")
	net, err := os.ReadFile(netFile)
	if err != nil {
		t.Fatal(err)
	}
	extra := "  - name: added\n    cidr: 10.200.0.0/20\n    azCount: 2\n    subnets:\n      - {name: private, type: private, prefix: 22}\n      - {name: tgw, type: isolated, prefix: 28}\n    egress: {type: none}\n"
	if err := os.WriteFile(netFile, append(net, extra...), 0o644); err != nil {
		t.Fatal(err)
	}
	hubFile := filepath.Join(dir, "environments", "tooling", "hub-1.yaml")
	hub, err := os.ReadFile(hubFile)
	if err != nil {
		t.Fatal(err)
	}
	h := strings.Replace(string(hub), "attachments:\n", "attachments:\n  - {name: added, vpc: added, subnets: [tgw-a, tgw-b]}\n", 1)
	h = strings.Replace(h, "    associations:\n", "    associations:\n      - added\n", 1)
	h = strings.Replace(h, "    routes:\n", "    routes:\n      - {destination: 192.168.7.0/24, attachment: added}\n", 1)
	if err := os.WriteFile(hubFile, []byte(h), 0o644); err != nil {
		t.Fatal(err)
	}
	after := resourceHomes(plan())

	moved, kept := 0, 0
	for key, was := range before {
		if now, ok := after[key]; ok {
			kept++
			if now != was {
				moved++
				t.Errorf("%s moved from %s to %s", key, was, now)
			}
		}
	}
	added := 0
	for key := range after {
		if _, ok := before[key]; !ok {
			added++
		}
	}
	if kept < len(before)*9/10 || added == 0 {
		t.Errorf("the edit should keep most resources and add some: kept %d of %d, added %d", kept, len(before), added)
	}
	t.Logf("kept %d resources in place, added %d, moved %d", kept, added, moved)
}
