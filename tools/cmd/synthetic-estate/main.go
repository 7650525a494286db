// Command synthetic-estate writes a large, valid estate for measuring
// gitops validate: synthetic-estate -dir /tmp/estate -accounts 500 -vpcs 2000 -routes 20000
package main

import (
	"flag"
	"fmt"
	"os"

	"gitops/tools/internal/synthetic"
)

func main() {
	dir := flag.String("dir", "", "`directory` to write the estate into (created; must not hold an estate)")
	accounts := flag.Int("accounts", 500, "accounts: one tooling, the rest workload")
	vpcs := flag.Int("vpcs", 2000, "VPCs, spread over the accounts")
	routes := flag.Int("routes", 20000, "transit gateway static routes")
	random := flag.Int64("random", -1, "write a randomly shaped estate from this `seed` instead (regions, hubs, propagations, blackholes; -accounts, -vpcs and -routes are ignored)")
	services := flag.Int64("services", -1, "write a randomly shaped estate with every document kind from this `seed` instead (GitLabs, mirrors, recipes, pipelines, inspection hubs, tags; -accounts, -vpcs and -routes are ignored)")
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if entries, err := os.ReadDir(*dir); err == nil && len(entries) > 0 {
		fmt.Fprintf(os.Stderr, "synthetic-estate: %s is not empty\n", *dir)
		os.Exit(2)
	}
	var err error
	switch {
	case *services >= 0:
		err = synthetic.Services(*dir, uint64(*services))
	case *random >= 0:
		err = synthetic.Random(*dir, uint64(*random))
	default:
		err = synthetic.Generate(*dir, *accounts, *vpcs, *routes)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "synthetic-estate: %v\n", err)
		os.Exit(1)
	}
}
