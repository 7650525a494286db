package diff

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
)

// document is one estate document: its kind, identity and typed value.
type document struct {
	kind string
	// id tells the document apart from the others of its kind: its name, or
	// account/region for a network.
	id    string
	value reflect.Value // the struct
	doc   *estate.Doc
}

// documents lists an estate's documents.
func documents(e *estate.Estate) []*document {
	if e == nil {
		return nil
	}
	var out []*document
	for _, list := range []any{e.Accounts, e.Networks, e.TransitGateways, e.GitLabs, e.Mirrors, e.ImageRecipes, e.Pipelines} {
		lv := reflect.ValueOf(list)
		for i := range lv.Len() {
			ptr := lv.Index(i)
			if ptr.IsNil() {
				continue
			}
			v := ptr.Elem()
			d := &document{kind: v.Type().Name(), value: v, doc: v.FieldByName("Doc").Addr().Interface().(*estate.Doc)}
			if name := stringField(v, "Name"); name != "" {
				d.id = name
			} else {
				d.id = stringField(v, "Account") + "/" + stringField(v, "Region")
			}
			out = append(out, d)
		}
	}
	return out
}

func stringField(v reflect.Value, name string) string {
	f := v.FieldByName(name)
	if f.IsValid() && f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

// docKinds are the document kinds a stack kind is compiled from; the
// resource's logical id picks the document and the item within it.
var docKinds = map[stacks.Kind][]string{
	stacks.KindNetwork:        {"Network", "TransitGateway"},
	stacks.KindTransitGateway: {"TransitGateway"},
	stacks.KindTGWRouting:     {"TransitGateway"},
	stacks.KindGitLab:         {"GitLab"},
	stacks.KindGitLabImage:    {"GitLab"},
	stacks.KindDeployRole:     {"Account"},
	stacks.KindMirrors:        {"Mirror", "GitLab"},
	stacks.KindImageRecipe:    {"ImageRecipe"},
	stacks.KindAMIParameters:  {"ImageRecipe"},
	stacks.KindPipeline:       {"Pipeline"},
	stacks.KindApplication:    {"Pipeline"},
	// The log bucket serves the account and region its stacks are in.
	stacks.KindAccessLogs: {"Account"},
	// So does the template bucket of a region other than the deploy role's.
	stacks.KindTemplateBucket: {"Account"},
}

// location is where in the estate a resource comes from.
type location struct {
	doc *document
	// keyPath names the item by its names: vpcs[dev-app].subnets[private].
	keyPath string
	// path is the loader's path of the item in its document: vpcs[0].subnets[1].
	path string
}

// locate finds the document and item a resource of stack h was compiled
// from; nil when no document of the stack's kinds exists.
func locate(docs []*document, h *stacks.ManifestStack, logicalID string) *location {
	if all := locateAll(docs, h, logicalID); len(all) > 0 {
		return all[0]
	}
	return nil
}

// locateAll lists the places a resource of stack h may come from, best
// first: the documents of the stack's kinds (of its account and region when
// they say one), scored by how much of the logical id their names explain.
// A Transit Gateway attachment, say, is both the gateway's attachment and
// the VPC it attaches.
func locateAll(docs []*document, h *stacks.ManifestStack, logicalID string) []*location {
	kinds, known := docKinds[h.Kind]
	type scored struct {
		loc   *location
		score int
	}
	var found []scored
	for _, d := range docs {
		if known && !slices.Contains(kinds, d.kind) {
			continue
		}
		if d.kind == "Account" && d.id != h.Account {
			continue
		}
		score := 0
		if acc := stringField(d.value, "Account"); acc != "" && acc == h.Account {
			score++
			if stringField(d.value, "Region") == h.Region {
				score++
			}
		}
		rest := logicalID
		if name := stringField(d.value, "Name"); name != "" && strings.HasPrefix(rest, estate.Pascal(name)) {
			rest = rest[len(estate.Pascal(name)):]
			score += 10 * len(estate.Pascal(name))
		}
		keyPath, path, consumed := descend(d.value, rest, "", "")
		score += 10 * consumed
		found = append(found, scored{&location{doc: d, keyPath: keyPath, path: path}, score})
	}
	slices.SortStableFunc(found, func(a, b scored) int { return b.score - a.score })
	out := make([]*location, len(found))
	for i, f := range found {
		out[i] = f.loc
	}
	return out
}

// descend follows the named list items whose PascalCase names prefix id,
// longest first, and returns the item's paths and how much of id the names
// explained.
func descend(v reflect.Value, id, keyPath, path string) (string, string, int) {
	type candidate struct {
		item          reflect.Value
		keyPath, path string
		pascal        string
	}
	var found []candidate
	var collect func(v reflect.Value, keyPath, path string)
	collect = func(v reflect.Value, keyPath, path string) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			switch {
			case fv.Kind() == reflect.Struct:
				// A block such as smtp: explains the Smtp of GitlabSmtpUser.
				found = append(found, candidate{fv, estate.FieldPath(keyPath, name), estate.FieldPath(path, name), estate.Pascal(name)})
				collect(fv, estate.FieldPath(keyPath, name), estate.FieldPath(path, name))
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct:
				for j := range fv.Len() {
					item := fv.Index(j)
					if n := stringField(item, "Name"); n != "" {
						found = append(found, candidate{item, estate.FieldPath(keyPath, name) + "[" + n + "]", estate.ItemPath(estate.FieldPath(path, name), j), estate.Pascal(n)})
					}
				}
			}
		}
	}
	collect(v, keyPath, path)
	var best *candidate
	for i := range found {
		c := &found[i]
		if c.pascal != "" && strings.HasPrefix(id, c.pascal) && (best == nil || len(c.pascal) > len(best.pascal)) {
			best = c
		}
	}
	if best == nil {
		return keyPath, path, 0
	}
	k, p, n := descend(best.item, id[len(best.pascal):], best.keyPath, best.path)
	return k, p, n + len(best.pascal)
}

