package stacks

import (
	"maps"
	"slices"
	"strings"

	"gitops/tools/internal/estate"
)

// Environment variables the GitLab container gets from Secrets Manager;
// gitlab.rb reads them with ENV[…], so no secret is ever in a template.
const (
	EnvRootPassword = "GITLAB_ROOT_PASSWORD"
	EnvDBPassword   = "GITLAB_DB_PASSWORD"
	EnvSMTPUser     = "GITLAB_SMTP_USER"
	EnvSMTPPassword = "GITLAB_SMTP_PASSWORD"
)

// Aurora settings shared by the database and gitlab.rb.
const (
	AuroraDatabase = "gitlabhq_production"
	AuroraUser     = "gitlab"
	AuroraPort     = 5432
)

// OmnibusConfig renders GITLAB_OMNIBUS_CONFIG, the gitlab.rb settings the
// container applies on every start. albDNS and dbHost are the load
// balancer's DNS name (used as host without a domain) and the Aurora
// writer's address; the synth passes CloudFormation values there. Every
// value from the model is a Ruby literal made by estate.RubyString or
// RubyValue.Ruby, so no YAML value can break out of its string.
func OmnibusConfig(spec *GitLabSpec, region, albDNS, dbHost string) string {
	g := &spec.GitLab
	var b strings.Builder
	set := func(key, ruby string) { b.WriteString(key + " = " + ruby + "\n") }
	q := estate.RubyString

	if g.ALB.HTTPS() {
		b.WriteString("external_url " + q("https://"+g.ALB.Domain) + "\n")
	} else {
		b.WriteString("external_url " + q("http://"+albDNS) + "\n")
	}
	// TLS ends at the load balancer: nginx serves plain HTTP on port 80
	// and trusts the balancer's forwarding headers.
	set("letsencrypt['enable']", "false")
	set("nginx['listen_port']", "80")
	set("nginx['listen_https']", "false")
	if g.ALB.HTTPS() {
		set("nginx['proxy_set_headers']", "{ 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Ssl' => 'on' }")
	}
	vpc := q(spec.VPCCIDR)
	set("nginx['real_ip_trusted_addresses']", "["+vpc+"]")
	set("nginx['real_ip_header']", q("X-Forwarded-For"))
	set("nginx['real_ip_recursive']", q("on"))
	set("gitlab_rails['trusted_proxies']", "["+vpc+"]")
	// The load balancer's health checks come from the VPC; GitLab answers
	// /-/readiness only to its monitoring whitelist.
	set("gitlab_rails['monitoring_whitelist']", "['127.0.0.0/8', '::1/128', "+vpc+"]")
	set("gitlab_rails['initial_root_password']", "ENV['"+EnvRootPassword+"']")

	if g.Database.Type == "aurora" {
		set("postgresql['enable']", "false")
		set("gitlab_rails['db_adapter']", q("postgresql"))
		set("gitlab_rails['db_encoding']", q("unicode"))
		set("gitlab_rails['db_host']", q(dbHost))
		set("gitlab_rails['db_port']", "5432")
		set("gitlab_rails['db_database']", q(AuroraDatabase))
		set("gitlab_rails['db_username']", q(AuroraUser))
		set("gitlab_rails['db_password']", "ENV['"+EnvDBPassword+"']")
		// Aurora accepts TLS; require it so the password and data never
		// cross the VPC in clear.
		set("gitlab_rails['db_sslmode']", q("require"))
	}

	if g.SMTP.Type == "ses" {
		set("gitlab_rails['smtp_enable']", "true")
		set("gitlab_rails['smtp_address']", q("email-smtp."+region+".amazonaws.com"))
		set("gitlab_rails['smtp_port']", "587")
		set("gitlab_rails['smtp_user_name']", "ENV['"+EnvSMTPUser+"']")
		set("gitlab_rails['smtp_password']", "ENV['"+EnvSMTPPassword+"']")
		set("gitlab_rails['smtp_domain']", q(g.SMTP.Domain))
		set("gitlab_rails['smtp_authentication']", q("login"))
		set("gitlab_rails['smtp_enable_starttls_auto']", "true")
		if g.SMTP.FromAddress != "" {
			set("gitlab_rails['gitlab_email_from']", q(g.SMTP.FromAddress))
		}
	} else {
		set("gitlab_rails['smtp_enable']", "false")
	}

	for _, key := range slices.Sorted(maps.Keys(g.GitLabRb)) {
		set(key, g.GitLabRb[key].Ruby())
	}
	return b.String()
}
