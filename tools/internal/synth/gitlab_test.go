package synth

import (
	"gitops/tools/internal/stacks"

	"fmt"
	"strings"
	"testing"
)

// variantGitLab flips every GitLab option the fixture sets the other way.
const variantGitLab = `kind: GitLab
name: main
account: tooling
region: eu-west-1
network: {vpc: gitlab, subnets: private}
image: {repository: gitlab/gitlab-ce, tag: 17.4.2-ce.0, source: pullThroughCache}
cpu: 4096
memory: 12288
ecsExec: false
efs: {backup: false, throughputMode: bursting}
database: {type: embedded}
smtp: {type: none}
alb:
  scheme: internet-facing
  subnets: public
  allowedCidrs: [203.0.113.0/24, 198.51.100.0/24]
rootEmail: root@example.com
`

// variantMirrors replaces the CodeConnections mirror, which needs the HTTPS
// the variant GitLab lacks, with a CodeCommit one: the estate source of the
// app pipeline comes from CodeCommit in the variant.
const variantMirrors = `kind: Mirror
name: webapp
gitlab: main
project: platform/webapp
branches: [main, release]
account: tooling
region: eu-west-1
codeCommit: {repository: webapp}
---
kind: Mirror
name: estate
gitlab: main
project: platform/estate
branches: [main]
account: tooling
region: eu-west-1
codeCommit: {repository: estate}
`

// moreMirrors are n more CodeCommit mirrors of the variant's GitLab: their
// users and secrets outgrow an inline policy of the mirrors role.
func moreMirrors(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "---\nkind: Mirror\nname: project-%02d\ngitlab: main\nproject: platform/project-%02d\nbranches: [main]\naccount: tooling\nregion: eu-west-1\ncodeCommit: {repository: project-%02d}\n", i, i, i)
	}
	return b.String()
}

var (
	variant     map[string][]byte
	variantPlan *stacks.Plan
)

// templateSet is a plan with its synthesized templates, by file.
type templateSet struct {
	plan      *stacks.Plan
	templates map[string][]byte
}

// synthesizedSets are the fixture's and its variant's plans and templates.
func synthesizedSets(t *testing.T) []templateSet {
	fp, fixture := fixtureTemplates(t)
	variant := variantTemplates(t)
	return []templateSet{{fp, fixture}, {variantPlan, variant}}
}

func variantTemplates(t *testing.T) map[string][]byte {
	t.Helper()
	if variant == nil {
		p := planEstate(t, map[string]string{
			"environments/tooling/gitlab.yaml":  variantGitLab,
			"environments/tooling/mirrors.yaml": variantMirrors + moreMirrors(30),
		})
		variant, variantPlan = synthesize(t, p), p
	}
	return variant
}

const (
	gitlabTemplate = "tooling/eu-west-1/gitlab-main.template.json"
	imageTemplate  = "tooling/eu-west-1/gitlab-main-image.template.json"
)

