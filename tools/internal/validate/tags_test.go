package validate

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
)

// tagRule ties an enum or pattern of a model field's jsonschema tag to the
// check that enforces it: the rule, and where to try values in the
// example estate.
type tagRule struct {
	// file, doc (the document's index in the file) and path place the
	// field in the example estate.
	file string
	doc  int
	path string
	// rule is the rule refusing a bad value; alternatives are separated by
	// | (a more specific rule may speak first).
	rule string
	// good are values the tag and the check must both accept (an enum's
	// values are added); bad values both must refuse.
	good, bad []string
}

// tagRules has an entry for every field whose tag holds an enum or a
// pattern (TestEveryTagHasItsRule keeps it complete), by Go type and YAML
// key. The kind: enums are the loader's, checked against estate.Kinds.
var tagRules = map[string]tagRule{
	"Account.name":           {file: "accounts/dev.yaml", path: "name", rule: "account-name", good: []string{"dev", "a", "a-1", strings.Repeat("a", 63)}, bad: []string{"Dev", "1dev", "dev_1", strings.Repeat("a", 64)}},
	"Account.id":             {file: "accounts/dev.yaml", path: "id", rule: "account-id", good: []string{"012345678901"}, bad: []string{"12345678901", "1234567890123", "12345678901a"}},
	"Account.role":           {file: "accounts/dev.yaml", path: "role", rule: "account-role", bad: []string{"Workload", "admin"}},
	"Account.deployRoleName": {file: "accounts/dev.yaml", path: "deployRoleName", rule: "account-deploy-role", good: []string{"gitops-deploy", "a+b=c,d.e@f_g", strings.Repeat("r", 64)}, bad: []string{"with space", "a/b", strings.Repeat("r", 65)}},

	"VPC.name":               {file: "environments/dev/network.yaml", path: "vpcs[0].name", rule: "vpc-name", good: []string{"dev-app", strings.Repeat("v", 63)}, bad: []string{"Dev", "dev_app", strings.Repeat("v", 64)}},
	"SubnetTier.name":        {file: "environments/dev/network.yaml", path: "vpcs[0].subnets[0].name", rule: "subnet-tier-name", good: []string{"public", "tier2", strings.Repeat("t", 31)}, bad: []string{"Public", "pub-lic", "2tier", strings.Repeat("t", 32)}},
	"SubnetTier.type":        {file: "environments/dev/network.yaml", path: "vpcs[0].subnets[0].type", rule: "subnet-tier-type", bad: []string{"Public", "dmz"}},
	"Egress.type":            {file: "environments/dev/network.yaml", path: "vpcs[0].egress.type", rule: "egress-type", bad: []string{"nat", "NatGateway"}},
	"FlowLogs.trafficType":   {file: "environments/prod/network.yaml", path: "vpcs[0].flowLogs.trafficType", rule: "flowlogs-traffic-type", bad: []string{"all", "DROP"}},
	"FlowLogs.retentionDays": {file: "environments/prod/network.yaml", path: "vpcs[0].flowLogs.retentionDays", rule: "flowlogs-retention", bad: []string{"2", "366", "3654"}},

	"IntentGroup.name":            {file: "environments/tooling/transit-gateway.yaml", path: "intents.groups[0].name", rule: "reach-group", good: []string{"workloads", strings.Repeat("g", 63)}, bad: []string{"Workloads", "work_loads", strings.Repeat("g", 64)}},
	"IntentGroup.role":            {file: "environments/tooling/transit-gateway.yaml", path: "intents.groups[0].role", rule: "reach-group", bad: []string{"admin", "Workload"}},
	"TransitGateway.name":         {file: "environments/tooling/transit-gateway.yaml", path: "name", rule: "tgw-name", good: []string{"hub", strings.Repeat("h", 63)}, bad: []string{"Hub", "hub_1", strings.Repeat("h", 64)}},
	"TransitGateway.organization": {file: "environments/tooling/transit-gateway.yaml", path: "organization", rule: "tgw-organization", good: []string{"arn:aws:organizations::111111111111:organization/o-exampleorgid", "arn:aws:organizations::111111111111:ou/o-exampleorgid/ou-ab12-cd34ef56"}, bad: []string{"o-exampleorgid", "arn:aws:organizations::111111111111:root/o-exampleorgid/r-ab12", "arn:aws:iam::111111111111:organization/o-x"}},
	"TGWAttachment.name":          {file: "environments/tooling/transit-gateway.yaml", path: "attachments[0].name", rule: "tgw-name", good: []string{"gitlab-2"}, bad: []string{"GitLab", "git lab"}},
	"TGWRouteTable.name":          {file: "environments/tooling/transit-gateway.yaml", path: "routeTables[0].name", rule: "tgw-name", good: []string{"shared-services"}, bad: []string{"Shared", "shared_services"}},

	"GitLab.name":              {file: "environments/tooling/gitlab.yaml", path: "name", rule: "gitlab-name", good: []string{"gitlab", strings.Repeat("g", 31)}, bad: []string{"GitLab", "git_lab", strings.Repeat("g", 32)}},
	"GitLabImage.source":       {file: "environments/tooling/gitlab.yaml", path: "image.source", rule: "gitlab-image-source", bad: []string{"ecr", "EcrCopy"}},
	"GitLab.cpu":               {file: "environments/tooling/gitlab.yaml", path: "cpu", rule: "gitlab-cpu", bad: []string{"512", "3072", "32768"}},
	"GitLabEFS.throughputMode": {file: "environments/tooling/gitlab.yaml", path: "efs.throughputMode", rule: "gitlab-efs-throughput", bad: []string{"provisioned", "Elastic"}},
	"GitLabDatabase.type":      {file: "environments/tooling/gitlab.yaml", path: "database.type", rule: "gitlab-database-type", bad: []string{"rds", "Aurora"}},
	"GitLabSMTP.type":          {file: "environments/tooling/gitlab.yaml", path: "smtp.type", rule: "gitlab-smtp-type", bad: []string{"smtp", "SES"}},
	"GitLabALB.scheme":         {file: "environments/tooling/gitlab.yaml", path: "alb.scheme", rule: "gitlab-alb-scheme", bad: []string{"public", "Internal"}},
	"HostedZone.id":            {file: "environments/tooling/gitlab.yaml", path: "alb.hostedZone.id", rule: "gitlab-hosted-zone-id", good: []string{"Z0123456789ABCDEFGHIJ", "Z1"}, bad: []string{"z0123", "Z", "X0123", "Z01234567890123456789012345678901"}},
	"GitLabALB.certificateArn": {file: "environments/tooling/gitlab.yaml", path: "alb.certificateArn", rule: "gitlab-certificate-arn|gitlab-certificate-account", good: []string{"arn:aws:acm:eu-west-1:100000000001:certificate/abc"}, bad: []string{"arn:aws:iam::100000000001:certificate/abc", "arn:aws:acm:eu-west-1:1000:certificate/abc", "acm:eu-west-1:100000000001:certificate/abc"}},
	"GitLab.logRetentionDays":  {file: "environments/tooling/gitlab.yaml", path: "logRetentionDays", rule: "gitlab-log-retention", bad: []string{"2", "366", "3654"}},

	"Mirror.name":                      {file: "environments/tooling/mirrors.yaml", path: "name", rule: "mirror-name", good: []string{"webapp", strings.Repeat("m", 63)}, bad: []string{"WebApp", "web_app", strings.Repeat("m", 64)}},
	"Mirror.project":                   {file: "environments/tooling/mirrors.yaml", path: "project", rule: "mirror-project", good: []string{"platform/webapp", "a/b/c.d_e-f"}, bad: []string{"webapp", "platform/", "/webapp", "platform/web app"}},
	"CodeCommitTarget.repository":      {file: "environments/tooling/mirrors.yaml", path: "codeCommit.repository", rule: "mirror-repository", good: []string{"webapp", "Web_App.v2", strings.Repeat("r", 100)}, bad: []string{"web app", "web/app", strings.Repeat("r", 101)}},
	"CodeConnectionsTarget.connection": {file: "environments/tooling/mirrors.yaml", doc: 1, path: "codeConnections.connection", rule: "mirror-connection", good: []string{"gitlab-infra", strings.Repeat("c", 32)}, bad: []string{"gitlab infra", strings.Repeat("c", 33)}},

	"Pipeline.name":               {file: "environments/tooling/pipelines/webapp.yaml", path: "name", rule: "pipeline-name", good: []string{"webapp", strings.Repeat("p", 63)}, bad: []string{"WebApp", "web_app", strings.Repeat("p", 64)}},
	"PipelineBuild.computeType":   {file: "environments/tooling/pipelines/webapp.yaml", path: "build.computeType", rule: "pipeline-build-compute-type", bad: []string{"BUILD_GENERAL1_HUGE", "small"}},
	"PipelineTarget.name":         {file: "environments/tooling/pipelines/webapp.yaml", path: "targets[0].name", rule: "pipeline-target-name", good: []string{"dev", strings.Repeat("t", 31)}, bad: []string{"Dev", "de_v", strings.Repeat("t", 32)}},
	"PipelineTarget.stack":        {file: "environments/tooling/pipelines/webapp.yaml", path: "targets[0].stack", rule: "pipeline-stack-name", good: []string{"webapp-dev", "W" + strings.Repeat("s", 127)}, bad: []string{"1webapp", "web_app", "W" + strings.Repeat("s", 128)}},
	"AutoScalingTarget.pauseTime": {file: "environments/tooling/pipelines/webapp.yaml", path: "targets[2].autoScaling.pauseTime", rule: "pipeline-asg-pause-time", good: []string{"PT15M", "PT1H", "PT30S", "PT0S"}, bad: []string{"15M", "PT15m", "P1D"}},
	"ChatNotification.kind":       {file: "environments/tooling/pipelines/webapp.yaml", path: "notifications.chat.kind", rule: "pipeline-chat-kind", bad: []string{"Slack", "discord"}},
	"ImageRecipe.name":            {file: "imagerecipes/webapp.yaml", path: "name", rule: "recipe-name", good: []string{"webapp", strings.Repeat("r", 63)}, bad: []string{"WebApp", "web_app", strings.Repeat("r", 64)}},
	"ImageRecipe.version":         {file: "imagerecipes/webapp.yaml", path: "version", rule: "recipe-version", good: []string{"1.0.0", "10.20.30"}, bad: []string{"1.0", "v1.0.0", "1.0.0-rc1"}},
	"RecipeParent.ami":            {file: "imagerecipes/golden-base.yaml", path: "parent.ami", rule: "recipe-parent-ami", good: []string{"ami-0123abcd", "ami-0123456789abcdef0"}, bad: []string{"ami-0123abc", "ami-0123456789abcdef", "ami-0123456789ABCDEF0", "ami-0123456789abcdef01"}},
	"ComponentRef.arn":            {file: "imagerecipes/webapp.yaml", path: "components[20].arn", rule: "recipe-component-arn", good: []string{"arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/1.0.x"}, bad: []string{"arn:aws:s3:::bucket", "imagebuilder:eu-west-1:aws:component/x/1.0.0"}},
	"RecipeSchedule.cron":         {file: "imagerecipes/golden-base.yaml", path: "schedule.cron", rule: "recipe-schedule", good: []string{"cron(0 3 ? * sun *)"}, bad: []string{"0 3 * * 0", "rate(1 day)"}},
	"ComponentParameter.type":     {file: "imagerecipes/components/webapp-install.yaml", path: "parameters[0].Port.type", rule: "component-variable", bad: []string{"int", "String"}},
	"Phase.name":                  {file: "imagerecipes/components/cis-hardening.yaml", path: "phases[0].name", rule: "component-phase", bad: []string{"Build", "deploy"}},
	"Step.name":                   {file: "imagerecipes/components/cis-hardening.yaml", path: "phases[0].steps[0].name", rule: "component-step-name", good: []string{"Harden_SSH-2"}, bad: []string{"Harden SSH", "Harden.SSH"}},
	"Step.onFailure":              {file: "imagerecipes/components/cis-hardening.yaml", path: "phases[0].steps[0].onFailure", rule: "component-on-failure", bad: []string{"abort", "Retry"}},
}

