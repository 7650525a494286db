package estate

import (
	"regexp"
	"strings"

	"github.com/invopop/jsonschema"
)

// GitLabRbKey is the shape of a gitlab.rb setting gitops writes verbatim as
// `key = value`: a name and one or more quoted subscripts of plain
// characters, so no key can carry Ruby code (no #{…} interpolation).
var GitLabRbKey = regexp.MustCompile(`^[a-z][a-z0-9_]*(\['[A-Za-z0-9_.-]+'\]|\["[A-Za-z0-9_.-]+"\])+$`)

// RubyValue is a scalar gitlab.rb value: a string, integer, float or boolean,
// as written in YAML.
type RubyValue struct {
	// Type is string, int, float or bool.
	Type string
	// Text is the value as written (unquoted for strings).
	Text string
}

// Ruby renders the value as a Ruby literal; strings are single-quoted with
// backslashes and quotes escaped, so no value can break out of its literal.
func (v RubyValue) Ruby() string {
	switch v.Type {
	case "int", "float", "bool":
		return v.Text
	}
	return RubyString(v.Text)
}

// RubyString quotes s as a single-quoted Ruby string literal.
func RubyString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

// DecodeScalar implements the loader's scalar hook.
func (v *RubyValue) DecodeScalar(typ, text string) bool {
	switch typ {
	case "string", "int", "float", "bool":
		v.Type, v.Text = typ, text
		return true
	}
	return false
}

// JSONSchema describes a RubyValue as any scalar.
func (RubyValue) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		OneOf: []*jsonschema.Schema{
			{Type: "string"}, {Type: "number"}, {Type: "boolean"},
		},
	}
}
