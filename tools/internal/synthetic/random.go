package synthetic

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// regions the random estates spread over.
var randomRegions = []string{"eu-west-1", "eu-central-1", "us-east-1"}

// Random writes an estate of a shape drawn from seed: 2–8 accounts over
// 1–3 regions, 1–7 VPCs per account and region (declaring raised VPC and
// Elastic IP quotas when above five), one or two hubs per region, each with a
// shared-services VPC whose route table learns every spoke by propagation,
// a spokes table that learns the services VPC, static routes to it, and
// blackholes; sometimes a mesh table. It aims at estates that are valid,
// but some draws cross a limit on purpose (hundreds of static routes in one
// /16, services VPCs reaching many scattered spokes), so validate's
// refusals are exercised too.
func Random(dir string, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 14))
	g := &generator{dir: dir}
	accounts := 2 + rng.IntN(7)
	regions := randomRegions[:1+rng.IntN(len(randomRegions))]
	vpcs := map[string][]string{} // by region: VPC names
	vpcAccount := map[string]string{}
	vpcZones := map[string]int{}
	next := 0
	for a := range accounts {
		name := accountName(a)
		role := "workload"
		if a == 0 {
			role = "tooling"
		}
		var quotas strings.Builder
		var nets []string
		for _, region := range regions {
			n := 1 + rng.IntN(7)
			eips := 0 // one per NAT gateway
			var b strings.Builder
			fmt.Fprintf(&b, "kind: Network\naccount: %s\nregion: %s\nvpcs:\n", name, region)
			for range n {
				v := fmt.Sprintf("v%03d", next)
				x, y := vpcBlock(next)
				next++
				cidr := fmt.Sprintf("10.%d.%d.0/20", x, y)
				vpcs[region] = append(vpcs[region], v)
				vpcAccount[v], vpcZones[v] = name, 2+rng.IntN(2)
				fmt.Fprintf(&b, "  - name: %s\n    cidr: %s\n    azCount: %d\n    subnets:\n", v, cidr, vpcZones[v])
				b.WriteString("      - {name: public, type: public, prefix: 24}\n      - {name: private, type: private, prefix: 22}\n      - {name: tgw, type: isolated, prefix: 28}\n")
				switch rng.IntN(3) {
				case 0:
					b.WriteString("    egress: {type: natGateway}\n")
					eips++
				case 1:
					b.WriteString("    egress: {type: natGateway, perAZ: true}\n")
					eips += vpcZones[v]
				default:
					b.WriteString("    egress: {type: natInstance}\n")
				}
				if rng.IntN(3) == 0 {
					b.WriteString("    endpoints:\n      interface: [ecr.api, ecr.dkr, logs, sts]\n      gateway: [s3]\n")
				}
			}
			nets = append(nets, b.String())
			// Above AWS's defaults (five of each), declare the raised quotas.
			if n > 5 || eips > 5 {
				fmt.Fprintf(&quotas, "  - {region: %s, vpcsPerRegion: %d, elasticIpsPerRegion: %d}\n", region, max(n, 5), max(eips, 5))
			}
		}
		body := fmt.Sprintf("kind: Account\nname: %s\nid: \"%012d\"\nemail: aws-%s@example.com\nrole: %s\nregions: [%s]\n",
			name, 100000000000+a, name, role, strings.Join(regions, ", "))
		if quotas.Len() > 0 {
			body += "quotas:\n" + quotas.String()
		}
		if err := g.write("accounts/"+name+".yaml", body); err != nil {
			return err
		}
		for i, n := range nets {
			if err := g.write(fmt.Sprintf("environments/%s/network-%s.yaml", name, regions[i]), n); err != nil {
				return err
			}
		}
	}
	hub := 0
	for _, region := range regions {
		names := vpcs[region]
		hubs := 1 + rng.IntN(2)
		for h := range hubs {
			var attached []string
			for i := h; i < len(names); i += hubs {
				attached = append(attached, names[i])
			}
			if len(attached) == 0 {
				continue
			}
			if err := g.write(fmt.Sprintf("environments/tooling/hub-%d.yaml", hub), randomHub(rng, hub, region, attached, vpcAccount, vpcZones)); err != nil {
				return err
			}
			hub++
		}
	}
	return nil
}

// randomHub writes hub number n: the first attached VPC is the shared
// services one.
func randomHub(rng *rand.Rand, n int, region string, attached []string, vpcAccount map[string]string, vpcZones map[string]int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kind: TransitGateway\nname: hub-%d\naccount: tooling\nregion: %s\nasn: %d\n", n, region, 64512+n)
	var share []string
	for _, v := range attached {
		if a := vpcAccount[v]; a != "tooling" && !contains(share, a) {
			share = append(share, a)
		}
	}
	if len(share) > 0 {
		fmt.Fprintf(&b, "shareWith: [%s]\n", strings.Join(share, ", "))
	}
	b.WriteString("attachments:\n")
	for _, v := range attached {
		subnets := "tgw-a, tgw-b"
		if vpcZones[v] == 3 {
			subnets += ", tgw-c"
		}
		fmt.Fprintf(&b, "  - {name: %s, vpc: %s, subnets: [%s]}\n", v, v, subnets)
	}
	services, spokes := attached[0], attached[1:]
	b.WriteString("routeTables:\n")
	fmt.Fprintf(&b, "  - name: shared-services\n    associations: [%s]\n", services)
	if len(spokes) > 0 {
		fmt.Fprintf(&b, "    propagations: [%s]\n", strings.Join(spokes, ", "))
	}
	mesh := rng.IntN(4) == 0 && len(spokes) > 1
	spokeTable := spokes
	if mesh {
		// Half the spokes reach each other too (and the services VPC);
		// never the other half, whose table has no route back to them.
		spokeTable = spokes[:len(spokes)/2]
		meshed := spokes[len(spokes)/2:]
		fmt.Fprintf(&b, "  - name: mesh\n    associations: [%s]\n    propagations: [%s]\n", strings.Join(meshed, ", "), strings.Join(append([]string{services}, meshed...), ", "))
	}
	if len(spokeTable) > 0 {
		fmt.Fprintf(&b, "  - name: spokes\n    associations: [%s]\n    propagations: [%s]\n    routes:\n", strings.Join(spokeTable, ", "), services)
		// Static routes to the services VPC in this hub's /16 of
		// 172.16.0.0/12: a few /24s, or now and then hundreds of /28s,
		// which may outgrow one stack (validate must then refuse).
		if rng.IntN(8) > 0 {
			for r := range rng.IntN(40) {
				fmt.Fprintf(&b, "      - {destination: 172.%d.%d.0/24, attachment: %s}\n", 16+n%16, r, services)
			}
		} else {
			for r := range 400 + rng.IntN(300) {
				fmt.Fprintf(&b, "      - {destination: 172.%d.%d.%d/28, attachment: %s}\n", 16+n%16, r/16, (r%16)*16, services)
			}
		}
		for k := range rng.IntN(3) {
			fmt.Fprintf(&b, "      - {destination: 192.168.%d.0/24, blackhole: true}\n", 16*n+k)
		}
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
