package synth

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/stacks"
)

// An offline IAM evaluator over the generated templates, enough for the
// policies gitops writes: identity policies (inline) under the account's
// permissions boundary, explicit denies, action and resource wildcards,
// the condition operators the templates use, and trust policies for
// sts:AssumeRole. It answers "may this role do this?" the way IAM does for
// one account: allowed only if an identity statement allows it, the
// boundary allows it and no statement of either denies it.

// evalRole is a role of a generated template, its intrinsics resolved.
type evalRole struct {
	ARN        string
	AccountID  string
	Statements []evalStatement
	Trust      []evalStatement
	// Boundary is the ARN of its permissions boundary ("" if none);
	// Managed are its managed policy ARNs.
	Boundary string
	Managed  []string
}

type evalStatement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []string
	// Principals are the AWS principals of a trust statement.
	Principals []string
	Conditions map[string]map[string][]string
}

// evalEstate holds every role and every account's boundary.
type evalEstate struct {
	roles      map[string]*evalRole // by ARN
	boundaries map[string][]evalStatement
}

// loadEvalEstate reads every template of a plan's synthesis.
func loadEvalEstate(t *testing.T, p *stacks.Plan, templates map[string][]byte) *evalEstate {
	t.Helper()
	e := &evalEstate{roles: map[string]*evalRole{}, boundaries: map[string][]evalStatement{}}
	for _, s := range p.Stacks {
		var tmpl struct {
			Resources map[string]struct {
				Type       string         `json:"Type"`
				Properties map[string]any `json:"Properties"`
			} `json:"Resources"`
		}
		if err := json.Unmarshal(templates[s.Template], &tmpl); err != nil {
			t.Fatalf("%s: %v", s.Template, err)
		}
		r := &resolver{stack: s, names: map[string]string{}}
		for id, res := range tmpl.Resources {
			switch res.Type {
			case "AWS::IAM::Role":
				name, _ := res.Properties["RoleName"].(string)
				if name == "" {
					name = s.Name + "-" + id + "-GENERATED"
				}
				r.names[id] = "arn:aws:iam::" + s.AccountID + ":role/" + name
			case "AWS::IAM::ManagedPolicy":
				r.names[id] = "arn:aws:iam::" + s.AccountID + ":policy/" + res.Properties["ManagedPolicyName"].(string)
			}
		}
		// The estate's own managed policies (the execution role's): their
		// statements count as the role's own.
		customer := map[string][]evalStatement{}
		for id, res := range tmpl.Resources {
			if res.Type == "AWS::IAM::ManagedPolicy" && res.Properties["ManagedPolicyName"] != stacks.BoundaryName {
				customer[r.names[id]] = r.statements(res.Properties["PolicyDocument"])
			}
		}
		for id, res := range tmpl.Resources {
			switch res.Type {
			case "AWS::IAM::Role":
				role := &evalRole{ARN: r.names[id], AccountID: s.AccountID}
				role.Trust = r.statements(res.Properties["AssumeRolePolicyDocument"])
				if pols, ok := res.Properties["Policies"].([]any); ok {
					for _, pol := range pols {
						role.Statements = append(role.Statements, r.statements(pol.(map[string]any)["PolicyDocument"])...)
					}
				}
				role.Boundary = r.str(res.Properties["PermissionsBoundary"])
				for _, m := range r.strs(res.Properties["ManagedPolicyArns"]) {
					if statements, ok := customer[m]; ok {
						role.Statements = append(role.Statements, statements...)
						continue
					}
					role.Managed = append(role.Managed, m)
				}
				e.roles[role.ARN] = role
			case "AWS::IAM::ManagedPolicy":
				if res.Properties["ManagedPolicyName"] == stacks.BoundaryName {
					e.boundaries[s.AccountID] = r.statements(res.Properties["PolicyDocument"])
				}
			}
		}
	}
	return e
}

