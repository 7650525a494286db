package estate

import (
	"reflect"
	"testing"
)

func TestValidPath(t *testing.T) {
	for _, c := range []struct {
		typ  reflect.Type
		path string
		want bool
	}{
		{reflect.TypeFor[Network](), "", true},
		{reflect.TypeFor[Network](), "vpcs[0].subnets[1].cidrs[0]", true},
		{reflect.TypeFor[Network](), "vpcs[12].egress", true},
		{reflect.TypeFor[Network](), "vpcs[0].subnet[1].cidr", false},
		{reflect.TypeFor[Network](), "vpcs.name", false},
		{reflect.TypeFor[Network](), "vpcs[x].name", false},
		{reflect.TypeFor[Network](), "vpcs[0].name.more", false},
		{reflect.TypeFor[Network](), "Doc", false},
		{reflect.TypeFor[Mirror](), "codeCommit.repository", true},
		{reflect.TypeFor[Mirror](), "codeCommit.repo", false},
		{reflect.TypeFor[Account](), "tags.cost-center", true},
		{reflect.TypeFor[Component](), "phases[0].steps[2].inputs.commands[1]", true},
		{reflect.TypeFor[Component](), "parameters[0].version.type", true},
	} {
		if got := ValidPath(c.typ, c.path); got != c.want {
			t.Errorf("ValidPath(%s, %q) = %v, want %v", c.typ.Name(), c.path, got, c.want)
		}
	}
}

func TestMisses(t *testing.T) {
	d := NewDoc("a.yaml")
	d.Record("name", 2, 7)
	d.Pos("name")
	d.Pos("vpcs[0].cidr")
	d.Pos("regions")
	if got := d.Misses(); !reflect.DeepEqual(got, []string{"regions", "vpcs[0].cidr"}) {
		t.Errorf("misses %q", got)
	}
	var zero Doc
	zero.Pos("x")
	if zero.Misses() != nil {
		t.Error("a zero Doc recorded misses")
	}
}

// Every kind has allowReplace:, which AllowReplace finds through the kinds
// table.
func TestEveryKindHasAllowReplace(t *testing.T) {
	for _, k := range Kinds {
		if f, ok := k.Type.FieldByName("AllowReplace"); !ok || f.Type != reflect.TypeFor[[]string]() {
			t.Errorf("%s has no allowReplace: list", k.Kind)
		}
	}
}
