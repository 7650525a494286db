// Command gitops validates the estate's YAML, compiles it into CloudFormation
// and applies it. Run `gitops help` for its commands.
package main

import (
	"os"

	"gitops/tools/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
}