// tagConstraint is a field's enum values or pattern, from its tag.
type tagConstraint struct {
	enum    []string
	pattern *regexp.Regexp
}

func (c tagConstraint) accepts(v string) bool {
	if c.pattern != nil {
		return c.pattern.MatchString(v)
	}
	return slices.Contains(c.enum, v)
}

// modelConstraints walks every kind's type and the component's, and returns
// each field's tag constraint by Type.key.
func modelConstraints(t *testing.T) map[string]tagConstraint {
	out := map[string]tagConstraint{}
	seen := map[reflect.Type]bool{}
	var walk func(typ reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for f := range typ.Fields() {
			key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			tag := f.Tag.Get("jsonschema")
			var c tagConstraint
			if p, ok := strings.CutPrefix(tag, "pattern="); ok {
				re, err := regexp.Compile(p)
				if err != nil {
					t.Fatalf("%s.%s: %v", typ.Name(), key, err)
				}
				c.pattern = re
			}
			for _, kw := range strings.Split(tag, ",") {
				if v, ok := strings.CutPrefix(kw, "enum="); ok {
					c.enum = append(c.enum, v)
				}
			}
			if c.pattern != nil || c.enum != nil {
				out[typ.Name()+"."+key] = c
			}
			walk(f.Type)
		}
	}
	for _, k := range estate.Kinds {
		walk(k.Type)
	}
	walk(reflect.TypeFor[estate.Component]())
	return out
}