// edit is a change in a document between the sides.
type edit struct {
	// keyPath names the changed value by item names, as location does.
	keyPath string
	// pos is where the change is in the head, or in the base for a document
	// the head no longer has.
	pos  estate.Pos
	what string
}

// docEdits compares each head document with the base's of the same kind
// and identity.
func docEdits(base, head []*document) map[*document][]edit {
	byID := map[string]*document{}
	for _, d := range base {
		byID[d.kind+"/"+d.id] = d
	}
	out := map[*document][]edit{}
	for _, h := range head {
		b, ok := byID[h.kind+"/"+h.id]
		if !ok {
			continue
		}
		var edits []edit
		walkEdits(b.value, h.value, "", "", h.doc, &edits)
		out[h] = edits
	}
	return out
}

// walkEdits records what differs between two values of one type.
func walkEdits(b, h reflect.Value, keyPath, path string, doc *estate.Doc, out *[]edit) {
	switch h.Kind() {
	case reflect.Struct:
		t := h.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			if name == "allowReplace" && path == "" {
				// The declaration of intent causes nothing.
				continue
			}
			walkEdits(b.Field(i), h.Field(i), estate.FieldPath(keyPath, name), estate.FieldPath(path, name), doc, out)
		}
	case reflect.Slice:
		if h.Type().Elem().Kind() == reflect.Struct && h.Type().Elem().Kind() != reflect.Interface && hasName(h.Type().Elem()) {
			baseItems := map[string]reflect.Value{}
			for j := range b.Len() {
				baseItems[stringField(b.Index(j), "Name")] = b.Index(j)
			}
			seen := map[string]bool{}
			for j := range h.Len() {
				n := stringField(h.Index(j), "Name")
				seen[n] = true
				kp, p := keyPath+"["+n+"]", estate.ItemPath(path, j)
				if bi, ok := baseItems[n]; ok {
					walkEdits(bi, h.Index(j), kp, p, doc, out)
				} else {
					*out = append(*out, edit{keyPath: kp, pos: doc.Pos(p), what: "adds " + n})
				}
			}
			for j := range b.Len() {
				if n := stringField(b.Index(j), "Name"); !seen[n] {
					*out = append(*out, edit{keyPath: keyPath + "[" + n + "]", pos: doc.Pos(path), what: "removes " + n})
				}
			}
			return
		}
		if !reflect.DeepEqual(b.Interface(), h.Interface()) {
			*out = append(*out, edit{keyPath: keyPath, pos: doc.Pos(path), what: fmt.Sprintf("%s: %s → %s", lastKey(path), short(b), short(h))})
		}
	default:
		if !reflect.DeepEqual(b.Interface(), h.Interface()) {
			*out = append(*out, edit{keyPath: keyPath, pos: doc.Pos(path), what: fmt.Sprintf("%s: %s → %s", lastKey(path), short(b), short(h))})
		}
	}
}

func hasName(t reflect.Type) bool {
	f, ok := t.FieldByName("Name")
	return ok && f.Type.Kind() == reflect.String
}

func lastKey(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		return path[i+1:]
	}
	return path
}

// short renders an estate value for a message.
func short(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return "(unset)"
		}
		return v.String()
	case reflect.Int, reflect.Int64:
		if v.Int() == 0 {
			return "(unset)"
		}
		return strconv.FormatInt(v.Int(), 10)
	}
	s := fmt.Sprint(v.Interface())
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}

// related tells whether an edit at keyPath a can cause a change to the item
// at keyPath b: one lies inside the other.
func related(a, b string) bool {
	return a == b || within(a, b) || within(b, a)
}

// within tells whether keyPath a lies inside keyPath b.
func within(a, b string) bool {
	return b == "" || strings.HasPrefix(a, b) && (a[len(b)] == '.' || a[len(b)] == '[')
}
