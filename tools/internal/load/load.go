// Package load reads the repository's YAML into the typed estate model,
// strictly and with positions: the first stage of gitops.
//
// Every file first passes a byte pre-scan (prescan.go): it refuses files
// over MaxFileSize, in UTF-16 or UTF-32, or holding invalid UTF-8, a NUL or
// another control character; drops a byte order mark and turns CR LF and CR
// into LF, so positions are an editor's; bounds nesting, values and keys
// per mapping, which bounds the parser's time and memory; and splits the
// file into documents, so each is parsed alone and an empty one loses
// nothing after it. Positions are 1-based lines and columns in characters.
//
// The YAML parser underneath is github.com/goccy/go-yaml. The official
// YAML test suite runs against the loader (TestYAMLTestSuite, cases in
// testdata/yaml-test-suite); where the parser accepts invalid YAML, the
// pre-scan or the decoder rejects it (a plain value running on into
// "key: value" lines, a comment glued to a value, a lone - in a flow
// collection, malformed or dangling directives). What still deviates is
// listed case by case in testdata/yaml-test-suite/deviations.txt:
//   - valid but unusual forms the parser rejects with a syntax error: empty
//     or collection-valued keys, explicit "? " keys holding collections,
//     anchors and tags on empty values, flow mappings whose key runs over
//     lines. No estate file needs them.
//   - invalid YAML it accepts: flow collections and quoted strings whose
//     continuation lines are not indented past their key, a tab as
//     indentation inside a flow collection, a %TAG handle used in a later
//     document, a comma inside a tag.
//   - tags on values are ignored (!!str with no value loads as null, not
//     ""; a document's root takes only !!map, any other tag there is
//     refused with yaml-kind), an alias
//     used as a key with a space before its colon is read as the key "*",
//     and a literal block's last line of only spaces is lost.
package load

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"

	yaml "github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// ComponentsDir holds the AWSTOE component documents, relative to the root.
const ComponentsDir = "imagerecipes/components"

// Document is one decoded YAML document: an *estate.Account, *estate.Network, …
// or an *estate.Component.
type Document any

// LoadEstate reads every YAML file under root's accounts/, environments/ and
// imagerecipes/ in parallel. Findings in the files are returned in the list;
// the error is for I/O failures only (a directory that cannot be read).
func LoadEstate(root string) (*estate.Estate, *diag.List, error) {
	files, err := estateFiles(root)
	if err != nil {
		return nil, nil, err
	}
	diags := &diag.List{}
	docs := make([][]Document, len(files))
	var ioErrs []error
	var mu sync.Mutex
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				data, size, err := readFile(filepath.Join(root, filepath.FromSlash(files[i])))
				if errors.Is(err, errTooBig) {
					diags.Add(tooBig(files[i], size))
					continue
				}
				if err != nil {
					mu.Lock()
					ioErrs = append(ioErrs, err)
					mu.Unlock()
					continue
				}
				docs[i] = LoadBytes(files[i], data, diags)
			}
		})
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	if len(ioErrs) > 0 {
		return nil, nil, errors.Join(ioErrs...)
	}
	e := &estate.Estate{Root: root, Files: files, Components: map[string]*estate.Component{}}
	for _, fileDocs := range docs {
		for _, doc := range fileDocs {
			AddDocument(e, doc)
		}
	}
	return e, diags, nil
}

// errTooBig is readFile's error for a file larger than MaxFileSize.
var errTooBig = errors.New("file too large")

