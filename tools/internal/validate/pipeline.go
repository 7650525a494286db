package validate

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

var (
	pipelineNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	targetNamePattern   = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	stackNamePattern    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)
	pauseTimePattern    = regexp.MustCompile(`^PT(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)S)?$`)
	secretNamePattern   = regexp.MustCompile(`^[A-Za-z0-9/_+=.@-]{1,512}$`)
	secretARNPattern    = regexp.MustCompile(`^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$`)
	computeTypes        = []string{"BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE"}
	chatKinds           = []string{"slack", "teams", "chime"}
)

// checkPipelines checks each pipeline: it runs in a tooling account, starts
// from a declared mirror branch in its region, bakes with a declared recipe
// when it deploys AMIs, deploys to well-formed targets in known accounts
// (with an approval before every production change set executes), and tells
// someone about it.
func (c *checker) checkPipelines() {
	for _, p := range c.e.Pipelines {
		if p.Name != "" && !pipelineNamePattern.MatchString(p.Name) {
			c.report(diag.Errorf(p.Pos("name"), "pipeline-name", "pipeline name %q is not a lowercase name", p.Name).
				WithHint("use lowercase letters, digits and dashes, starting with a letter"))
		}
		if a, _ := c.placement(&p.Doc, "account", p.Account, "region", p.Region); a != nil && a.Role == "workload" {
			c.report(diag.Errorf(p.Pos("account"), "pipeline-account-role", "pipeline %s runs in workload account %s", p.Name, a.Name).
				WithHint("run pipelines in the tooling account; they reach workload accounts through their deploy roles"))
		}
		c.checkPipelineSource(p)
		c.checkPipelineEstate(p)
		if ct := p.Build.ComputeType; ct != "" && !slices.Contains(computeTypes, ct) {
			c.report(diag.Errorf(p.Pos("build.computeType"), "pipeline-build-compute-type", "%q is not a CodeBuild compute type", ct).
				WithHint("%s", cmp.Or(diag.DidYouMean(ct, computeTypes), "use one of "+joinQuoted(computeTypes))))
		}
		var recipe *estate.ImageRecipe
		if p.Bake != nil {
			recipe = c.checkPipelineBake(p)
		}
		c.checkPipelineTargets(p, recipe)
		c.checkNotifications(p)
	}
}

func (c *checker) checkPipelineSource(p *estate.Pipeline) {
	m, ok := lookup(c, &p.Doc, "source.mirror", "ref-mirror", "mirror", p.Source.Mirror, c.ix.Mirrors)
	if !ok {
		return
	}
	if b := p.Source.Branch; b != "" && !slices.Contains(m.Branches, b) {
		d := diag.Errorf(p.Pos("source.branch"), "pipeline-source-branch", "mirror %s does not mirror branch %s", m.Name, b)
		if h := diag.DidYouMean(b, m.Branches); h != "" {
			d = d.WithHint("%s", h)
		} else {
			d = d.WithHint("add %s to branches of mirror %s (%s), or use one of %s", b, m.Name, m.File, joinQuoted(m.Branches))
		}
		c.report(d)
	}
	// CodePipeline runs source actions only in the pipeline's own region.
	if m.Region != "" && p.Region != "" && m.Region != p.Region {
		c.report(diag.Errorf(p.Pos("source.mirror"), "pipeline-source-region", "mirror %s is in %s, but a pipeline in %s can only read sources of its own region", m.Name, m.Region, p.Region).
			WithHint("mirror the project into %s, or run the pipeline in %s", p.Region, m.Region))
	} else if m.Account != "" && p.Account != "" && m.Account != p.Account {
		c.report(diag.Warningf(p.Pos("source.mirror"), "pipeline-source-account", "mirror %s is in account %s, not in the pipeline's account %s", m.Name, m.Account, p.Account).
			WithHint("the source then needs a cross-account role; keeping mirror and pipeline in the tooling account avoids it"))
	}
}

