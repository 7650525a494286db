package diff

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gitops/tools/internal/estate"
)

func TestGitLabUpgradePaths(t *testing.T) {
	stops, err := loadStops()
	if err != nil {
		t.Fatal(err)
	}
	if stops.Source == "" || stops.Retrieved == "" {
		t.Fatal("the stops carry no source or date")
	}
	cases := []struct {
		from, to string
		rule     string // "" when the upgrade is fine
		severity string
		mentions string
	}{
		{"17.8.1-ce.0", "17.11.1-ce.0", "", "", ""},
		{"17.11.1-ce.0", "17.11.3-ce.0", "", "", ""},
		{"17.3.0-ce.0", "17.11.1-ce.0", "diff-gitlab-upgrade-stop", "error", "17.5.5, 17.8.7"},
		{"16.3.1-ce.0", "16.11.0-ce.0", "diff-gitlab-upgrade-stop", "error", "16.7.10"},
		{"16.11.10-ce.0", "17.1.0-ce.0", "", "", ""},
		{"16.0.1-ce.0", "16.3.0-ce.0", "diff-gitlab-upgrade-stop", "warning", "16.1.8 (for instances with NPM packages"},
		// Beyond the list, the published schedule: x.2, x.5, x.8, x.11.
		{"17.11.1-ce.0", "18.3.0-ce.0", "diff-gitlab-upgrade-stop", "error", "18.2.z"},
		{"17.11.1-ce.0", "18.2.4-ce.0", "", "", ""},
		{"17.11.1-ce.0", "16.0.0-ce.0", "diff-gitlab-downgrade", "error", "downgrade"},
		{"17.11.1-ce.0", "17.11.0-ce.0", "diff-gitlab-downgrade", "error", "downgrade"},
		{"17.11.1-ce.0", "17.11.1-ee.0", "diff-gitlab-edition", "warning", "from CE to EE"},
		{"17.11.1-ee.0", "17.11.1-ce.0", "diff-gitlab-edition", "error", "back from EE to CE"},
		{"17.8.1-ce.0", "17.11.1-ee.0", "diff-gitlab-edition", "error", "changes version"},
	}
	for _, c := range cases {
		g := &estate.GitLab{Doc: estate.NewDoc("gitlab.yaml"), Name: "gitlab", Image: estate.GitLabImage{Tag: c.to}}
		repo := "gitlab/gitlab-" + c.to[len(c.to)-4:len(c.to)-2]
		g.Image.Repository = repo
		fromRepo := "gitlab/gitlab-" + c.from[len(c.from)-4:len(c.from)-2]
		got := gitlabUpgradeFindings(stops, g, c.from, fromRepo)
		if c.rule == "" {
			if len(got) > 0 {
				t.Errorf("%s → %s: unexpected %v", c.from, c.to, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Rule != c.rule || got[0].Severity.String() != c.severity || !strings.Contains(got[0].Message, c.mentions) {
			t.Errorf("%s → %s: got %v, want one %s %s mentioning %q", c.from, c.to, got, c.severity, c.rule, c.mentions)
		}
	}
}

// The example's pin is a version GitLab publishes on the upgrade path: a
// well-formed CE tag at or after the last listed stop's major, reached from
// the previous stop without skipping one.
func TestExamplePinIsValid(t *testing.T) {
	data, err := os.ReadFile("../../../environments/tooling/gitlab.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*tag:\s*(\S+)`).FindSubmatch(data)
	if m == nil {
		t.Fatal("no image tag in the example's gitlab.yaml")
	}
	tag := string(m[1])
	v, ok := parseGitLabTag(tag)
	if !ok || v.Edition != "ce" {
		t.Fatalf("example pin %q is not a CE omnibus tag", tag)
	}
	stops, _ := loadStops()
	var previous gitlabVersion
	for _, s := range stops.Stops {
		sv, _ := parseVersion(s.Version)
		if sv.compare(v) < 0 && s.OnlyFor == "" && (sv.Major < v.Major || sv.Minor < v.Minor) {
			previous = sv
		}
	}
	if previous.Major == 0 {
		t.Fatalf("no required stop before %s in the data", tag)
	}
	from := previous
	from.Edition = "ce"
	g := &estate.GitLab{Doc: estate.NewDoc("gitlab.yaml"), Name: "gitlab", Image: estate.GitLabImage{Repository: "gitlab/gitlab-ce", Tag: tag}}
	fromTag := previousTag(from)
	if got := gitlabUpgradeFindings(stops, g, fromTag, "gitlab/gitlab-ce"); len(got) > 0 {
		t.Errorf("upgrading from the previous stop %s to the example's %s: %v", fromTag, tag, got)
	}
}

func previousTag(v gitlabVersion) string {
	return strings.Join([]string{itoa(v.Major), itoa(v.Minor), itoa(v.Patch)}, ".") + "-ce.0"
}

func itoa(n int) string { return strconv.Itoa(n) }
