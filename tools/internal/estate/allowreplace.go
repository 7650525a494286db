package estate

import (
	"reflect"
	"strconv"
)

// AllowReplaceEntry is one allowReplace: entry of a document.
type AllowReplaceEntry struct {
	// Key is the entry as written: TYPE/LOGICAL-ID.
	Key string
	Pos Pos
}

// AllowReplace lists every document's allowReplace: entries, kind by kind
// (see Kinds), each document's in file order. Every kind has the field;
// components, which are AWSTOE's format, do not.
func (e *Estate) AllowReplace() []AllowReplaceEntry {
	var out []AllowReplaceEntry
	for _, doc := range e.Documents() {
		field := reflect.ValueOf(doc).Elem().FieldByName("AllowReplace")
		if !field.IsValid() {
			continue
		}
		d := doc.(interface{ Document() *Doc }).Document()
		for i, k := range field.Interface().([]string) {
			out = append(out, AllowReplaceEntry{Key: k, Pos: d.Pos("allowReplace[" + strconv.Itoa(i) + "]")})
		}
	}
	return out
}
