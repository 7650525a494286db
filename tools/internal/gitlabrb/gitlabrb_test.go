package gitlabrb

import (
	"strings"
	"testing"
)

func settings(mod func(s *Settings)) Settings {
	s := Settings{Domain: "gitlab.example.com", VPCCIDR: "10.0.0.0/16", Region: "eu-west-1"}
	if mod != nil {
		mod(&s)
	}
	return s
}

func TestRender(t *testing.T) {
	cases := []struct {
		name      string
		mod       func(s *Settings)
		want, not []string
	}{
		{
			name: "https behind the ALB, VPC whitelisted",
			want: []string{
				"external_url 'https://gitlab.example.com'\n",
				"nginx['listen_port'] = 80\n", "nginx['listen_https'] = false\n",
				"'X-Forwarded-Proto' => 'https'",
				"gitlab_rails['monitoring_whitelist'] = ['127.0.0.0/8', '::1/128', '10.0.0.0/16']\n",
				"gitlab_rails['trusted_proxies'] = ['10.0.0.0/16']\n",
				"gitlab_rails['initial_root_password'] = ENV['GITLAB_ROOT_PASSWORD']\n",
				"gitlab_rails['smtp_enable'] = false\n",
			},
			not: []string{"postgresql['enable']", "db_password"},
		},
		{
			name: "http uses the load balancer's name",
			mod:  func(s *Settings) { s.Domain = "" },
			want: []string{"external_url 'http://lb.example'\n"},
			not:  []string{"X-Forwarded-Proto"},
		},
		{
			name: "aurora password from the environment",
			mod:  func(s *Settings) { s.Aurora = true },
			want: []string{
				"postgresql['enable'] = false\n", "gitlab_rails['db_host'] = 'db.example'\n",
				"gitlab_rails['db_port'] = 5432\n",
				"gitlab_rails['db_password'] = ENV['GITLAB_DB_PASSWORD']\n", "gitlab_rails['db_database'] = 'gitlabhq_production'\n",
				"gitlab_rails['db_sslmode'] = 'require'\n",
			},
			not: []string{"unix_socket_directory"},
		},
		{
			name: "embedded database's socket is task-local",
			want: []string{
				"postgresql['unix_socket_directory'] = '/run/gitlab/postgresql'\n",
				"gitlab_rails['db_host'] = '/run/gitlab/postgresql'\n",
			},
		},
		{
			name: "every socket and runtime file off EFS, Prometheus off",
			want: []string{
				"puma['socket'] = '/run/gitlab/puma/gitlab.socket'\n",
				"gitlab_workhorse['auth_socket'] = '/run/gitlab/puma/gitlab.socket'\n",
				"gitlab_workhorse['listen_addr'] = '/run/gitlab/workhorse/socket'\n",
				"gitaly['configuration'] = { socket_path: '/run/gitlab/gitaly/gitaly.socket', runtime_dir: '/run/gitlab/gitaly/run' }\n",
				"redis['unixsocket'] = '/run/gitlab/redis/redis.socket'\n",
				"gitlab_rails['redis_socket'] = '/run/gitlab/redis/redis.socket'\n",
				"prometheus_monitoring['enable'] = false\n",
			},
			not: []string{"/var/opt/gitlab"},
		},
		{
			name: "ses smtp on the port the endpoint admits",
			mod:  func(s *Settings) { s.SMTPDomain, s.FromAddress = "example.com", "git@example.com" },
			want: []string{
				"gitlab_rails['smtp_address'] = 'email-smtp.eu-west-1.amazonaws.com'\n",
				"gitlab_rails['smtp_port'] = 587\n",
				"gitlab_rails['smtp_password'] = ENV['GITLAB_SMTP_PASSWORD']\n", "gitlab_rails['gitlab_email_from'] = 'git@example.com'\n",
			},
		},
		{
			name: "extra settings sorted, last",
			mod: func(s *Settings) {
				s.Extra = map[string]string{"gitlab_rails['z']": "'z'", "gitlab_rails['a']": "3"}
			},
			want: []string{"gitlab_rails['a'] = 3\ngitlab_rails['z'] = 'z'\n"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Render(settings(tc.mod), "lb.example", "db.example")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("unexpected %q in:\n%s", n, got)
				}
			}
		})
	}
}

// Every setting Render writes must be in ManagedKeys, which validate
// refuses in gitlabRb: otherwise a user's value would silently replace it
// (the user's keys are written last).
func TestRenderedKeysAreManaged(t *testing.T) {
	for _, mod := range []func(s *Settings){
		nil,
		func(s *Settings) { s.Domain = "" },
		func(s *Settings) { s.Aurora, s.SMTPDomain, s.FromAddress = true, "example.com", "git@example.com" },
	} {
		for _, line := range strings.Split(strings.TrimSpace(Render(settings(mod), "lb", "db")), "\n") {
			key, _, _ := strings.Cut(line, " ")
			if _, ok := ManagedWhy(key); !ok {
				t.Errorf("Render writes %s, which is not in ManagedKeys", key)
			}
		}
	}
}

func TestManagedWhy(t *testing.T) {
	for key, want := range map[string]bool{
		`gitlab_rails["db_host"]`:                    true,
		"gitaly['configuration']['socket_path']":     true,
		"puma['socket']":                             true,
		"puma['worker_processes']":                   false,
		"gitlab_rails['time_zone']":                  false,
		"prometheus_monitoring['enable']":            true,
		"gitlab_rails['trusted_proxies_extra']":      false,
		"nginx['real_ip_header']":                    true,
		"gitlab_rails['initial_root_password_more']": false,
	} {
		if _, got := ManagedWhy(key); got != want {
			t.Errorf("ManagedWhy(%s) = %v, want %v", key, got, want)
		}
	}
}
