// Package gitlabrb renders GITLAB_OMNIBUS_CONFIG, the gitlab.rb settings
// GitLab's container applies on every start, and owns the table of the
// settings gitops writes itself. The planner renders, validate refuses the
// same keys in a user's gitlabRb: one table, so they cannot drift.
package gitlabrb

import (
	"maps"
	"slices"
	"strconv"
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

// SMTPPort is the port GitLab submits mail to SES on (STARTTLS). The SES
// SMTP interface endpoint must admit it: validate ties the two
// (gitlab-smtp-endpoint-port) through estate.InterfaceEndpointPorts.
const SMTPPort = 587

// RuntimeDir is the task-local directory (Fargate ephemeral storage, not
// EFS) that holds every Unix socket and runtime file. GitLab's NFS
// documentation (https://docs.gitlab.com/administration/nfs/) warns that
// NFS is no place for them: socket files on NFS do not work across clients
// and stale ones survive restarts.
const RuntimeDir = "/run/gitlab"

// Settings is everything gitlab.rb is derived from: flat values, no model
// types. The load balancer's DNS name and the database host are
// CloudFormation values, passed to Render by the synth.
type Settings struct {
	// Domain is GitLab's HTTPS host name; empty serves HTTP at the load
	// balancer's DNS name.
	Domain  string `json:"domain,omitempty"`
	VPCCIDR string `json:"vpcCidr"`
	Region  string `json:"region"`
	// Aurora: an external database instead of the bundled PostgreSQL.
	Aurora bool `json:"aurora,omitempty"`
	// SMTPDomain and FromAddress are set when GitLab sends mail through SES.
	SMTPDomain  string `json:"smtpDomain,omitempty"`
	FromAddress string `json:"fromAddress,omitempty"`
	// Extra are the user's gitlabRb settings, each value already a Ruby
	// literal (see Literals).
	Extra map[string]string `json:"extra,omitempty"`
}

// Literals renders the user's gitlabRb values as Ruby literals.
func Literals(values map[string]estate.RubyValue) map[string]string {
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]string, len(values))
	for k, v := range values {
		out[k] = v.Ruby()
	}
	return out
}

// Render writes gitlab.rb. albDNS is the load balancer's DNS name (the
// host without a domain), dbHost the Aurora writer's address. Every value
// from the model is a Ruby literal made by estate.RubyString or
// RubyValue.Ruby, so no YAML value can break out of its string.
func Render(s Settings, albDNS, dbHost string) string {
	var b strings.Builder
	set := func(key, ruby string) { b.WriteString(key + " = " + ruby + "\n") }
	q := estate.RubyString

	// external_url is a method call in gitlab.rb, not an assignment.
	if s.Domain != "" {
		b.WriteString("external_url " + q("https://"+s.Domain) + "\n")
	} else {
		b.WriteString("external_url " + q("http://"+albDNS) + "\n")
	}
	// TLS ends at the load balancer: nginx serves plain HTTP on port 80
	// and trusts the balancer's forwarding headers.
	set("letsencrypt['enable']", "false")
	set("nginx['listen_port']", "80")
	set("nginx['listen_https']", "false")
	if s.Domain != "" {
		set("nginx['proxy_set_headers']", "{ 'X-Forwarded-Proto' => 'https', 'X-Forwarded-Ssl' => 'on' }")
	}
	vpc := q(s.VPCCIDR)
	set("nginx['real_ip_trusted_addresses']", "["+vpc+"]")
	set("nginx['real_ip_header']", q("X-Forwarded-For"))
	set("nginx['real_ip_recursive']", q("on"))
	set("gitlab_rails['trusted_proxies']", "["+vpc+"]")
	// The load balancer's health checks come from the VPC; GitLab answers
	// /-/readiness only to its monitoring whitelist.
	set("gitlab_rails['monitoring_whitelist']", "['127.0.0.0/8', '::1/128', "+vpc+"]")
	set("gitlab_rails['initial_root_password']", "ENV['"+EnvRootPassword+"']")

	renderRuntime(set, s)

	if s.Aurora {
		set("postgresql['enable']", "false")
		set("gitlab_rails['db_adapter']", q("postgresql"))
		set("gitlab_rails['db_encoding']", q("unicode"))
		set("gitlab_rails['db_host']", q(dbHost))
		set("gitlab_rails['db_port']", strconv.Itoa(AuroraPort))
		set("gitlab_rails['db_database']", q(AuroraDatabase))
		set("gitlab_rails['db_username']", q(AuroraUser))
		set("gitlab_rails['db_password']", "ENV['"+EnvDBPassword+"']")
		// Aurora accepts TLS; require it so the password and data never
		// cross the VPC in clear.
		set("gitlab_rails['db_sslmode']", q("require"))
	}

	if s.SMTPDomain != "" {
		set("gitlab_rails['smtp_enable']", "true")
		set("gitlab_rails['smtp_address']", q("email-smtp."+s.Region+".amazonaws.com"))
		set("gitlab_rails['smtp_port']", strconv.Itoa(SMTPPort))
		set("gitlab_rails['smtp_user_name']", "ENV['"+EnvSMTPUser+"']")
		set("gitlab_rails['smtp_password']", "ENV['"+EnvSMTPPassword+"']")
		set("gitlab_rails['smtp_domain']", q(s.SMTPDomain))
		set("gitlab_rails['smtp_authentication']", q("login"))
		set("gitlab_rails['smtp_enable_starttls_auto']", "true")
		if s.FromAddress != "" {
			set("gitlab_rails['gitlab_email_from']", q(s.FromAddress))
		}
	} else {
		set("gitlab_rails['smtp_enable']", "false")
	}

	for _, key := range slices.Sorted(maps.Keys(s.Extra)) {
		set(key, s.Extra[key])
	}
	return b.String()
}

