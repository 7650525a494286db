package validate

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/synthetic"
)

// positionPathProblems lists every path a check asked a document's position
// of that names no value the document's type can hold: a misspelt path,
// which Doc.Pos would answer with the parent's position without a word.
// validateFiles runs it after every rule table's run, bad and good.
func positionPathProblems(e *estate.Estate) []string {
	var out []string
	for _, doc := range e.Documents() {
		d := doc.(interface{ Document() *estate.Doc }).Document()
		typ := reflect.TypeOf(doc).Elem()
		for _, p := range d.Misses() {
			if !estate.ValidPath(typ, p) {
				out = append(out, fmt.Sprintf("%s: a check asks for the position of %q, which no %s holds", d.File, p, typ.Name()))
			}
		}
	}
	return out
}

func TestPositionPathProblemsFindsATypo(t *testing.T) {
	doc := estate.NewDoc("environments/dev/network.yaml")
	n := &estate.Network{Doc: doc}
	e := &estate.Estate{Networks: []*estate.Network{n}}
	n.Pos("vpcs[0].egress")
	if got := positionPathProblems(e); len(got) != 0 {
		t.Errorf("an absent optional value was taken for a typo: %q", got)
	}
	n.Pos("vpcs[0].egres")
	if got := positionPathProblems(e); len(got) != 1 || got[0] != `environments/dev/network.yaml: a check asks for the position of "vpcs[0].egres", which no Network holds` {
		t.Errorf("problems %q", got)
	}
}

// The example estate and synthetic estates of several shapes: every path
// the checks ask for names a value their documents could hold.
func TestPositionPathsOfExampleAndSyntheticEstates(t *testing.T) {
	roots := []string{"../../.."}
	for i, shape := range [][3]int{{1, 1, 0}, {4, 9, 40}, {12, 30, 300}} {
		dir := filepath.Join(t.TempDir(), fmt.Sprint(i))
		if err := synthetic.Generate(dir, shape[0], shape[1], shape[2]); err != nil {
			t.Fatal(err)
		}
		roots = append(roots, dir)
	}
	for _, root := range roots {
		e, _, err := load.LoadEstate(root)
		if err != nil {
			t.Fatal(err)
		}
		Estate(e)
		for _, p := range positionPathProblems(e) {
			t.Errorf("%s: %s", root, p)
		}
	}
}
