package validate

import (
	"fmt"
	"maps"
	"net/mail"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	namePattern      = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)
	roleNamePattern  = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	// tagPattern is what AWS accepts in tag keys and values across the
	// services the estate tags (IAM's and CloudFormation's pattern).
	tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// maxAccountTags is AWS's 50 tags per resource less the Name tag gitops
// sets on its resources itself.
const maxAccountTags = 49

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
		c.checkAccountTags(a)
		c.checkAccountQuotas(a)
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

// checkAccountTags checks the account's tags against what AWS accepts: the
// stacks put every one of them on every taggable resource in the account.
func (c *checker) checkAccountTags(a *estate.Account) {
	if len(a.Tags) > maxAccountTags {
		c.report(diag.Errorf(a.Pos("tags"), "account-tag", "account %s has %d tags, more than the %d a resource can carry besides its Name", a.Name, len(a.Tags), maxAccountTags).
			WithHint("AWS allows 50 tags per resource and gitops sets Name itself; drop or merge tags"))
	}
	for _, k := range slices.Sorted(maps.Keys(a.Tags)) {
		path, v := estate.FieldPath("tags", k), a.Tags[k]
		switch {
		case k == "" || utf8.RuneCountInString(k) > 128:
			c.report(diag.Errorf(a.Pos(path), "account-tag", "tag key %q is not 1–128 characters long", k).
				WithHint("AWS tag keys are 1 to 128 characters"))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			c.report(diag.Errorf(a.Pos(path), "account-tag", "tag key %q starts with aws:, which AWS reserves", k).
				WithHint("choose a key without the aws: prefix, e.g. cost-centre"))
		case k == "Name":
			c.report(diag.Errorf(a.Pos(path), "account-tag", "tag key Name is set by gitops on each resource").
				WithHint("an account-wide Name would give every resource the same name; use another key"))
		case !tagPattern.MatchString(k):
			c.report(diag.Errorf(a.Pos(path), "account-tag", "tag key %q has characters AWS refuses in tags", k).
				WithHint("use letters, digits, spaces and _ . : / = + - @"))
		}
		switch {
		case utf8.RuneCountInString(v) > 256:
			c.report(diag.Errorf(a.Pos(path), "account-tag", "the value of tag %s is %d characters long, more than 256", k, utf8.RuneCountInString(v)).
				WithHint("AWS tag values are at most 256 characters"))
		case !tagPattern.MatchString(v):
			c.report(diag.Errorf(a.Pos(path), "account-tag", "the value of tag %s, %q, has characters AWS refuses in tags", k, v).
				WithHint("use letters, digits, spaces and _ . : / = + - @"))
		}
	}
}

// checkAccountQuotas checks the raised quotas an account declares: one
// entry per region, each a region of the account, and each count within
// the bounds its schema gives (a count of 0 would not raise, it would
// silently keep AWS's default).
func (c *checker) checkAccountQuotas(a *estate.Account) {
	declared := map[string]bool{}
	for i, q := range a.Quotas {
		path := fmt.Sprintf("quotas[%d]", i)
		switch {
		case !slices.Contains(a.Regions, q.Region):
			c.report(diag.Errorf(a.Pos(path+".region"), "account-quota", "quotas are declared for region %q, which account %s does not list under regions:", q.Region, a.Name).
				WithHint("declare raised quotas for the account's regions (%s), or list the region under regions:", strings.Join(a.Regions, ", ")))
		case declared[q.Region]:
			c.report(diag.Errorf(a.Pos(path+".region"), "account-quota", "quotas of region %s are declared twice; validate reads the first entry only", q.Region).
				WithHint("merge the region's raised quotas into one entry"))
		}
		declared[q.Region] = true
		v, t := reflect.ValueOf(q), reflect.TypeOf(q)
		for f := range t.NumField() {
			key, _, _ := strings.Cut(t.Field(f).Tag.Get("yaml"), ",")
			if t.Field(f).Type.Kind() != reflect.Int || !a.Has(path+"."+key) {
				continue
			}
			lo, hi := schemaBounds(t.Field(f).Tag.Get("jsonschema"))
			if n := int(v.Field(f).Int()); n < lo || hi > 0 && n > hi {
				bounds := fmt.Sprintf("at least %d", lo)
				if hi > 0 {
					bounds = fmt.Sprintf("%d to %d", lo, hi)
				}
				c.report(diag.Errorf(a.Pos(path+"."+key), "account-quota", "%s is %d; a raised quota is a count of %s", key, n, bounds).
					WithHint("declare the quota AWS raised the account to (Service Quotas shows it), or leave the key out to keep AWS's default"))
			}
		}
	}
}

// schemaBounds reads minimum= and maximum= from a jsonschema tag; 0 where
// the tag gives none.
func schemaBounds(tag string) (lo, hi int) {
	for _, part := range strings.Split(tag, ",") {
		if v, ok := strings.CutPrefix(part, "minimum="); ok {
			lo, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(part, "maximum="); ok {
			hi, _ = strconv.Atoi(v)
		}
	}
	return lo, hi
}
