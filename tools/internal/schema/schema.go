// Package schema generates a JSON Schema (draft 2020-12) for each document
// kind from the estate model, so editors complete and check the YAML while it
// is typed. The schemas are derived from the same Go types the loader decodes
// into, so they cannot drift from it: required keys are the fields without
// omitempty, unknown keys are refused, and descriptions are the doc comments.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/invopop/jsonschema"

	"gitops/tools/internal/estate"
)

// Dir is the directory, relative to the repository root, holding the schemas.
const Dir = "schemas"

// BaseID prefixes every schema's $id. The .invalid domain is reserved, so the
// id is stable and never mistaken for a place to download from.
const BaseID = "https://gitops.invalid/schemas/"

// ModelPackage is the import path of the estate model, and ModelDir its
// directory relative to the repository root; descriptions come from its
// doc comments.
const (
	ModelPackage = "gitops/tools/internal/estate"
	ModelDir     = "tools/internal/estate"
)

// Kind is one schema: a document kind and the Go type it decodes into.
type Kind struct {
	// Kind is the document's kind: value; empty for AWSTOE components, which
	// carry none.
	Kind string
	// Name is the schema's file name without .schema.json, e.g. transit-gateway.
	Name string
	// Title is the schema's title.
	Title string
	Type  reflect.Type
}

// Path returns the schema file's path relative to the repository root,
// slash-separated, e.g. schemas/account.schema.json.
func (k Kind) Path() string { return path.Join(Dir, k.Name+".schema.json") }

// Kinds lists the schemas in the order they are written: the estate's
// document kinds, then the AWSTOE component documents.
var Kinds = kinds()

func kinds() []Kind {
	var out []Kind
	for _, k := range estate.Kinds {
		out = append(out, Kind{k.Kind, k.Schema, "gitops " + k.Kind, k.Type})
	}
	return append(out, Kind{"", "awstoe-component", "AWSTOE component document", reflect.TypeFor[estate.Component]()})
}

// ForKind returns the schema of a document kind; an empty kind is an AWSTOE
// component.
func ForKind(kind string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Kind == kind {
			return k, true
		}
	}
	return Kind{}, false
}

// File is a generated schema file.
type File struct {
	// Path is relative to the repository root, slash-separated.
	Path string
	Data []byte
}

// Generate returns every schema, in the order of Kinds. root is the
// repository root; the model's doc comments are read from its ModelDir.
func Generate(root string) ([]File, error) {
	comments, err := modelComments(root)
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(Kinds))
	for _, k := range Kinds {
		data, err := generate(k, comments)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", k.Name, err)
		}
		files = append(files, File{Path: k.Path(), Data: data})
	}
	return files, nil
}

func generate(k Kind, comments map[string]string) ([]byte, error) {
	r := &jsonschema.Reflector{
		FieldNameTag:   "yaml",
		ExpandedStruct: true,
		Anonymous:      true,
		CommentMap:     comments,
	}
	s := r.ReflectFromType(k.Type)
	if err := restorePatterns(s, k.Type); err != nil {
		return nil, err
	}
	s.ID = jsonschema.ID(BaseID + path.Base(k.Path()))
	s.Title = k.Title
	if k.Kind != "" {
		kind, ok := s.Properties.Get("kind")
		if !ok {
			return nil, fmt.Errorf("type %s has no kind field", k.Type)
		}
		kind.Enum = nil
		kind.Const = k.Kind
	}
	return canonical(s)
}

// canonical renders a schema as sorted, indented JSON with a trailing
// newline, so the same model always yields the same bytes. Descriptions keep
// <, > and & as written rather than as \u escapes.
func canonical(s *jsonschema.Schema) ([]byte, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// modelComments reads the doc comments of the model's types and fields,
// keyed as the reflector looks them up (gitops/tools/internal/estate.VPC.CIDR).
// AddGoComments keys them by the directory it was given, so it reads from
// root and the keys are then rebased onto the package path; this keeps the
// result independent of the working directory.
func modelComments(root string) (map[string]string, error) {
	dir := filepath.Join(root, filepath.FromSlash(ModelDir))
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("no estate model at %s to read descriptions from; --root must be the repository root", dir)
	}
	r := &jsonschema.Reflector{}
	if err := r.AddGoComments("", dir); err != nil {
		return nil, fmt.Errorf("reading the model's doc comments: %w", err)
	}
	prefix := filepath.ToSlash(filepath.Clean(dir)) + "."
	comments := make(map[string]string, len(r.CommentMap))
	for key, text := range r.CommentMap {
		if rest, ok := strings.CutPrefix(filepath.ToSlash(key), prefix); ok {
			comments[ModelPackage+"."+rest] = withoutGoName(rest, unwrap(text))
		}
	}
	return comments, nil
}

// withoutGoName drops the Go name a type's doc comment starts with, as Go
// wants it ("Egress is the VPC's way out"), from its description: editors
// show it to someone writing YAML, who never sees the Go name. Field
// comments are written without it (see descriptions_test.go).
func withoutGoName(key, text string) string {
	if strings.Contains(key, ".") {
		return text
	}
	rest, ok := strings.CutPrefix(text, key+" ")
	if !ok {
		return text
	}
	for _, verb := range []string{"is ", "are "} {
		if r, ok := strings.CutPrefix(rest, verb); ok {
			rest = r
			break
		}
	}
	return strings.ToUpper(rest[:1]) + rest[1:]
}

// unwrap joins the lines of each paragraph of a doc comment, so editors wrap
// descriptions to their own width.
func unwrap(text string) string {
	paras := strings.Split(text, "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paras, "\n\n")
}