// renderRuntime moves every Unix socket and runtime file off EFS into
// RuntimeDir, and turns off what keeps a database on disk it does not need.
// The keys and their defaults (all under /var/opt/gitlab, which is on EFS)
// are documented in omnibus-gitlab's gitlab.rb template,
// https://gitlab.com/gitlab-org/omnibus-gitlab/-/blob/master/files/gitlab-config-template/gitlab.rb.template.
func renderRuntime(set func(key, ruby string), s Settings) {
	q := estate.RubyString
	dir := func(sub string) string { return RuntimeDir + "/" + sub }
	// Puma's socket, which Workhorse and gitlab-shell call
	// (gitlab.rb template: "puma['socket']"; Workhorse's
	// "gitlab_workhorse['auth_socket']" points at it).
	set("puma['socket']", q(dir("puma/gitlab.socket")))
	set("gitlab_workhorse['auth_socket']", q(dir("puma/gitlab.socket")))
	// Workhorse's own socket, nginx's upstream (gitlab.rb template:
	// "gitlab_workhorse['listen_network']", "['listen_addr']",
	// "['sockets_directory']").
	set("gitlab_workhorse['sockets_directory']", q(dir("workhorse")))
	set("gitlab_workhorse['listen_network']", q("unix"))
	set("gitlab_workhorse['listen_addr']", q(dir("workhorse/socket")))
	// Gitaly's socket and runtime directory (Gitaly configuration,
	// https://docs.gitlab.com/administration/gitaly/reference/: socket_path
	// and runtime_dir; omnibus derives the default storage's gitaly_address
	// from socket_path).
	set("gitaly['configuration']", "{ socket_path: "+q(dir("gitaly/gitaly.socket"))+", runtime_dir: "+q(dir("gitaly/run"))+" }")
	// Redis listens on a Unix socket only; Rails and Workhorse follow it
	// (gitlab.rb template: "redis['unixsocket']", "gitlab_rails['redis_socket']").
	set("redis['unixsocket']", q(dir("redis/redis.socket")))
	set("gitlab_rails['redis_socket']", q(dir("redis/redis.socket")))
	if !s.Aurora {
		// The bundled PostgreSQL's socket directory, and Rails' host for it
		// (gitlab.rb template: "postgresql['unix_socket_directory']";
		// gitlab_rails['db_host'] is a directory for a Unix socket).
		set("postgresql['unix_socket_directory']", q(dir("postgresql")))
		set("gitlab_rails['db_host']", q(dir("postgresql")))
	}
	// Bundled Prometheus and its exporters keep a time-series database
	// and sockets under /var/opt/gitlab; Prometheus does not support NFS
	// ("non-POSIX compliant filesystems are not supported", Prometheus
	// storage docs). Turn them all off: "prometheus_monitoring['enable'] =
	// false" disables Prometheus and every exporter
	// (https://docs.gitlab.com/administration/monitoring/prometheus/).
	// CloudWatch Container Insights watches the task instead.
	set("prometheus_monitoring['enable']", "false")
	// The agent server for Kubernetes (KAS) listens on sockets under
	// /var/opt/gitlab/gitlab-kas; it needs its own WebSocket route through
	// the load balancer that gitops does not build, so it is off
	// (https://docs.gitlab.com/administration/clusters/kas/, "Disable the
	// agent server").
	set("gitlab_kas['enable']", "false")
}