func TestGitLabService(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[gitlabTemplate])

	task := tmpl.only(t, "AWS::ECS::TaskDefinition").Properties
	if task["Cpu"] != "2048" || task["Memory"] != "8192" || task["NetworkMode"] != "awsvpc" {
		t.Errorf("task size: cpu %v memory %v mode %v", task["Cpu"], task["Memory"], task["NetworkMode"])
	}
	c := get(task, "ContainerDefinitions", 0)
	if img := jsonString(get(c, "Image")); !strings.Contains(img, `":17.5.1-ce.0"`) || !strings.Contains(img, "MainImageRepositoryUri") {
		t.Errorf("image is not the pinned tag from the image stack: %s", img)
	}
	if get(c, "LinuxParameters", "InitProcessEnabled") != true {
		t.Error("no init process for ECS Exec")
	}

	svc := tmpl.only(t, "AWS::ECS::Service")
	sp := svc.Properties
	checks := map[string]any{
		"DesiredCount":                  1.0,
		"HealthCheckGracePeriodSeconds": 1200.0,
		"EnableExecuteCommand":          true,
		"LaunchType":                    "FARGATE",
	}
	for k, want := range checks {
		if sp[k] != want {
			t.Errorf("service %s = %v, want %v", k, sp[k], want)
		}
	}
	if get(sp, "DeploymentConfiguration", "MaximumPercent") != 100.0 || get(sp, "DeploymentConfiguration", "MinimumHealthyPercent") != 0.0 {
		t.Errorf("deployment must stop the old task first: %v", sp["DeploymentConfiguration"])
	}
	if get(sp, "NetworkConfiguration", "AwsvpcConfiguration", "AssignPublicIp") != "DISABLED" ||
		jsonString(get(sp, "NetworkConfiguration", "AwsvpcConfiguration", "Subnets")) != `{"Ref":"GitlabPrivateSubnetIds"}` {
		t.Errorf("tasks not in the private subnets without public IP: %v", sp["NetworkConfiguration"])
	}
	for _, dep := range []string{"MainHttpsListener", "MainMountTarget1", "MainMountTarget2", "MainDatabaseWriter"} {
		if !contains(svc.DependsOn, dep) {
			t.Errorf("service does not wait for %s", dep)
		}
	}
	// Sockets and runtime files live on the task's own storage.
	var runtime bool
	for _, v := range task["Volumes"].([]any) {
		if get(v, "Name") == "runtime" {
			runtime = get(v, "EFSVolumeConfiguration") == nil
		}
	}
	if !runtime || !strings.Contains(jsonString(get(c, "MountPoints")), `{"ContainerPath":"/run/gitlab","ReadOnly":false,"SourceVolume":"runtime"}`) {
		t.Errorf("no task-local volume at /run/gitlab: %s %s", jsonString(task["Volumes"]), jsonString(get(c, "MountPoints")))
	}
	cluster := tmpl.only(t, "AWS::ECS::Cluster").Properties
	if jsonString(cluster["ClusterSettings"]) != `[{"Name":"containerInsights","Value":"enabled"}]` {
		t.Errorf("container insights: %v", cluster["ClusterSettings"])
	}
	logs := tmpl.Resources["MainLogGroup"].Properties
	if logs["RetentionInDays"] != 90.0 {
		t.Errorf("log retention: %v", logs["RetentionInDays"])
	}
}

func TestGitLabEFS(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[gitlabTemplate])
	fs := tmpl.only(t, "AWS::EFS::FileSystem")
	p := fs.Properties
	if p["Encrypted"] != true || get(p, "BackupPolicy", "Status") != "ENABLED" || p["ThroughputMode"] != "elastic" {
		t.Errorf("file system: %v", p)
	}
	if fs.DeletionPolicy != "Retain" || fs.UpdateReplace != "Retain" {
		t.Errorf("file system not retained: %s/%s", fs.DeletionPolicy, fs.UpdateReplace)
	}
	if get(p, "ReplicationConfiguration", "Destinations", 0, "Region") != "eu-central-1" {
		t.Errorf("replication: %v", p["ReplicationConfiguration"])
	}
	pol := jsonString(p["FileSystemPolicy"])
	for _, want := range []string{`"aws:SecureTransport":"false"`, `"MainTaskRole"`, "elasticfilesystem:ClientRootAccess"} {
		if !strings.Contains(pol, want) {
			t.Errorf("file system policy lacks %s: %s", want, pol)
		}
	}
	aps := tmpl.ofType("AWS::EFS::AccessPoint")
	if len(aps) != 3 {
		t.Fatalf("want 3 access points, got %d", len(aps))
	}
	for id, ap := range aps {
		if _, ok := ap.Properties["PosixUser"]; ok {
			t.Errorf("%s enforces a POSIX user: GitLab writes as several UIDs", id)
		}
		if get(ap.Properties, "RootDirectory", "CreationInfo", "Permissions") != "755" {
			t.Errorf("%s does not create its directory: %v", id, ap.Properties["RootDirectory"])
		}
	}
	task := tmpl.only(t, "AWS::ECS::TaskDefinition").Properties
	paths := map[string]bool{}
	for i := range 3 {
		v := get(task, "Volumes", i, "EFSVolumeConfiguration")
		if get(v, "TransitEncryption") != "ENABLED" || get(v, "AuthorizationConfig", "IAM") != "ENABLED" {
			t.Errorf("volume %d without TLS or IAM auth: %v", i, v)
		}
		paths[get(task, "ContainerDefinitions", 0, "MountPoints", i, "ContainerPath").(string)] = true
	}
	for _, p := range []string{"/var/opt/gitlab", "/var/log/gitlab", "/etc/gitlab"} {
		if !paths[p] {
			t.Errorf("%s is not on EFS", p)
		}
	}
	if n := len(tmpl.ofType("AWS::EFS::MountTarget")); n != 2 {
		t.Errorf("want a mount target per task zone (2), got %d", n)
	}
}