// checkPipelineEstate checks the estate source: required when the pipeline
// bakes (gitops bake runs from it, and the Auto Scaling targets' templates
// are in its generated/), a branch of a declared mirror in the pipeline's
// account and region.
func (c *checker) checkPipelineEstate(p *estate.Pipeline) {
	if p.Estate == nil {
		// Auto Scaling targets need bake too (pipeline-bake-missing), so
		// bake is where the estate is missing.
		if p.Bake != nil {
			c.report(diag.Errorf(p.Pos("bake"), "pipeline-estate", "pipeline %s bakes with gitops bake and deploys templates of this repository, but does not say where this repository is mirrored", p.Name).
				WithHint("add estate: {mirror: <the mirror of this gitops repository>, branch: main} to pipeline %s", p.Name))
		}
		return
	}
	m, ok := lookup(c, &p.Doc, "estate.mirror", "ref-mirror", "mirror", p.Estate.Mirror, c.ix.Mirrors)
	if !ok {
		return
	}
	if b := p.Estate.Branch; b != "" && !slices.Contains(m.Branches, b) {
		c.report(diag.Errorf(p.Pos("estate.branch"), "pipeline-estate-branch", "mirror %s does not mirror branch %s", m.Name, b).
			WithHint("%s", cmp.Or(diag.DidYouMean(b, m.Branches), "use one of "+joinQuoted(m.Branches)+", or add "+b+" to the branches of mirror "+m.Name)))
	}
	if m.Region != "" && p.Region != "" && (m.Region != p.Region || m.Account != p.Account) {
		c.report(diag.Errorf(p.Pos("estate.mirror"), "pipeline-estate-placement", "mirror %s is in account %s, region %s, but pipeline %s reads its sources in account %s, region %s", m.Name, m.Account, m.Region, p.Name, p.Account, p.Region).
			WithHint("mirror this repository into account %s, region %s", p.Account, p.Region))
	}
}

// checkPipelineBake resolves the bake recipe and returns it when declared.
func (c *checker) checkPipelineBake(p *estate.Pipeline) *estate.ImageRecipe {
	r, ok := lookup(c, &p.Doc, "bake.recipe", "ref-recipe", "image recipe", p.Bake.Recipe, c.ix.ImageRecipes)
	if !ok {
		return nil
	}
	for _, q := range c.e.Pipelines {
		if q == p {
			break
		}
		if q.Bake != nil && q.Bake.Recipe == r.Name && c.ix.Pipelines[q.Name] == q {
			c.report(diag.Errorf(p.Pos("bake.recipe"), "pipeline-bake-shared", "pipeline %s bakes image recipe %s too", q.Name, r.Name).
				WithHint("each pipeline publishes its build to its own bucket and the recipe's instances read one: bake %s from pipeline %s only, or give this pipeline a recipe of its own", r.Name, q.Name))
			break
		}
	}
	if r.Account != p.Account || r.Region != p.Region {
		c.report(diag.Errorf(p.Pos("bake.recipe"), "pipeline-bake-placement", "image recipe %s builds in account %s, region %s, but pipeline %s runs in account %s, region %s",
			r.Name, r.Account, r.Region, p.Name, p.Account, p.Region).
			WithHint("the pipeline starts the build itself: build the recipe where the pipeline runs and distribute the AMI to the targets"))
	}
	return r
}

// maxPipelineStages is CodePipeline's limit of stages in a pipeline (not
// adjustable).
const maxPipelineStages = 50

