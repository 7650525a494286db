package cli

import (
	"flag"
	"maps"
	"slices"

	"gitops/tools/internal/apply"
)

func init() {
	register(&Command{
		Name:    "apply",
		Summary: "plan, then execute the change sets in dependency order, account by account",
		Doc: `Plans each selected stack once the stacks it depends on are applied, executes its change
set and waits for it; independent stacks run in parallel (--parallel). Each stack's outputs
feed its dependants' parameters, across accounts. It refuses to replace or remove stateful
resources unless --allow-replace names them. After a failure it starts no new stack unless
--keep-going, which goes on with the stacks that do not depend on the failed one.
The first Ctrl-C starts no new stack, lets the running ones finish and deletes the change
sets it made and did not execute; a second cancels at once and names the stacks that may be
mid-update. Progress goes to stderr, the report to stdout.`,
		Group: groupDeploy,
		Exits: []Exit{
			{ExitOK, "every selected stack is applied or unchanged"},
			{ExitFindings, "generated/ is stale, AWS could not be reached, or a stack failed, was refused or not started"},
			{ExitInterrupted, "interrupted (Ctrl-C or SIGTERM)"},
		},
		Env: append(slices.Clone(awsEnv), "GITOPS_RUN_ID"),
		Setup: func(fs *flag.FlagSet) Run {
			f := addDeployFlags(fs)
			var allow stringList
			fs.Var(&allow, "allow-replace", "let the change sets replace or remove this stateful `TYPE/ID` (e.g. AWS::EFS::FileSystem/Data); repeatable")
			keepGoing := fs.Bool("keep-going", false, "after a failure, go on with the stacks that do not depend on the failed one")
			return func(c *Call) int {
				allowed, err := apply.ParseAllowReplace(allow)
				if err != nil {
					return c.Usagef("%v", err)
				}
				return deploy(c, f, func(o *apply.Options) {
					// The flags add to the estate's allowReplace: entries,
					// so apply allows what gitops diff allowed in the merge
					// request and what the operator names.
					maps.Copy(o.AllowReplace, allowed)
					o.KeepGoing = *keepGoing
				})
			}
		},
	})
}