func TestGitLabLoadBalancer(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates[gitlabTemplate])
	lb := tmpl.only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer").Properties
	if lb["Scheme"] != "internal" {
		t.Errorf("scheme: %v", lb["Scheme"])
	}
	tg := tmpl.only(t, "AWS::ElasticLoadBalancingV2::TargetGroup").Properties
	if tg["HealthCheckPath"] != "/-/readiness" || tg["TargetType"] != "ip" || tg["Port"] != 80.0 {
		t.Errorf("target group: %v", tg)
	}
	omnibus := omnibusConfig(t, tmpl)
	if !strings.Contains(omnibus, "gitlab_rails['monitoring_whitelist'] = ['127.0.0.0/8', '::1/128', '10.0.0.0/16']") {
		t.Errorf("monitoring whitelist lacks the VPC CIDR:\n%s", omnibus)
	}
	sg := tmpl.Resources["MainLoadBalancerSecurityGroup"].Properties
	var cidrs []string
	for _, r := range sg["SecurityGroupIngress"].([]any) {
		cidrs = append(cidrs, get(r, "CidrIp").(string))
	}
	for _, c := range cidrs {
		if c != "10.0.0.0/8" {
			t.Errorf("listener open to %s, not an allowed CIDR", c)
		}
	}
	https := tmpl.Resources["MainHttpsListener"].Properties
	if https["Protocol"] != "HTTPS" || jsonString(get(https, "Certificates", 0, "CertificateArn")) != `{"Ref":"MainCertificate"}` {
		t.Errorf("HTTPS listener: %v", https)
	}
	cert := tmpl.only(t, "AWS::CertificateManager::Certificate").Properties
	if cert["ValidationMethod"] != "DNS" || get(cert, "DomainValidationOptions", 0, "HostedZoneId") != "Z0123456789ABCDEFGHIJ" {
		t.Errorf("certificate: %v", cert)
	}
	var alias bool
	for _, r := range tmpl.ofType("AWS::Route53::RecordSet") {
		alias = alias || r.Properties["Name"] == "gitlab.example.com" && r.Properties["AliasTarget"] != nil
	}
	if !alias {
		t.Error("no alias record for gitlab.example.com")
	}
	// The load balancer is internal: its record goes in a private zone of
	// GitLab's VPC, never in the public zone (which keeps the certificate's
	// validation only).
	for id, r := range tmpl.ofType("AWS::Route53::RecordSet") {
		if r.Properties["AliasTarget"] != nil && jsonString(r.Properties["HostedZoneId"]) != `{"Ref":"MainPrivateZone"}` {
			t.Errorf("%s publishes the internal load balancer in zone %s", id, jsonString(r.Properties["HostedZoneId"]))
		}
	}
	zone := tmpl.only(t, "AWS::Route53::HostedZone").Properties
	if zone["Name"] != "gitlab.example.com" || !strings.Contains(jsonString(zone["VPCs"]), `{"VPCId":{"Ref":"GitlabVpcId"},"VPCRegion":"eu-west-1"}`) {
		t.Errorf("private zone: %v", zone)
	}
	if !strings.Contains(omnibus, "external_url 'https://gitlab.example.com'\nletsencrypt['enable'] = false\nnginx['listen_port'] = 80\nnginx['listen_https'] = false\n") {
		t.Errorf("nginx is not plain HTTP behind TLS:\n%s", omnibus)
	}
}