func (c *checker) checkPipelineTargets(p *estate.Pipeline, recipe *estate.ImageRecipe) {
	if p.Has("targets") && len(p.Targets) == 0 {
		c.report(diag.Errorf(p.Pos("targets"), "pipeline-targets", "pipeline %s deploys nowhere", p.Name).
			WithHint("list at least one target"))
	}
	// CodePipeline allows 50 stages: Source, Build, Bake when the
	// pipeline bakes, then one per target.
	fixed := 2
	if p.Bake != nil {
		fixed++
	}
	if len(p.Targets)+fixed > maxPipelineStages {
		first := maxPipelineStages - fixed
		c.report(diag.Errorf(p.Pos(estate.FieldPath(estate.ItemPath("targets", first), "name")), "pipeline-stages",
			"pipeline %s would have %d stages, %d before its targets and one per target; CodePipeline allows %d", p.Name, len(p.Targets)+fixed, fixed, maxPipelineStages).
			WithHint("this is target %d of at most %d: split the targets over several pipelines, e.g. one per environment", first+1, first))
	}
	names := map[string]int{}
	stacks := map[string]int{}
	autoScaling := false
	for i := range p.Targets {
		t := &p.Targets[i]
		tp := estate.ItemPath("targets", i)
		at := func(field string) string { return estate.FieldPath(tp, field) }
		if t.Name != "" {
			if !targetNamePattern.MatchString(t.Name) {
				c.report(diag.Errorf(p.Pos(at("name")), "pipeline-target-name", "target name %q is not a lowercase name of at most 31 characters", t.Name).
					WithHint("use lowercase letters, digits and dashes, starting with a letter, e.g. dev or prod"))
			} else if first, ok := names[t.Name]; ok {
				c.report(diag.Errorf(p.Pos(at("name")), "pipeline-target-duplicate", "target %s is declared twice", t.Name).
					WithHint("already targets[%d]; give each stage its own name", first))
			} else {
				names[t.Name] = i
			}
		}
		if t.Stack != "" && !stackNamePattern.MatchString(t.Stack) {
			c.report(diag.Errorf(p.Pos(at("stack")), "pipeline-stack-name", "%q is not a CloudFormation stack name", t.Stack).
				WithHint("start with a letter; use up to 128 letters, digits and dashes"))
		} else if strings.HasPrefix(t.Stack, "gitops-") {
			c.report(diag.Errorf(p.Pos(at("stack")), "pipeline-stack-reserved", "stack name %s starts with gitops-, which names the estate's own stacks", t.Stack).
				WithHint("name the application's stack after it, e.g. %s", strings.TrimPrefix(t.Stack, "gitops-")))
		} else if t.Stack != "" && t.Account != "" && t.Region != "" {
			key := t.Account + "/" + t.Region + "/" + t.Stack
			if first, ok := stacks[key]; ok {
				c.report(diag.Errorf(p.Pos(at("stack")), "pipeline-stack-duplicate", "targets[%d] already deploys stack %s in account %s, region %s", first, t.Stack, t.Account, t.Region).
					WithHint("two targets on one stack undo each other; deploy each stack once"))
			} else {
				stacks[key] = i
			}
		}
		a, placed := c.placement(&p.Doc, at("account"), t.Account, at("region"), t.Region)
		if placed && p.Region != "" && t.Region != p.Region {
			c.report(diag.Errorf(p.Pos(at("region")), "pipeline-target-region", "target %s deploys to %s, but pipeline %s runs in %s", t.Name, t.Region, p.Name, p.Region).
				WithHint("a cross-region action needs an artifact bucket in its region, which gitops does not plan yet: deploy to %s from a pipeline in %s", t.Region, t.Region))
		}
		if a != nil && a.Production && !t.Approval.BeforeExecute {
			c.report(diag.Errorf(p.Pos(at("approval.beforeExecute")), "pipeline-approval-production", "target %s executes a change set in production account %s without approval", t.Name, a.Name).
				WithHint("add approval: {beforeExecute: true} to target %s: someone reviews the change set before it runs", t.Name))
		}
		switch {
		case t.AutoScaling == nil && t.ECS == nil:
			c.report(diag.Errorf(p.Pos(tp), "pipeline-target-kind", "target %s says neither how to deploy: autoScaling nor ecs", t.Name).
				WithHint("give autoScaling (roll the baked AMI through an Auto Scaling group) or ecs (replace an ECS service's image)"))
		case t.AutoScaling != nil && t.ECS != nil:
			c.report(diag.Errorf(p.Pos(at("ecs")), "pipeline-target-kind", "target %s has both autoScaling and ecs", t.Name).
				WithHint("keep one; deploy the other kind from its own target"))
		case t.AutoScaling != nil:
			autoScaling = true
			c.checkAutoScaling(p, t, at("autoScaling"))
			c.checkBakeReaches(p, t, at("autoScaling"), recipe)
		}
	}
	if p.Bake != nil && !autoScaling && len(p.Targets) > 0 {
		c.report(diag.Warningf(p.Pos("bake"), "pipeline-bake-unused", "pipeline %s bakes an AMI that none of its targets deploys", p.Name).
			WithHint("remove bake, or deploy the AMI with an autoScaling target"))
	}
}

