package estate

import "strings"

// Pascal turns an estate name (lowercase, digits, hyphens) into the
// alphanumeric PascalCase CloudFormation logical IDs need:
// gitlab-ce → GitlabCe, private-a → PrivateA.
func Pascal(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
			if upper {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}