// resolver resolves the intrinsics of one stack's template.
type resolver struct {
	stack *stacks.Stack
	names map[string]string // logical ID → ARN, for roles and policies
}

func (r *resolver) str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			switch ref {
			case "AWS::Partition":
				return "aws"
			case "AWS::Region":
				return r.stack.Region
			case "AWS::AccountId":
				return r.stack.AccountID
			}
			if arn, ok := r.names[ref]; ok {
				return arn
			}
			return "arn:aws:ref:" + r.stack.Region + ":" + r.stack.AccountID + ":" + ref
		}
		if join, ok := v["Fn::Join"].([]any); ok {
			var parts []string
			for _, p := range join[1].([]any) {
				parts = append(parts, r.str(p))
			}
			return strings.Join(parts, join[0].(string))
		}
		if att, ok := v["Fn::GetAtt"].([]any); ok {
			if arn, ok := r.names[att[0].(string)]; ok {
				return arn
			}
			return "arn:aws:getatt:" + r.stack.Region + ":" + r.stack.AccountID + ":" + att[0].(string)
		}
		if sub, ok := v["Fn::Sub"].(string); ok {
			return strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::Region}", r.stack.Region, "${AWS::AccountId}", r.stack.AccountID).Replace(sub)
		}
	}
	panic(fmt.Sprintf("cannot resolve %v", v))
}

func (r *resolver) strs(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, r.str(x))
		}
		return out
	}
	return []string{r.str(v)}
}