// checkBakeReaches checks an Auto Scaling target gets a baked AMI in its
// account and region.
func (c *checker) checkBakeReaches(p *estate.Pipeline, t *estate.PipelineTarget, path string, recipe *estate.ImageRecipe) {
	if p.Bake == nil {
		c.report(diag.Errorf(p.Pos(path), "pipeline-bake-missing", "target %s deploys an AMI, but pipeline %s bakes none", t.Name, p.Name).
			WithHint("add bake: {recipe: <image recipe>} to the pipeline"))
		return
	}
	if recipe == nil || t.Account == "" || t.Region == "" {
		return
	}
	for _, d := range recipe.Distribution {
		if d.Account == t.Account && d.Region == t.Region {
			return
		}
	}
	c.report(diag.Errorf(p.Pos(path), "pipeline-bake-distribution", "image recipe %s does not distribute its AMI to account %s, region %s, where target %s runs", recipe.Name, t.Account, t.Region, t.Name).
		WithHint("add `- {account: %s, region: %s}` to distribution in %s", t.Account, t.Region, recipe.File))
}

func (c *checker) checkAutoScaling(p *estate.Pipeline, t *estate.PipelineTarget, path string) {
	s := t.AutoScaling
	at := func(field string) string { return estate.FieldPath(path, field) }
	if ref, ok := c.vpc(&p.Doc, at("vpc"), s.VPC); ok {
		if ref.Network.Account != t.Account || ref.Network.Region != t.Region {
			c.report(diag.Errorf(p.Pos(at("vpc")), "pipeline-vpc-placement", "VPC %s is in account %s, region %s, but target %s deploys to account %s, region %s",
				ref.VPC.Name, ref.Network.Account, ref.Network.Region, t.Name, t.Account, t.Region).
				WithHint("use a VPC declared for %s in %s", t.Account, t.Region))
		} else if tier, ok := c.subnetTier(&p.Doc, at("subnets"), ref, s.Subnets); ok && tier.Type == "public" {
			c.report(diag.Warningf(p.Pos(at("subnets")), "pipeline-subnets-public", "target %s puts its instances in public subnet tier %s", t.Name, tier.Name).
				WithHint("run instances in a private tier behind the load balancer"))
		}
	}
	if s.InstanceType != "" && !instanceTypePattern.MatchString(s.InstanceType) {
		c.report(diag.Errorf(p.Pos(at("instanceType")), "pipeline-asg-instance-type", "%q is not an EC2 instance type", s.InstanceType).
			WithHint("write family.size, e.g. t3.small or m7g.large"))
	}
	switch {
	case s.MinSize < 0:
		c.report(diag.Errorf(p.Pos(at("minSize")), "pipeline-asg-capacity", "minSize %d is negative", s.MinSize).
			WithHint("use 0 or more"))
		return
	case s.MaxSize < 1:
		c.report(diag.Errorf(p.Pos(at("maxSize")), "pipeline-asg-capacity", "maxSize %d leaves no room for an instance", s.MaxSize).
			WithHint("use 1 or more"))
		return
	case s.MinSize > s.MaxSize:
		c.report(diag.Errorf(p.Pos(at("minSize")), "pipeline-asg-capacity", "minSize %d is above maxSize %d", s.MinSize, s.MaxSize).
			WithHint("raise maxSize to at least %d, or lower minSize", s.MinSize))
		return
	}
	if p.Has(at("desiredCapacity")) && (s.DesiredCapacity < s.MinSize || s.DesiredCapacity > s.MaxSize) {
		c.report(diag.Errorf(p.Pos(at("desiredCapacity")), "pipeline-asg-capacity", "desiredCapacity %d is outside minSize %d … maxSize %d", s.DesiredCapacity, s.MinSize, s.MaxSize).
			WithHint("use a value from %d to %d, or leave it out to start at minSize", s.MinSize, s.MaxSize))
	}
	if p.Has(at("minInstancesInService")) {
		switch {
		case s.MinInstancesInService < 0:
			c.report(diag.Errorf(p.Pos(at("minInstancesInService")), "pipeline-asg-min-in-service", "minInstancesInService %d is negative", s.MinInstancesInService).
				WithHint("use 0 or more"))
		case s.MinInstancesInService >= s.MaxSize:
			c.report(diag.Errorf(p.Pos(at("minInstancesInService")), "pipeline-asg-min-in-service", "minInstancesInService %d is not below maxSize %d, so the rolling update can never take an instance out to replace it", s.MinInstancesInService, s.MaxSize).
				WithHint("use at most %d, or leave it out for minSize-1", s.MaxSize-1))
		}
	}
	if p.Has(at("maxBatchSize")) {
		switch {
		case s.MaxBatchSize < 1:
			c.report(diag.Errorf(p.Pos(at("maxBatchSize")), "pipeline-asg-batch", "maxBatchSize %d replaces nothing", s.MaxBatchSize).
				WithHint("use 1 (one instance at a time) or more"))
		case s.MaxBatchSize > s.MaxSize:
			c.report(diag.Errorf(p.Pos(at("maxBatchSize")), "pipeline-asg-batch", "maxBatchSize %d is above maxSize %d", s.MaxBatchSize, s.MaxSize).
				WithHint("use at most %d; 1 replaces one instance at a time", s.MaxSize))
		}
	}
	if s.PauseTime != "" {
		if secs, ok := pauseSeconds(s.PauseTime); !ok {
			c.report(diag.Errorf(p.Pos(at("pauseTime")), "pipeline-asg-pause-time", "%q is not an ISO 8601 duration", s.PauseTime).
				WithHint("write PT#H#M#S, e.g. PT15M or PT1H"))
		} else if secs > 3600 {
			c.report(diag.Errorf(p.Pos(at("pauseTime")), "pipeline-asg-pause-time", "pauseTime %s is longer than the one hour CloudFormation allows", s.PauseTime).
				WithHint("use PT1H or less"))
		}
	}
	if p.Has(at("port")) && (s.Port < 1 || s.Port > 65535) {
		c.report(diag.Errorf(p.Pos(at("port")), "pipeline-asg-port", "port %d is not a TCP port", s.Port).
			WithHint("use 1 to 65535"))
	}
	if s.HealthCheckPath != "" && !strings.HasPrefix(s.HealthCheckPath, "/") {
		c.report(diag.Errorf(p.Pos(at("healthCheckPath")), "pipeline-asg-health-check-path", "health check path %q does not start with /", s.HealthCheckPath).
			WithHint("write the path only, e.g. /health"))
	}
}

