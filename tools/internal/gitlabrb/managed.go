package gitlabrb

import "strings"

// Managed is a gitlab.rb setting gitops writes itself, with why a user may
// not set it.
type Managed struct {
	// Key as in gitlab.rb with single quotes; one ending in _ covers every
	// key it starts (gitlab_rails['db_host'], …), and every key covers its
	// own subscripts (gitaly['configuration']['socket_path']).
	Key, Why string
}

// ManagedKeys are the settings Render writes; a test renders every option
// and fails on a key missing here.
var ManagedKeys = []Managed{
	{"external_url", "gitops derives external_url from alb.domain"},
	{"nginx['listen_port']", "TLS ends at the load balancer, so gitops makes nginx listen on port 80"},
	{"nginx['listen_https']", "TLS ends at the load balancer, so gitops turns nginx's HTTPS off"},
	{"gitlab_rails['db_", "gitops sets the database connection from database:"},
	{"gitlab_rails['smtp_", "gitops sets mail delivery from smtp:"},
	{"postgresql['enable']", "gitops turns the bundled PostgreSQL on or off from database.type"},
	{"postgresql['unix_socket_directory']", "gitops keeps the bundled PostgreSQL's socket on task-local storage, off EFS"},
	{"gitlab_rails['monitoring_whitelist']", "gitops sets it, and it already includes the VPC's CIDR so the load balancer's health check on /-/readiness passes"},
	{"letsencrypt['enable']", "TLS ends at the load balancer with an ACM certificate, so gitops turns Let's Encrypt off"},
	{"nginx['proxy_set_headers']", "gitops sets X-Forwarded-Proto https so GitLab knows the load balancer terminated TLS"},
	{"nginx['real_ip_", "gitops trusts the VPC's CIDR for the client address the load balancer forwards"},
	{"gitlab_rails['trusted_proxies']", "gitops trusts the VPC's CIDR, where the load balancer lives"},
	{"gitlab_rails['gitlab_email_from']", "gitops sets it from smtp.fromAddress"},
	{"gitlab_rails['initial_root_password']", "never put passwords in YAML: gitops generates the root password in Secrets Manager and injects it as a secret"},
	{"puma['socket']", "gitops keeps Puma's socket on task-local storage, off EFS"},
	{"gitlab_workhorse['auth_socket']", "gitops points Workhorse at Puma's task-local socket"},
	{"gitlab_workhorse['sockets_directory']", "gitops keeps Workhorse's sockets on task-local storage, off EFS"},
	{"gitlab_workhorse['listen_", "gitops makes Workhorse listen on a task-local socket, off EFS"},
	{"gitaly['configuration']", "gitops keeps Gitaly's socket and runtime directory on task-local storage, off EFS"},
	{"redis['unixsocket']", "gitops keeps Redis's socket on task-local storage, off EFS"},
	{"gitlab_rails['redis_socket']", "gitops points Rails at Redis's task-local socket"},
	{"prometheus_monitoring['enable']", "gitops turns bundled Prometheus and its exporters off: their database must not live on EFS (NFS)"},
	{"gitlab_kas['enable']", "gitops turns the Kubernetes agent server off: the load balancer has no route for it"},
}

// ManagedWhy reports whether gitops writes the gitlab.rb key itself, and
// why; double quotes in the key count as single ones.
func ManagedWhy(key string) (string, bool) {
	canon := strings.ReplaceAll(key, `"`, `'`)
	for _, m := range ManagedKeys {
		if canon == m.Key || strings.HasPrefix(canon, m.Key+"[") || (strings.HasSuffix(m.Key, "_") && strings.HasPrefix(canon, m.Key)) {
			return m.Why, true
		}
	}
	return "", false
}
