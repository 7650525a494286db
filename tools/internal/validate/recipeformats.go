package validate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Value formats that Image Builder, EC2 and SSM accept, used by the image
// recipe checks. Each returns "" when the value is fine, or says what is wrong.

// maxVersionNode is Image Builder's limit on each version node (2^30-1).
const maxVersionNode = 1<<30 - 1

// recipeVersionProblem checks a recipe's own version: major.minor.patch.
func recipeVersionProblem(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return "is not major.minor.patch"
	}
	for _, p := range parts {
		if p == "x" {
			return "uses a wildcard; wildcards select versions, a recipe's own version is fixed"
		}
		if n, err := strconv.Atoi(p); err != nil || n < 0 || strings.HasPrefix(p, "+") {
			return "is not major.minor.patch with whole numbers"
		} else if n > maxVersionNode {
			return fmt.Sprintf("has node %d, above Image Builder's limit of %d", n, maxVersionNode)
		}
	}
	return ""
}

// versionFilterProblem checks a version that selects a component: three
// nodes, each a number or the wildcard x, and every node after the first
// x also x (1.0.x, 1.x.x, x.x.x, 1.2.3; not x.2.x or 1.x.3).
func versionFilterProblem(v string) string {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return "is not three nodes such as 1.0.x, x.x.x or 1.2.3"
	}
	wild := false
	for _, p := range parts {
		if p == "x" {
			wild = true
			continue
		}
		if wild {
			return "has a number after a wildcard; every node after the first x must be x"
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || strings.HasPrefix(p, "+") {
			return "has a node that is neither a whole number nor x"
		}
		if n > maxVersionNode {
			return fmt.Sprintf("has node %d, above Image Builder's limit of %d", n, maxVersionNode)
		}
	}
	return ""
}

var ssmSegment = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// ssmNameProblem checks an SSM parameter name. hierarchical requires the
// leading slash; reserved refuses the names AWS keeps for itself (prefixed
// aws or ssm), which only a parent image may read.
func ssmNameProblem(name string, hierarchical, reserved bool) string {
	if len(name) > 1011 {
		return fmt.Sprintf("is %d characters long; SSM allows 1011", len(name))
	}
	rest, slash := strings.CutPrefix(name, "/")
	if !slash && hierarchical {
		return "does not start with /"
	}
	segments := strings.Split(rest, "/")
	if len(segments) > 15 {
		return fmt.Sprintf("has %d levels; SSM allows 15", len(segments))
	}
	for _, s := range segments {
		if s == "" {
			return "has an empty segment (// or a trailing /)"
		}
		if !ssmSegment.MatchString(s) {
			return fmt.Sprintf("has segment %q; segments hold only letters, digits and _.-", s)
		}
	}
	first := strings.ToLower(segments[0])
	if reserved && (strings.HasPrefix(first, "aws") || strings.HasPrefix(first, "ssm")) {
		return "begins with aws or ssm, which AWS reserves"
	}
	return ""
}

var (
	instanceTypeParts   = regexp.MustCompile(`^([a-z][a-z0-9-]*)\.([a-z0-9-]+)$`)
	instanceSizePattern = regexp.MustCompile(`^(nano|micro|small|medium|large|xlarge|[1-9][0-9]*xlarge|metal(-[0-9]+xl)?)$`)
	// instanceSizes are the sizes offered for did-you-mean hints.
	instanceSizes = []string{"nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge",
		"12xlarge", "16xlarge", "24xlarge", "metal"}
)

// instanceTypeProblem checks the form family.size of an EC2 instance type
// (t3.micro, m7i-flex.large, u-6tb1.metal); it cannot know every family.
func instanceTypeProblem(t string) string {
	m := instanceTypeParts.FindStringSubmatch(t)
	if m == nil {
		return "is not family.size, e.g. t3.medium"
	}
	if !strings.ContainsAny(m[1], "0123456789") {
		return fmt.Sprintf("has family %q, which has no generation number (t3, m7i, c7g…)", m[1])
	}
	if !instanceSizePattern.MatchString(m[2]) {
		return fmt.Sprintf("has size %q, which is no EC2 size", m[2])
	}
	return ""
}

// cronField is one field of an Image Builder cron expression.
type cronField struct {
	name     string
	min, max int
	names    []string // jan…dec, sun…sat
	special  string   // wildcards beyond , - * /
}

var cronFields = []cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day-of-month", min: 1, max: 31, special: "?LW"},
	{name: "month", min: 1, max: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{name: "day-of-week", min: 1, max: 7, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}, special: "?L#"},
	{name: "year", min: 1970, max: 2199},
}

// cronProblem checks an Image Builder schedule: cron(minute hour
// day-of-month month day-of-week year), with exactly one of the two day
// fields set to ?.
func cronProblem(expr string) string {
	inner, ok := strings.CutPrefix(expr, "cron(")
	if ok {
		inner, ok = strings.CutSuffix(inner, ")")
	}
	if !ok {
		return "is not cron(…)"
	}
	fields := strings.Fields(inner)
	if len(fields) != 6 {
		return fmt.Sprintf("has %d fields; Image Builder takes 6: minute hour day-of-month month day-of-week year", len(fields))
	}
	for i, f := range cronFields {
		if p := f.problem(strings.ToLower(fields[i])); p != "" {
			return fmt.Sprintf("has %s %q: %s", f.name, fields[i], p)
		}
	}
	if (fields[2] == "?") == (fields[4] == "?") {
		return "must have ? in exactly one of day-of-month and day-of-week"
	}
	return ""
}

func (f cronField) problem(s string) string {
	if s == "?" {
		if strings.Contains(f.special, "?") {
			return ""
		}
		return "? is allowed only in the day fields"
	}
	for item := range strings.SplitSeq(s, ",") {
		if p := f.itemProblem(item); p != "" {
			return p
		}
	}
	return ""
}

func (f cronField) itemProblem(item string) string {
	switch {
	case item == "":
		return "empty item"
	case f.name == "day-of-month" && (item == "l" || item == "lw"):
		return ""
	case f.name == "day-of-month" && strings.HasSuffix(item, "w"):
		return f.valueProblem(strings.TrimSuffix(item, "w"))
	case f.name == "day-of-week" && item == "l":
		return ""
	case f.name == "day-of-week" && strings.HasSuffix(item, "l"):
		return f.valueProblem(strings.TrimSuffix(item, "l"))
	case f.name == "day-of-week" && strings.Contains(item, "#"):
		day, nth, _ := strings.Cut(item, "#")
		if n, err := strconv.Atoi(nth); err != nil || n < 1 || n > 5 {
			return "# must be followed by 1 to 5"
		}
		return f.valueProblem(day)
	}
	base, step, hasStep := strings.Cut(item, "/")
	if hasStep {
		if n, err := strconv.Atoi(step); err != nil || n < 1 {
			return "/ must be followed by a positive number"
		}
	}
	if base == "*" {
		return ""
	}
	lo, hi, isRange := strings.Cut(base, "-")
	if p := f.valueProblem(lo); p != "" {
		return p
	}
	if isRange {
		return f.valueProblem(hi)
	}
	return ""
}

func (f cronField) valueProblem(s string) string {
	if slices.Contains(f.names, s) {
		return ""
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Sprintf("%q is not a value", s)
	}
	if n < f.min || n > f.max {
		return fmt.Sprintf("%d is outside %d-%d", n, f.min, f.max)
	}
	return ""
}