func TestEveryTagHasItsRule(t *testing.T) {
	kinds := map[string]bool{}
	for _, k := range estate.Kinds {
		kinds[k.Type.Name()+".kind"] = true
	}
	constraints := modelConstraints(t)
	for field, c := range constraints {
		if kinds[field] {
			// The loader picks the type by kind:, so a document's kind is
			// its type's row in estate.Kinds.
			k, ok := estate.LookupKind(strings.TrimSuffix(field, ".kind"))
			if !ok || !slices.Equal(c.enum, []string{k.Kind}) {
				t.Errorf("%s: tag enum %q is not the kind table's %q", field, c.enum, k.Kind)
			}
			continue
		}
		if _, ok := tagRules[field]; !ok {
			t.Errorf("%s has a tag constraint (%v %v) that no entry of tagRules ties to a check", field, c.enum, c.pattern)
		}
	}
	for field := range tagRules {
		if _, ok := constraints[field]; !ok {
			t.Errorf("tagRules has %s, which has no enum or pattern in its tag", field)
		}
	}
}

// TestTagsAgreeWithTheirRules tries each tagged field of the example estate
// with values the schema accepts and refuses: the check must refuse exactly
// the values the schema refuses, under its rule.
func TestTagsAgreeWithTheirRules(t *testing.T) {
	constraints := modelConstraints(t)
	for field, tr := range tagRules {
		c := constraints[field]
		t.Run(field, func(t *testing.T) {
			t.Parallel()
			values := slices.Concat(c.enum, tr.good, tr.bad)
			for _, v := range tr.good {
				if !c.accepts(v) {
					t.Errorf("the schema refuses %q, listed as good", v)
				}
			}
			for _, v := range tr.bad {
				if c.accepts(v) {
					t.Errorf("the schema accepts %q, listed as bad", v)
				}
			}
			for _, v := range values {
				fired, err := ruleFires(tr, v)
				if err != nil {
					t.Fatal(err)
				}
				if fired == c.accepts(v) {
					t.Errorf("value %q: the schema accepts it: %v, rule %s fires: %v", v, c.accepts(v), tr.rule, fired)
				}
			}
		})
	}
}

