package stacks

import (
	"strings"
	"testing"

	"gitops/tools/internal/estate"
)

func gitlabSpec(mod func(g *estate.GitLab)) *GitLabSpec {
	g := estate.GitLab{
		Name: "main", Database: estate.GitLabDatabase{Type: "embedded"}, SMTP: estate.GitLabSMTP{Type: "none"},
		ALB: estate.GitLabALB{Domain: "gitlab.example.com"},
	}
	if mod != nil {
		mod(&g)
	}
	return &GitLabSpec{GitLab: g, VPCCIDR: "10.0.0.0/16"}
}

func TestOmnibusConfig(t *testing.T) {
	cases := []struct {
		name      string
		mod       func(g *estate.GitLab)
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
			mod:  func(g *estate.GitLab) { g.ALB.Domain = "" },
			want: []string{"external_url 'http://lb.example'\n"},
			not:  []string{"X-Forwarded-Proto"},
		},
		{
			name: "aurora password from the environment",
			mod:  func(g *estate.GitLab) { g.Database.Type = "aurora" },
			want: []string{
				"postgresql['enable'] = false\n", "gitlab_rails['db_host'] = 'db.example'\n",
				"gitlab_rails['db_password'] = ENV['GITLAB_DB_PASSWORD']\n", "gitlab_rails['db_database'] = 'gitlabhq_production'\n",
				"gitlab_rails['db_sslmode'] = 'require'\n",
			},
		},
		{
			name: "ses smtp",
			mod: func(g *estate.GitLab) {
				g.SMTP = estate.GitLabSMTP{Type: "ses", Domain: "example.com", FromAddress: "git@example.com"}
			},
			want: []string{
				"gitlab_rails['smtp_address'] = 'email-smtp.eu-west-1.amazonaws.com'\n",
				"gitlab_rails['smtp_password'] = ENV['GITLAB_SMTP_PASSWORD']\n", "gitlab_rails['gitlab_email_from'] = 'git@example.com'\n",
			},
		},
		{
			name: "extra settings escaped, sorted, typed",
			mod: func(g *estate.GitLab) {
				g.GitLabRb = map[string]estate.RubyValue{
					"gitlab_rails['z']":         {Type: "string", Text: `a'b\c`},
					"gitlab_rails['a']":         {Type: "int", Text: "3"},
					"gitlab_rails['injection']": {Type: "string", Text: "x'; system('id'); '"},
				}
			},
			want: []string{
				"gitlab_rails['a'] = 3\ngitlab_rails['injection'] = 'x\\'; system(\\'id\\'); \\''\ngitlab_rails['z'] = 'a\\'b\\\\c'\n",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := OmnibusConfig(gitlabSpec(tc.mod), "eu-west-1", "lb.example", "db.example")
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