// readFile reads a file of at most MaxFileSize bytes; a larger one it
// refuses with errTooBig and its size, unread, so it costs no memory.
func readFile(name string) ([]byte, int64, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if fi.Size() > MaxFileSize {
		return nil, fi.Size(), errTooBig
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	return data, int64(len(data)), err
}

// AddDocument puts a decoded document into the estate's list of its kind.
func AddDocument(e *estate.Estate, doc Document) { e.Add(doc) }

// estateFiles lists the YAML files of the estate, slash-separated and
// relative to root, in sorted order. Hidden files and directories are left
// out: editors keep lock files and backups there (Emacs's .#x.yaml is a
// dangling link), and they are no part of the estate.
func estateFiles(root string) ([]string, error) {
	var files []string
	for _, dir := range []string{"accounts", "environments", "imagerecipes"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) && p == filepath.Join(root, dir) {
					return fs.SkipDir
				}
				return err
			}
			if strings.HasPrefix(de.Name(), ".") && p != filepath.Join(root, dir) {
				if de.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if de.IsDir() || !isYAML(p) {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(files)
	return files, nil
}

func isYAML(p string) bool {
	return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")
}

// DroppingRules are the rules of findings after which a document or a whole
// file is not loaded: checks run past them would report every reference to
// what it declares as undeclared.
var DroppingRules = []string{"yaml-syntax", "yaml-kind", "yaml-encoding", "yaml-size"}

// LoadBytes decodes the documents of one file; file is its slash-separated
// path relative to the repository root, which decides what it may hold.
// Findings go to diags, at most diag.MaxPerFile of them and one for the
// rest. It never panics, whatever data holds, and every document that is
// not empty is either returned or named in a finding.
func LoadBytes(file string, data []byte, diags *diag.List) []Document {
	found := &fileFindings{}
	defer found.flush(diags)
	var out []Document
	empty := eachDocument(file, data, found.add, func(body ast.Node, line int) {
		if d := loadDocument(file, body, line, found.add); d != nil {
			out = append(out, d)
		}
	})
	if empty {
		found.add(diag.Errorf(estate.Pos{File: file, Line: 1, Col: 1}, "yaml-empty", "file holds no document").
			WithHint("give it a kind: and its keys, or delete it"))
	}
	return out
}

// eachDocument pre-scans and parses the documents of a file, calling load
// with the body of each one that is not empty, and the line of its first
// content. It reports whether the file held no document at all (and no
// finding refused it).
func eachDocument(file string, data []byte, report func(diag.Diagnostic), load func(body ast.Node, line int)) (empty bool) {
	src, ok := prescan(file, data, report)
	if !ok {
		return false
	}
	empty = true
	for _, doc := range src.docs {
		if doc.empty {
			continue
		}
		empty = false
		body, err := parseDocument(src.text[doc.start:doc.end], doc.line)
		if err != nil {
			report(syntaxError(file, src.text[doc.start:doc.end], doc.line, doc.first, err))
			continue
		}
		if body == nil {
			// Only a tag or an anchor, with no value.
			report(diag.Errorf(estate.Pos{File: file, Line: doc.first, Col: 1}, "yaml-kind", "document has no kind").
				WithHint("start it with kind: and one of %s", strings.Join(kindNames(), ", ")))
			continue
		}
		load(body, doc.first)
	}
	return empty
}

// fileFindings collects one file's findings, keeping the first
// diag.MaxPerFile and counting the rest.
type fileFindings struct {
	items    []diag.Diagnostic
	more     int
	moreAt   estate.Pos
	moreErrs bool
}

func (f *fileFindings) add(d diag.Diagnostic) {
	if len(f.items) < diag.MaxPerFile {
		f.items = append(f.items, d)
		return
	}
	if f.more == 0 {
		f.moreAt = d.Pos
	}
	f.more++
	f.moreErrs = f.moreErrs || d.Severity == diag.Error
}

func (f *fileFindings) flush(diags *diag.List) {
	if f.more > 0 {
		severity := diag.Warning
		if f.moreErrs {
			severity = diag.Error
		}
		f.items = append(f.items, diag.More(f.moreAt, f.more, severity))
	}
	diags.Add(f.items...)
}

// loadDocument decodes the document body, which starts at line of file.
func loadDocument(file string, body ast.Node, line int, report func(diag.Diagnostic)) Document {
	if path.Dir(file) == ComponentsDir || strings.HasPrefix(file, ComponentsDir+"/") {
		c := &estate.Component{Doc: estate.NewDoc(file)}
		dec := newDecoder(&c.Doc, line, report)
		if body = rootBody(dec, body); body == nil {
			return nil
		}
		dec.decode(body, reflect.ValueOf(c).Elem(), "")
		dec.reportMissing()
		return c
	}
	doc := estate.NewDoc(file)
	dec := newDecoder(&doc, line, report)
	if body = rootBody(dec, body); body == nil {
		return nil
	}
	kind, kindNode := findKind(body)
	switch {
	case isList(body):
		dec.errorf(body, "yaml-kind", "a document must be a mapping starting with kind:, got a list").
			hint("remove the leading \"- \": each document is one mapping, and documents are separated by ---")
		return nil
	case kindNode == nil:
		dec.errorf(body, "yaml-kind", "document has no kind").
			hint("start it with kind: and one of %s", strings.Join(kindNames(), ", "))
		return nil
	case !isString(kindNode):
		dec.errorf(kindNode, "yaml-kind", "kind must be a name, got %s", describe(kindNode)).
			hint("write kind: and one of %s", strings.Join(kindNames(), ", "))
		return nil
	case !known(kind):
		b := dec.errorf(kindNode, "yaml-kind", "unknown kind %q", kind)
		if h := diag.DidYouMean(kind, kindNames()); h != "" {
			b.hint("%s", h)
		} else {
			b.hint("kinds: %s", strings.Join(kindNames(), ", "))
		}
		return nil
	}
	if dir := kindDir(kind); !strings.HasPrefix(file, dir+"/") {
		dec.errorf(kindNode, "yaml-kind", "%s %s document belongs under %s/", article(kind), kind, dir).
			hint("move the file under %s/", dir)
		return nil
	}
	k, _ := estate.LookupKind(kind)
	v := reflect.New(k.Type)
	docField := v.Elem().FieldByName("Doc")
	docField.Set(reflect.ValueOf(doc))
	dec.doc = docField.Addr().Interface().(*estate.Doc)
	dec.decode(body, v.Elem(), "")
	dec.reportMissing()
	return v.Interface()
}

// rootBody looks past the standard !!map tag on the document's root
// mapping ("--- !!map"). Any other tag there is refused with a finding at
// the tag (nil is returned): no document kind takes one.
func rootBody(dec *decoder, body ast.Node) ast.Node {
	t, ok := body.(*ast.TagNode)
	if !ok || t.Value == nil {
		return body
	}
	switch tag := t.Start.Value; tag {
	case "!!map", "tag:yaml.org,2002:map", "!<tag:yaml.org,2002:map>":
		return t.Value
	default:
		dec.errorf(t, "yaml-kind", "tag %s is not supported on a document", tag).
			hint("remove it: a document is an untagged mapping (or tagged !!map) starting with kind:")
		return nil
	}
}

// findKind returns the document's kind and the node holding it, past any
// anchor or tag.
func findKind(body ast.Node) (string, ast.Node) {
	m, ok := body.(*ast.MappingNode)
	if !ok {
		return "", nil
	}
	for _, mv := range m.Values {
		if keyString(mv.Key) == "kind" {
			n := unwrap(mv.Value)
			s, _ := stringValue(n)
			return s, n
		}
	}
	return "", nil
}

func isList(n ast.Node) bool {
	_, ok := unwrap(n).(*ast.SequenceNode)
	return ok
}

// article is "an" before a vowel, "a" otherwise.
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

func isString(n ast.Node) bool {
	_, ok := stringValue(n)
	return ok
}

func known(kind string) bool {
	_, ok := estate.LookupKind(kind)
	return ok
}

func kindDir(kind string) string {
	k, _ := estate.LookupKind(kind)
	return k.Dir
}

func kindNames() []string { return estate.KindNames() }

// parseDocument parses one document of a file, text, which starts at line
// of the file. The parser gets one document at a time: given several, it
// drops every document after an empty one. A panic inside it becomes an
// error, so no input can crash a validation run.
func parseDocument(text []byte, line int) (body ast.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML parser failed on this document: %v", r)
		}
	}()
	tokens := lexer.Tokenize(string(text))
	for _, tk := range tokens {
		if tk.Position != nil {
			tk.Position.Line += line - 1
		}
	}
	f, err := parser.Parse(tokens, 0)
	if err != nil {
		return nil, err
	}
	for _, doc := range f.Docs {
		// The parser makes a directive (%YAML 1.2) a document of its own.
		if _, directive := doc.Body.(*ast.DirectiveNode); doc.Body != nil && !directive {
			return doc.Body, nil
		}
	}
	return nil, nil
}