func (r *resolver) statements(doc any) []evalStatement {
	var out []evalStatement
	for _, raw := range doc.(map[string]any)["Statement"].([]any) {
		st := raw.(map[string]any)
		s := evalStatement{Effect: st["Effect"].(string), Actions: r.strs(st["Action"]), Resources: r.strs(st["Resource"])}
		s.Sid, _ = st["Sid"].(string)
		if pr, ok := st["Principal"].(map[string]any); ok {
			s.Principals = r.strs(pr["AWS"])
		}
		if conds, ok := st["Condition"].(map[string]any); ok {
			s.Conditions = map[string]map[string][]string{}
			for op, kv := range conds {
				s.Conditions[op] = map[string][]string{}
				for k, v := range kv.(map[string]any) {
					s.Conditions[op][k] = r.strs(v)
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// request is one question: may the role call action on resource, with
// these request context keys?
type request struct {
	action, resource string
	context          map[string]string
}

// decision is IAM's answer for one policy set: allowed, or not, and which
// statement decided.
func evalStatements(statements []evalStatement, q request) (allowed, denied bool) {
	for _, s := range statements {
		if !matchAny(s.Actions, q.action) || !matchAny(s.Resources, q.resource) || !conditionsHold(s.Conditions, q.context) {
			continue
		}
		if s.Effect == "Deny" {
			return false, true
		}
		allowed = true
	}
	return allowed, false
}

// may answers whether the role is allowed the request.
func (e *evalEstate) may(t *testing.T, roleARN string, q request) bool {
	t.Helper()
	role := e.roles[roleARN]
	if role == nil {
		t.Fatalf("no role %s in the templates", roleARN)
	}
	if len(role.Managed) > 0 && !strings.HasPrefix(q.action, "sts:") {
		// AWS managed policies are not in the templates; the roles holding
		// them are checked by name (TestNoAdministrator).
		for _, m := range role.Managed {
			if strings.HasSuffix(m, "/AdministratorAccess") {
				return true
			}
		}
	}
	allowed, denied := evalStatements(role.Statements, q)
	if denied || !allowed {
		return false
	}
	if role.Boundary != "" {
		b, ok := e.boundaries[role.AccountID]
		if !ok {
			t.Fatalf("role %s has boundary %s, which no template of its account makes", roleARN, role.Boundary)
		}
		if allowed, denied := evalStatements(b, q); denied || !allowed {
			return false
		}
	}
	return true
}

// mayAssume answers whether principal may assume target: its own policy
// allows sts:AssumeRole on target, and target's trust names it.
func (e *evalEstate) mayAssume(t *testing.T, principal, target string) bool {
	t.Helper()
	tr := e.roles[target]
	if tr == nil || !e.may(t, principal, request{action: "sts:AssumeRole", resource: target}) {
		return false
	}
	account := strings.Split(principal, ":")[4]
	ctx := map[string]string{"aws:PrincipalArn": principal}
	for _, s := range tr.Trust {
		if s.Effect == "Allow" && slices.Contains(s.Principals, "arn:aws:iam::"+account+":root") && conditionsHold(s.Conditions, ctx) {
			return true
		}
	}
	return false
}

// reachable are the roles principal can end up as by assuming roles, with
// principal itself.
func (e *evalEstate) reachable(t *testing.T, principal string) []string {
	seen := []string{principal}
	for i := 0; i < len(seen); i++ {
		for arn := range e.roles {
			if !slices.Contains(seen, arn) && e.mayAssume(t, seen[i], arn) {
				seen = append(seen, arn)
			}
		}
	}
	slices.Sort(seen)
	return seen
}

func matchAny(patterns []string, v string) bool {
	for _, p := range patterns {
		if glob(p, v, strings.Contains(p, ":") && !strings.HasPrefix(p, "arn:")) {
			return true
		}
	}
	return false
}

// glob matches IAM's * and ? wildcards; actions match case-insensitively.
func glob(pattern, v string, fold bool) bool {
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(pattern)) + "$"
	if fold {
		re = "(?i)" + re
	}
	return regexp.MustCompile(re).MatchString(v)
}

// conditionsHold evaluates a condition block: every operator, every key,
// any of a key's values (a negated operator: none of them). A key missing
// from the request fails a positive operator and passes a negated one.
func conditionsHold(conds map[string]map[string][]string, ctx map[string]string) bool {
	for op, kv := range conds {
		for k, values := range kv {
			got, present := ctx[k]
			base := strings.TrimPrefix(op, "ForAnyValue:")
			negated := strings.Contains(base, "Not")
			if !present {
				if !negated {
					return false
				}
				continue
			}
			match := false
			for _, want := range values {
				switch strings.Replace(base, "Not", "", 1) {
				case "StringEquals", "ArnEquals", "Bool":
					match = match || got == want
				case "StringLike", "ArnLike":
					match = match || glob(want, got, false)
				default:
					panic("condition operator " + op + " is not evaluated; add it")
				}
			}
			if match == negated {
				return false
			}
		}
	}
	return true
}

// fixtureEval evaluates the fixture estate's templates.
func fixtureEval(t *testing.T) *evalEstate {
	p, templates := fixtureTemplates(t)
	byID := map[string][]byte{}
	for _, s := range p.Stacks {
		byID[s.Template] = templates[s.Template]
	}
	return loadEvalEstate(t, p, byID)
}

// Accounts and roles of the fixture estate.
const (
	toolingID = "111111111111"
	prodID    = "222222222222"
)

// templateObject is an object of an account's template bucket in a region.
func templateObject(account, region, key string) string {
	return "arn:aws:s3:::" + stacks.TemplateBucketName(account, region) + "/" + key
}

func roleARN(account, name string) string { return "arn:aws:iam::" + account + ":role/" + name }
func stackARN(account, region, name string) string {
	return "arn:aws:cloudformation:" + region + ":" + account + ":stack/" + name + "/0a1b2c3d"
}

func TestDenials(t *testing.T) {
	e := fixtureEval(t)
	boundary := "arn:aws:iam::" + prodID + ":policy/" + stacks.BoundaryName
	exec := roleARN(prodID, stacks.ExecutionRoleName)
	appStack := stackARN(prodID, "eu-west-1", "app-prod")
	estateStack := stackARN(prodID, "eu-west-1", "gitops-network")
	mirrors := roleARN(toolingID, stacks.MirrorsSyncRoleName())
	smtp := roleARN(toolingID, stacks.SMTPCredentialsRoleName())
	toolingUser := func(name string) string { return "arn:aws:iam::" + toolingID + ":user/" + name }
	toolingSecret := func(name string) string {
		return "arn:aws:secretsmanager:eu-west-1:" + toolingID + ":secret:" + name
	}
	for _, tc := range []struct {
		question string
		role     string
		q        request
		want     bool
	}{
		// The plan role makes change sets, never runs them.
		{"can the plan role execute a change set?", roleARN(prodID, stacks.PlanRoleName), request{action: "cloudformation:ExecuteChangeSet", resource: estateStack}, false},
		{"can the plan role delete a stack?", roleARN(prodID, stacks.PlanRoleName), request{action: "cloudformation:DeleteStack", resource: estateStack}, false},
		{"can the plan role create a change set?", roleARN(prodID, stacks.PlanRoleName), request{action: "cloudformation:CreateChangeSet", resource: estateStack}, true},
		// Pipelines deploy their own stacks, nobody else's.
		{"can pipeline app execute its change set?", roleARN(prodID, "gitops-deploy-app"), request{action: "cloudformation:ExecuteChangeSet", resource: appStack}, true},
		{"can pipeline api touch pipeline app's stack?", roleARN(prodID, "gitops-deploy-api"), request{action: "cloudformation:CreateChangeSet", resource: appStack}, false},
		{"can pipeline api execute pipeline app's change set?", roleARN(prodID, "gitops-deploy-api"), request{action: "cloudformation:ExecuteChangeSet", resource: appStack}, false},
		{"can pipeline app change the estate's stacks?", roleARN(prodID, "gitops-deploy-app"), request{action: "cloudformation:ExecuteChangeSet", resource: estateStack}, false},
		{"can apply execute a pipeline's change set?", roleARN(prodID, "prod-deployer"), request{action: "cloudformation:ExecuteChangeSet", resource: appStack}, false},
		{"can apply execute the estate's change sets?", roleARN(prodID, "prod-deployer"), request{action: "cloudformation:ExecuteChangeSet", resource: estateStack}, true},
		{"can apply pass the execution role?", roleARN(prodID, "prod-deployer"), request{action: "iam:PassRole", resource: exec, context: map[string]string{"iam:PassedToService": "cloudformation.amazonaws.com"}}, true},
		{"can apply pass the execution role to EC2?", roleARN(prodID, "prod-deployer"), request{action: "iam:PassRole", resource: exec, context: map[string]string{"iam:PassedToService": "ec2.amazonaws.com"}}, false},
		// Bake publishes AMI ids and nothing else.
		{"can the publish role write its AMI parameter?", roleARN(prodID, stacks.PublishRoleName), request{action: "ssm:PutParameter", resource: "arn:aws:ssm:eu-west-1:" + prodID + ":parameter/gitops/ami/app"}, true},
		{"can the publish role write another parameter?", roleARN(prodID, stacks.PublishRoleName), request{action: "ssm:PutParameter", resource: "arn:aws:ssm:eu-west-1:" + prodID + ":parameter/other"}, false},
		{"can the publish role create a change set?", roleARN(prodID, stacks.PublishRoleName), request{action: "cloudformation:CreateChangeSet", resource: appStack}, false},
		// The execution role: only under the boundary, never an administrator.
		{"can the execution role create a role without the boundary?", exec, request{action: "iam:CreateRole", resource: roleARN(prodID, "app-prod-InstanceRole-X")}, false},
		{"can the execution role create a role with another boundary?", exec, request{action: "iam:CreateRole", resource: roleARN(prodID, "app-prod-InstanceRole-X"), context: map[string]string{"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/AdministratorAccess"}}, false},
		{"can the execution role create a role under the boundary?", exec, request{action: "iam:CreateRole", resource: roleARN(prodID, "app-prod-InstanceRole-X"), context: map[string]string{"iam:PermissionsBoundary": boundary}}, true},
		{"can the execution role create a role outside the estate's names?", exec, request{action: "iam:CreateRole", resource: roleARN(prodID, "someone-else"), context: map[string]string{"iam:PermissionsBoundary": boundary}}, false},
		{"can the execution role attach AdministratorAccess?", exec, request{action: "iam:AttachRolePolicy", resource: roleARN(prodID, "app-prod-InstanceRole-X"), context: map[string]string{"iam:PermissionsBoundary": boundary, "iam:PolicyARN": "arn:aws:iam::aws:policy/AdministratorAccess"}}, false},
		{"can the execution role attach Session Manager's policy?", exec, request{action: "iam:AttachRolePolicy", resource: roleARN(prodID, "app-prod-InstanceRole-X"), context: map[string]string{"iam:PermissionsBoundary": boundary, "iam:PolicyARN": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"}}, true},
		{"can the execution role remove a boundary?", exec, request{action: "iam:DeleteRolePermissionsBoundary", resource: roleARN(prodID, "app-prod-InstanceRole-X")}, false},
		{"can the execution role rewrite the boundary?", exec, request{action: "iam:CreatePolicyVersion", resource: boundary}, false},
		{"can the execution role widen itself?", exec, request{action: "iam:PutRolePolicy", resource: exec, context: map[string]string{"iam:PermissionsBoundary": boundary}}, false},
		{"can the execution role create a VPC?", exec, request{action: "ec2:CreateVpc", resource: "*"}, true},
		{"can the execution role create a CodePipeline in prod, where none is planned?", exec, request{action: "codepipeline:CreatePipeline", resource: "*"}, false},
		// Mirrors sync: its users' Git credentials and its secrets, nothing else.
		{"can the mirrors role create its user's Git credential?", mirrors, request{action: "iam:CreateServiceSpecificCredential", resource: toolingUser("gitops-mirror-webapp")}, true},
		{"can the mirrors role write its mirror's secret?", mirrors, request{action: "secretsmanager:PutSecretValue", resource: toolingSecret("gitops/mirrors/webapp-AbCdEf")}, true},
		{"can the mirrors role read another secret?", mirrors, request{action: "secretsmanager:GetSecretValue", resource: toolingSecret("gitops/gitlab/main/smtp-AbCdEf")}, false},
		{"can the mirrors role read a mirror's secret whose name only starts alike?", mirrors, request{action: "secretsmanager:GetSecretValue", resource: toolingSecret("gitops/mirrors/webapp-x-AbCdEf")}, false},
		{"can the mirrors role create a credential for another user?", mirrors, request{action: "iam:CreateServiceSpecificCredential", resource: toolingUser("gitops-gitlab-main-smtp")}, false},
		{"can the mirrors role create a change set?", mirrors, request{action: "cloudformation:CreateChangeSet", resource: stackARN(toolingID, "eu-west-1", "gitops-mirrors")}, false},
		{"can the mirrors role execute a change set?", mirrors, request{action: "cloudformation:ExecuteChangeSet", resource: stackARN(toolingID, "eu-west-1", "gitops-mirrors")}, false},
		// SMTP credentials: that user's keys, its secret, GitLab's service.
		{"can the SMTP role create its user's key?", smtp, request{action: "iam:CreateAccessKey", resource: toolingUser("gitops-gitlab-main-smtp")}, true},
		{"can the SMTP role create keys for another user?", smtp, request{action: "iam:CreateAccessKey", resource: toolingUser("gitops-mirror-webapp")}, false},
		{"can the SMTP role create keys for an administrator?", smtp, request{action: "iam:CreateAccessKey", resource: toolingUser("admin")}, false},
		{"can the SMTP role write its secret?", smtp, request{action: "secretsmanager:PutSecretValue", resource: toolingSecret("gitops/gitlab/main/smtp-AbCdEf")}, true},
		{"can the SMTP role read a mirror's secret?", smtp, request{action: "secretsmanager:GetSecretValue", resource: toolingSecret("gitops/mirrors/webapp-AbCdEf")}, false},
		{"can the SMTP role restart GitLab?", smtp, request{action: "ecs:UpdateService", resource: "arn:aws:ecs:eu-west-1:" + toolingID + ":service/gitops-gitlab-main/gitlab"}, true},
		{"can the SMTP role create a change set?", smtp, request{action: "cloudformation:CreateChangeSet", resource: stackARN(toolingID, "eu-west-1", "gitops-gitlab-main")}, false},
		{"can apply create the SMTP user's key, now the SMTP role's duty?", roleARN(toolingID, "gitops-deploy"), request{action: "iam:CreateAccessKey", resource: toolingUser("gitops-gitlab-main-smtp")}, false},
		// Templates too large to send inline: apply writes apply/ and
		// plan/ of the account's buckets in every region, plan plan/ only.
		{"can apply upload a template to its region's bucket?", roleARN(prodID, "prod-deployer"), request{action: "s3:PutObject", resource: templateObject(prodID, "eu-central-1", "apply/gitops-x/0a.json")}, true},
		{"can apply upload a template to its own region's bucket?", roleARN(prodID, "prod-deployer"), request{action: "s3:PutObject", resource: templateObject(prodID, "eu-west-1", "apply/gitops-x/0a.json")}, true},
		{"can apply upload a template to a region without a bucket?", roleARN(prodID, "prod-deployer"), request{action: "s3:PutObject", resource: templateObject(prodID, "us-east-1", "apply/gitops-x/0a.json")}, false},
		{"can apply upload a template to another account's bucket?", roleARN(prodID, "prod-deployer"), request{action: "s3:PutObject", resource: templateObject(toolingID, "eu-west-1", "apply/gitops-x/0a.json")}, false},
		{"can apply delete an uploaded template?", roleARN(prodID, "prod-deployer"), request{action: "s3:DeleteObject", resource: templateObject(prodID, "eu-central-1", "apply/gitops-x/0a.json")}, false},
		{"can the plan role upload a template to plan/?", roleARN(prodID, stacks.PlanRoleName), request{action: "s3:PutObject", resource: templateObject(prodID, "eu-central-1", "plan/gitops-x/0a.json")}, true},
		{"can the plan role replace a template an apply uploaded?", roleARN(prodID, stacks.PlanRoleName), request{action: "s3:PutObject", resource: templateObject(prodID, "eu-central-1", "apply/gitops-x/0a.json")}, false},
		{"can the plan role write apply/ of the deploy role's region?", roleARN(prodID, stacks.PlanRoleName), request{action: "s3:PutObject", resource: templateObject(prodID, "eu-west-1", "apply/gitops-x/0a.json")}, false},
		{"can a pipeline's deploy role upload a template?", roleARN(prodID, "gitops-deploy-app"), request{action: "s3:PutObject", resource: templateObject(prodID, "eu-central-1", "apply/gitops-x/0a.json")}, false},
		{"can the execution role create an IAM user?", exec, request{action: "iam:CreateUser", resource: "arn:aws:iam::" + prodID + ":user/gitops-x"}, false},
	} {
		if got := e.may(t, tc.role, tc.q); got != tc.want {
			t.Errorf("%s %v, want %v", tc.question, yesNo(got), yesNo(tc.want))
		}
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// TestNoChangeSetFromBake: no role a bake stage can become, by assuming
// roles, may execute a change set on any stack, nor may the plan roles.
func TestNoChangeSetFromBake(t *testing.T) {
	e := fixtureEval(t)
	bake := roleARN(toolingID, "gitops-bake-app")
	reach := e.reachable(t, bake)
	if !slices.Contains(reach, roleARN(prodID, stacks.PublishRoleName)) {
		t.Fatalf("the bake stage cannot reach prod's publish role (the evaluator or the trust is wrong): %v", reach)
	}
	for _, start := range []string{bake, roleARN(toolingID, stacks.PlanRoleName)} {
		for _, r := range e.reachable(t, start) {
			for _, stack := range []string{stackARN(prodID, "eu-west-1", "app-prod"), stackARN(prodID, "eu-west-1", "gitops-network"), stackARN(toolingID, "eu-west-1", "gitops-pipeline-app")} {
				if e.may(t, r, request{action: "cloudformation:ExecuteChangeSet", resource: stack}) {
					t.Errorf("%s can become %s, which may execute change sets on %s", path.Base(start), r, stack)
				}
			}
		}
	}
	// The duty roles of mirrors sync and SMTP credentials are reached by
	// the estate's apply role alone, not by any role of a stack.
	for _, duty := range []string{roleARN(toolingID, stacks.MirrorsSyncRoleName()), roleARN(toolingID, stacks.SMTPCredentialsRoleName())} {
		for arn := range e.roles {
			if e.mayAssume(t, arn, duty) {
				t.Errorf("%s may assume %s", arn, duty)
			}
		}
	}
	// Only pipeline app's own role reaches its deploy role in prod.
	for arn := range e.roles {
		if arn != roleARN(toolingID, "gitops-pipeline-app") && e.mayAssume(t, arn, roleARN(prodID, "gitops-deploy-app")) {
			t.Errorf("%s may assume pipeline app's deploy role", arn)
		}
	}
}

// TestBoundaries: every role of every template carries its account's
// boundary, none holds AdministratorAccess or Action "*", every managed
// policy is one the boundary lets be attached, and the boundary allows
// every action each role's own policy allows (or the role would be
// silently cut).
func TestBoundaries(t *testing.T) {
	e := fixtureEval(t)
	for arn, r := range e.roles {
		if want := "arn:aws:iam::" + r.AccountID + ":policy/" + stacks.BoundaryName; r.Boundary != want {
			t.Errorf("%s: boundary %q, want %s", arn, r.Boundary, want)
		}
		for _, m := range r.Managed {
			if !slices.Contains(stacks.AWSManagedPolicies, path.Base(m)) {
				t.Errorf("%s: managed policy %s is not one the execution role may attach", arn, m)
			}
		}
		for _, s := range r.Statements {
			if s.Effect != "Allow" {
				continue
			}
			for _, a := range s.Actions {
				if a == "*" || strings.HasSuffix(a, ":*") {
					t.Errorf("%s allows %s", arn, a)
				}
				probe := strings.ReplaceAll(a, "*", "Probe")
				if allowed, denied := evalStatements(e.boundaries[r.AccountID], request{action: probe, resource: "*"}); !allowed && !denied {
					t.Errorf("%s: the boundary does not allow %s, which the role's policy grants", arn, a)
				}
			}
		}
	}
}

// TestPrincipalsUnderBoundary: every role and user of every template, the
// fixture's and its variant's, carries the account's boundary.
func TestPrincipalsUnderBoundary(t *testing.T) {
	for _, set := range synthesizedSets(t) {
		for _, s := range set.plan.Stacks {
			r := &resolver{stack: s, names: map[string]string{}}
			want := "arn:aws:iam::" + s.AccountID + ":policy/" + stacks.BoundaryName
			for id, res := range parse(t, set.templates[s.Template]).Resources {
				if res.Type != "AWS::IAM::Role" && res.Type != "AWS::IAM::User" {
					continue
				}
				got, ok := res.Properties["PermissionsBoundary"]
				if s.Kind == stacks.KindDeployRole && ok && jsonString(got) == `{"Ref":"Boundary"}` {
					continue
				}
				if !ok || r.str(got) != want {
					t.Errorf("%s: %s %s has boundary %v, want %s", s.Template, res.Type, id, got, want)
				}
			}
		}
	}
}