func TestGitLabSecrets(t *testing.T) {
	_, templates := fixtureTemplates(t)
	b := templates[gitlabTemplate]
	tmpl := parse(t, b)
	secrets := tmpl.ofType("AWS::SecretsManager::Secret")
	if len(secrets) != 2 {
		t.Errorf("want root and database secrets, got %d", len(secrets))
	}
	// The SMTP secret lives in the image stack, which apply deploys and
	// fills before the service's first task starts.
	img := parse(t, templates[imageTemplate])
	smtp := img.only(t, "AWS::SecretsManager::Secret")
	if smtp.Properties["Name"] != "gitops/gitlab/main/smtp" || strings.Contains(jsonString(smtp.Properties), "set-me") {
		t.Errorf("SMTP secret: %v", smtp.Properties)
	}
	secrets["MainSmtpCredentials"] = smtp
	user := img.only(t, "AWS::IAM::User").Properties
	if user["UserName"] != "gitops-gitlab-main-smtp" || !strings.Contains(jsonString(user["Policies"]), `"Action":["ses:SendRawEmail"]`) || !strings.Contains(jsonString(user["Policies"]), ":identity/example.com") {
		t.Errorf("SMTP user: %v", user)
	}
	for id, s := range secrets {
		if s.DeletionPolicy != "Retain" || s.Properties["GenerateSecretString"] == nil || s.Properties["SecretString"] != nil {
			t.Errorf("secret %s: retained %s, generated %v", id, s.DeletionPolicy, s.Properties["GenerateSecretString"] != nil)
		}
	}
	c := get(tmpl.only(t, "AWS::ECS::TaskDefinition").Properties, "ContainerDefinitions", 0)
	names := map[string]bool{}
	for _, s := range get(c, "Secrets").([]any) {
		names[get(s, "Name").(string)] = true
	}
	for _, n := range []string{"GITLAB_ROOT_PASSWORD", "GITLAB_DB_PASSWORD", "GITLAB_SMTP_USER", "GITLAB_SMTP_PASSWORD"} {
		if !names[n] {
			t.Errorf("%s is not injected from Secrets Manager", n)
		}
	}
	for _, e := range get(c, "Environment").([]any) {
		if strings.Contains(get(e, "Name").(string), "PASSWORD") {
			t.Errorf("%v is a plain environment variable", get(e, "Name"))
		}
	}
	db := tmpl.only(t, "AWS::RDS::DBCluster")
	if db.DeletionPolicy != "Retain" || db.Properties["StorageEncrypted"] != true || db.Properties["EngineVersion"] != "16.4" {
		t.Errorf("aurora: %s %v", db.DeletionPolicy, db.Properties)
	}
	if pw := jsonString(db.Properties["MasterUserPassword"]); !strings.Contains(pw, "{{resolve:secretsmanager:") {
		t.Errorf("database password is not a dynamic reference: %s", pw)
	}
	if tmpl.only(t, "AWS::RDS::DBInstance").Properties["DBInstanceClass"] != "db.r6g.large" {
		t.Error("writer instance class not as declared")
	}
	omnibus := omnibusConfig(t, tmpl)
	for _, want := range []string{"gitlab_rails['db_password'] = ENV['GITLAB_DB_PASSWORD']", "gitlab_rails['signin_text'] = 'It\\'s ours: a \\\\ backslash'", "gitlab_rails['time_zone'] = 'Europe/Paris'", "puma['worker_processes'] = 2\n", "gitlab_rails['gitlab_email_from'] = 'gitlab@example.com'"} {
		if !strings.Contains(omnibus, want) {
			t.Errorf("GITLAB_OMNIBUS_CONFIG lacks %s:\n%s", want, omnibus)
		}
	}
	if tmpl.only(t, "AWS::SES::EmailIdentity").Properties["EmailIdentity"] != "example.com" {
		t.Error("SES identity is not the declared domain")
	}
	// The execution role reads exactly the injected secrets.
	exec := jsonString(tmpl.Resources["MainExecutionRole"].Properties["Policies"])
	for _, s := range []string{"MainRootPassword", "MainDatabaseSecret", "MainSmtpSecretArn"} {
		if strings.Count(exec, `"Ref":"`+s+`"`) != 1 {
			t.Errorf("execution role reads %s %d times", s, strings.Count(exec, s))
		}
	}
	if strings.Contains(exec, `"Action":"*"`) || strings.Contains(exec, `"ecr:*"`) {
		t.Errorf("execution role too broad: %s", exec)
	}
}

func TestGitLabImage(t *testing.T) {
	_, templates := fixtureTemplates(t)
	repo := parse(t, templates[imageTemplate]).only(t, "AWS::ECR::Repository")
	p := repo.Properties
	if p["ImageTagMutability"] != "IMMUTABLE" || get(p, "ImageScanningConfiguration", "ScanOnPush") != true || get(p, "LifecyclePolicy", "LifecyclePolicyText") == nil {
		t.Errorf("repository: %v", p)
	}
	if repo.DeletionPolicy != "Retain" {
		t.Error("repository not retained")
	}
}