// syntaxError turns a parser error in a document into a positioned
// finding: text is the document, starting at line start of the file, with
// its first content at line.
func syntaxError(file string, text []byte, start, line int, err error) diag.Diagnostic {
	pos := estate.Pos{File: file, Line: line, Col: 1}
	msg := err.Error()
	var ye yaml.Error
	if errors.As(err, &ye) {
		msg = ye.GetMessage()
		if tk := ye.GetToken(); tk != nil && tk.Position != nil && tk.Position.Line >= line {
			pos.Line, pos.Col = tk.Position.Line, max(1, tk.Position.Column)
		}
	}
	if strings.Contains(msg, "not allowed in this context") || strings.Contains(msg, "non-map value") {
		if m, h, ok := misaligned(text, start, pos.Line); ok {
			return diag.Errorf(pos, "yaml-syntax", "%s", m).WithHint("%s", h)
		}
	}
	switch {
	case strings.Contains(msg, "already defined"):
		return diag.Errorf(pos, "yaml-duplicate-key", "%s", msg).
			WithHint("a key may appear once per mapping; merge the two or rename one")
	case strings.Contains(msg, "'\t'"):
		return diag.Errorf(pos, "yaml-syntax", "a tab character where YAML expects spaces").
			WithHint("indent with spaces, not tabs")
	case strings.Contains(msg, "not found") || strings.Contains(msg, "could not find"):
		return diag.Errorf(pos, "yaml-syntax", "%s", msg).
			WithHint("close the bracket or quote opened here")
	}
	return diag.Errorf(pos, "yaml-syntax", "%s", msg).
		WithHint("fix the YAML syntax here")
}