// pauseSeconds parses an ISO 8601 duration of hours, minutes and seconds.
func pauseSeconds(s string) (int, bool) {
	m := pauseTimePattern.FindStringSubmatch(s)
	if m == nil || s == "PT" {
		return 0, false
	}
	total := 0
	for i, unit := range []int{3600, 60, 1} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n > 1_000_000 {
			return 0, false
		}
		total += n * unit
	}
	return total, true
}

func (c *checker) checkNotifications(p *estate.Pipeline) {
	n := p.Notifications
	if n.Chat == nil && n.SNS == nil {
		c.report(diag.Errorf(p.Pos("notifications"), "pipeline-notifications", "pipeline %s tells nobody when an approval waits or a deploy ends", p.Name).
			WithHint("add notifications.chat (kind and webhookSecret) or notifications.sns (emails)"))
	}
	if ch := n.Chat; ch != nil {
		if ch.Kind != "" && !slices.Contains(chatKinds, ch.Kind) {
			c.report(diag.Errorf(p.Pos("notifications.chat.kind"), "pipeline-chat-kind", "chat kind %q is not slack, teams or chime", ch.Kind).
				WithHint("%s", cmp.Or(diag.DidYouMean(ch.Kind, chatKinds), "use slack, teams or chime")))
		}
		w := ch.WebhookSecret
		lower := strings.ToLower(w)
		switch {
		case strings.HasPrefix(lower, "https://") || strings.HasPrefix(lower, "http://"):
			c.report(diag.Errorf(p.Pos("notifications.chat.webhookSecret"), "pipeline-chat-webhook-url", "webhookSecret holds the webhook URL itself, a credential now in the repository").
				WithHint("revoke this webhook, store the new URL in a Secrets Manager secret and give the secret's name here, e.g. gitops/%s-webhook", cmp.Or(ch.Kind, "chat")))
		case w != "" && !secretNamePattern.MatchString(w) && !secretARNPattern.MatchString(w):
			c.report(diag.Errorf(p.Pos("notifications.chat.webhookSecret"), "pipeline-chat-webhook-secret", "%q is not a Secrets Manager secret name", w).
				WithHint("give the secret's name (letters, digits and /_+=.@-) or its ARN"))
		}
	}
	if n.SNS != nil {
		for i, e := range n.SNS.Emails {
			if !emailAddress(e) {
				c.report(diag.Errorf(p.Pos(fmt.Sprintf("notifications.sns.emails[%d]", i)), "pipeline-sns-email", "%q is not an email address", e).
					WithHint("write the bare address, e.g. team@example.com"))
			}
		}
	}
}