// TestGitLabVariant synthesizes the other side of every option.
func TestGitLabVariant(t *testing.T) {
	ts := variantTemplates(t)
	tmpl := parse(t, ts[gitlabTemplate])
	for _, typ := range []string{"AWS::RDS::DBCluster", "AWS::SES::EmailIdentity", "AWS::CertificateManager::Certificate", "AWS::Route53::RecordSet"} {
		if len(tmpl.ofType(typ)) > 0 {
			t.Errorf("undeclared %s", typ)
		}
	}
	svc := tmpl.only(t, "AWS::ECS::Service").Properties
	if svc["EnableExecuteCommand"] != false {
		t.Error("ECS Exec on although ecsExec: false")
	}
	if tmpl.Resources["MainTaskRole"].Properties["Policies"] != nil {
		t.Error("task role has ECS Exec permissions although ecsExec: false")
	}
	fs := tmpl.only(t, "AWS::EFS::FileSystem").Properties
	if get(fs, "BackupPolicy", "Status") != "DISABLED" || fs["ThroughputMode"] != "bursting" || fs["ReplicationConfiguration"] != nil {
		t.Errorf("file system options: %v", fs)
	}
	lb := tmpl.only(t, "AWS::ElasticLoadBalancingV2::LoadBalancer").Properties
	if lb["Scheme"] != "internet-facing" || jsonString(lb["Subnets"]) != `{"Ref":"GitlabPublicSubnetIds"}` {
		t.Errorf("load balancer: %v", lb)
	}
	l := tmpl.only(t, "AWS::ElasticLoadBalancingV2::Listener").Properties
	if l["Protocol"] != "HTTP" || l["Port"] != 80.0 {
		t.Errorf("listener: %v", l)
	}
	ingress := jsonString(tmpl.Resources["MainLoadBalancerSecurityGroup"].Properties["SecurityGroupIngress"])
	if !strings.Contains(ingress, "203.0.113.0/24") || !strings.Contains(ingress, "198.51.100.0/24") || strings.Contains(ingress, "443") {
		t.Errorf("listener ingress: %s", ingress)
	}
	task := tmpl.only(t, "AWS::ECS::TaskDefinition").Properties
	if task["Cpu"] != "4096" || task["Memory"] != "12288" {
		t.Errorf("task size: %v %v", task["Cpu"], task["Memory"])
	}
	omnibus := omnibusConfig(t, tmpl)
	for _, want := range []string{"external_url 'http://", "gitlab_rails['smtp_enable'] = false"} {
		if !strings.Contains(omnibus, want) {
			t.Errorf("GITLAB_OMNIBUS_CONFIG lacks %s:\n%s", want, omnibus)
		}
	}
	if strings.Contains(omnibus, "db_port") || !strings.Contains(omnibus, "gitlab_rails['db_host'] = '/run/gitlab/postgresql'") {
		t.Errorf("embedded database configured as external, or its socket on EFS:\n%s", omnibus)
	}
	if exec := jsonString(tmpl.Resources["MainExecutionRole"].Properties["Policies"]); !strings.Contains(exec, "ecr:BatchImportUpstreamImage") || !strings.Contains(exec, "repository/gitops-main/*") {
		t.Errorf("execution role cannot pull through the cache: %s", exec)
	}
	img := parse(t, ts[imageTemplate])
	rule := img.only(t, "AWS::ECR::PullThroughCacheRule").Properties
	if rule["UpstreamRegistryUrl"] != "registry-1.docker.io" || rule["EcrRepositoryPrefix"] != "gitops-main" {
		t.Errorf("pull-through rule: %v", rule)
	}
	if img.only(t, "AWS::ECR::RepositoryCreationTemplate").Properties["ImageTagMutability"] != "IMMUTABLE" {
		t.Error("cached repositories are not immutable")
	}
	if len(img.ofType("AWS::ECR::Repository")) > 0 {
		t.Error("a repository next to the pull-through cache")
	}
}

// omnibusConfig returns GITLAB_OMNIBUS_CONFIG with CloudFormation values
// rendered as JSON.
func omnibusConfig(t *testing.T, tmpl template) string {
	t.Helper()
	env := get(tmpl.only(t, "AWS::ECS::TaskDefinition").Properties, "ContainerDefinitions", 0, "Environment").([]any)
	for _, e := range env {
		if get(e, "Name") != "GITLAB_OMNIBUS_CONFIG" {
			continue
		}
		v := get(e, "Value")
		if s, ok := v.(string); ok {
			return s
		}
		var b strings.Builder
		for _, part := range get(v, "Fn::Join", 1).([]any) {
			if s, ok := part.(string); ok {
				b.WriteString(s)
			} else {
				b.WriteString(jsonString(part))
			}
		}
		return b.String()
	}
	t.Fatal("no GITLAB_OMNIBUS_CONFIG")
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