// ruleFires loads the example estate, sets the value at tr's path of tr's
// file and tells whether validation reports tr.rule in that file.
func ruleFires(tr tagRule, value string) (bool, error) {
	e, _, err := load.LoadEstate("../../..")
	if err != nil {
		return false, err
	}
	var inFile []any
	for _, d := range e.Documents() {
		if d.(interface{ Document() *estate.Doc }).Document().File == tr.file {
			inFile = append(inFile, d)
		}
	}
	if tr.doc >= len(inFile) {
		return false, fmt.Errorf("the example estate has no document %d in %s", tr.doc, tr.file)
	}
	doc := inFile[tr.doc]
	if err := setPath(reflect.ValueOf(doc).Elem(), tr.path, value); err != nil {
		return false, fmt.Errorf("%s: %s: %v", tr.file, tr.path, err)
	}
	doc.(interface{ Document() *estate.Doc }).Document().Record(tr.path, 1, 1)
	for _, d := range Estate(e).Items() {
		if slices.Contains(strings.Split(tr.rule, "|"), d.Rule) && d.Pos.File == tr.file {
			return true, nil
		}
	}
	return false, nil
}

// setPath sets the value at path (keys by YAML name, [i] indexes, map keys)
// below v, making pointers, list items and map entries on the way.
func setPath(v reflect.Value, path, value string) error {
	if path == "" {
		switch v.Kind() {
		case reflect.String:
			v.SetString(value)
		case reflect.Int, reflect.Int64:
			n, err := strconv.Atoi(value)
			if err != nil {
				return err
			}
			v.SetInt(int64(n))
		default:
			return fmt.Errorf("cannot set a %s", v.Type())
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return setPath(v.Elem(), path, value)
	case reflect.Slice:
		end := strings.IndexByte(path, ']')
		i, err := strconv.Atoi(path[1:end])
		if err != nil {
			return err
		}
		for v.Len() <= i {
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		}
		return setPath(v.Index(i), path[end+1:], value)
	case reflect.Map:
		path = strings.TrimPrefix(path, ".")
		key, rest := path, ""
		if i := strings.IndexAny(path, ".["); i >= 0 {
			key, rest = path[:i], path[i:]
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		if old := v.MapIndex(reflect.ValueOf(key)); old.IsValid() {
			elem.Set(old)
		}
		if err := setPath(elem, rest, value); err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(key), elem)
		return nil
	case reflect.Struct:
		path = strings.TrimPrefix(path, ".")
		key, rest := path, ""
		if i := strings.IndexAny(path, ".["); i >= 0 {
			key, rest = path[:i], path[i:]
		}
		for i := range v.NumField() {
			name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
			if name == key {
				return setPath(v.Field(i), rest, value)
			}
		}
		return fmt.Errorf("%s has no key %s", v.Type(), key)
	}
	return fmt.Errorf("cannot go into a %s", v.Type())
}
