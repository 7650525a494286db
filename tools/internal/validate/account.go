package validate

import (
	"fmt"
	"net/mail"
	"regexp"

	"gitops/tools/internal/diag"
)

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	namePattern      = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	roleNamePattern  = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
)

// checkAccounts checks each account's fields and that the estate has a
// tooling account to host GitLab and the pipelines.
func (c *checker) checkAccounts() {
	tooling := 0
	for _, a := range c.e.Accounts {
		if a.Name != "" && !namePattern.MatchString(a.Name) {
			c.report(diag.Errorf(a.Pos("name"), "account-name", "account name %q is not a lowercase name", a.Name).
				WithHint("use lowercase letters, digits and dashes, starting with a letter"))
		}
		if a.ID != "" && !accountIDPattern.MatchString(a.ID) {
			c.report(diag.Errorf(a.Pos("id"), "account-id", "account id %q is not 12 digits", a.ID).
				WithHint("AWS account ids are exactly 12 digits; quote them so YAML keeps leading zeros"))
		}
		if a.Email != "" {
			if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email {
				c.report(diag.Errorf(a.Pos("email"), "account-email", "%q is not an email address", a.Email).
					WithHint("write the bare address, e.g. aws-prod@example.com"))
			}
		}
		switch a.Role {
		case "tooling":
			tooling++
		case "workload", "":
		default:
			c.report(diag.Errorf(a.Pos("role"), "account-role", "account role %q is neither tooling nor workload", a.Role).
				WithHint("role: tooling hosts GitLab, the hub and pipelines; role: workload receives deployments"))
		}
		if a.DeployRoleName != "" && !roleNamePattern.MatchString(a.DeployRoleName) {
			c.report(diag.Errorf(a.Pos("deployRoleName"), "account-deploy-role", "%q is not a valid IAM role name", a.DeployRoleName).
				WithHint("1–64 characters of letters, digits and +=,.@_-"))
		}
		regions := map[string]bool{}
		for i, r := range a.Regions {
			path := fmt.Sprintf("regions[%d]", i)
			if regions[r] {
				c.report(diag.Errorf(a.Pos(path), "account-region-duplicate", "region %s is listed twice", r).
					WithHint("list each region once"))
			}
			regions[r] = true
			c.regionName(&a.Doc, path, r)
		}
	}
	if len(c.e.Accounts) > 0 && tooling == 0 {
		a := c.e.Accounts[0]
		c.report(diag.Errorf(a.Pos("role"), "account-tooling", "no account has role tooling").
			WithHint("mark the shared-services account that hosts GitLab and the pipelines with role: tooling"))
	}
}
