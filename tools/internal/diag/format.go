package diag

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Formats lists the report formats Write accepts.
var Formats = []string{"text", "json", "codequality", "junit"}

// Report is what a run found, ready to print.
type Report struct {
	// Root is the directory the positions' files are relative to.
	Root string
	// Files are every file the run read, so clean files show in JUnit.
	Files []string
	Items []Diagnostic
}

// Write prints the report in format.
func Write(w io.Writer, format string, r Report) error {
	switch format {
	case "text":
		return writeText(w, r)
	case "json":
		return writeJSON(w, r)
	case "codequality":
		return writeCodeQuality(w, r)
	case "junit":
		return writeJUnit(w, r)
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// writeText prints each finding like a compiler: position, severity, message
// and rule, then the source line with a caret under the column, then the hint.
func writeText(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	lines := sourceLines{root: r.Root, files: map[string][]string{}}
	errs, warns := 0, 0
	for _, d := range r.Items {
		if d.Severity == Error {
			errs++
		} else {
			warns++
		}
		fmt.Fprintln(bw, d.String())
		if line, ok := lines.get(d.Pos.File, d.Pos.Line); ok {
			num := fmt.Sprintf("%5d | ", d.Pos.Line)
			fmt.Fprintf(bw, "%s%s\n", num, line)
			fmt.Fprintf(bw, "%s%s^\n", strings.Repeat(" ", len(num)-2)+"| ", caretPad(line, d.Pos.Col))
		}
		for _, rel := range d.Related {
			fmt.Fprintf(bw, "      = see: %s\n", rel)
		}
		if d.Hint != "" {
			fmt.Fprintf(bw, "      = hint: %s\n", d.Hint)
		}
	}
	switch {
	case errs == 0 && warns == 0:
		fmt.Fprintf(bw, "ok: %s, no findings\n", plural(len(r.Files), "file"))
	default:
		fmt.Fprintf(bw, "%s, %s in %s\n", plural(errs, "error"), plural(warns, "warning"), plural(len(r.Files), "file"))
	}
	return bw.Flush()
}

// caretPad keeps tabs as tabs so the caret lines up under the column;
// columns count characters, not bytes.
func caretPad(line string, col int) string {
	var b strings.Builder
	n := 0
	for _, r := range line {
		if n >= col-1 {
			break
		}
		n++
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	// A column just past the end of the line (an unclosed quote) still
	// gets its caret.
	for ; n < col-1 && n <= len(line); n++ {
		b.WriteByte(' ')
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// sourceLines reads files once, on demand, to quote their lines.
type sourceLines struct {
	root  string
	files map[string][]string
}

func (s sourceLines) get(file string, line int) (string, bool) {
	lines, ok := s.files[file]
	if !ok {
		data, err := readHead(filepath.Join(s.root, filepath.FromSlash(file)))
		if err == nil {
			// Lines as an editor shows them, which is how the loader counts them.
			data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
			data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
			data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
			lines = strings.Split(string(data), "\n")
		}
		s.files[file] = lines
	}
	if line < 1 || line > len(lines) {
		return "", false
	}
	return lines[line-1], true
}

// readHead reads the first 4 MiB of a file, more than the loader reads:
// a finding about a larger file is on its first line.
func readHead(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 4<<20))
}

// JSONFinding is a finding as the json format writes it; gitops diff's
// report embeds the same shape.
type JSONFinding struct {
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Column   int           `json:"column"`
	Severity string        `json:"severity"`
	Rule     string        `json:"rule"`
	Message  string        `json:"message"`
	Hint     string        `json:"hint,omitempty"`
	Related  []jsonRelated `json:"related,omitempty"`
}

type jsonRelated struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
}

// NewJSONFinding is d in the json format's shape.
func NewJSONFinding(d Diagnostic) JSONFinding {
	f := JSONFinding{
		File: d.Pos.File, Line: d.Pos.Line, Column: d.Pos.Col,
		Severity: d.Severity.String(), Rule: d.Rule, Message: d.Message, Hint: d.Hint,
	}
	for _, rel := range d.Related {
		f.Related = append(f.Related, jsonRelated{File: rel.Pos.File, Line: rel.Pos.Line, Column: rel.Pos.Col, Message: rel.Message})
	}
	return f
}

func writeJSON(w io.Writer, r Report) error {
	out := struct {
		Files    int           `json:"files"`
		Errors   int           `json:"errors"`
		Warnings int           `json:"warnings"`
		Findings []JSONFinding `json:"findings"`
	}{Files: len(r.Files), Findings: []JSONFinding{}}
	for _, d := range r.Items {
		if d.Severity == Error {
			out.Errors++
		} else {
			out.Warnings++
		}
		out.Findings = append(out.Findings, NewJSONFinding(d))
	}
	return encodeJSON(w, out)
}

// codeQualityIssue is one entry of GitLab's Code Quality report (the Code
// Climate issue format; related positions are its other_locations).
type codeQualityIssue struct {
	Description    string                `json:"description"`
	CheckName      string                `json:"check_name"`
	Fingerprint    string                `json:"fingerprint"`
	Severity       string                `json:"severity"`
	Location       codeQualityLocation   `json:"location"`
	OtherLocations []codeQualityLocation `json:"other_locations,omitempty"`
}

type codeQualityLocation struct {
	Path  string `json:"path"`
	Lines struct {
		Begin int `json:"begin"`
	} `json:"lines"`
}

func newCodeQualityLocation(file string, line int) codeQualityLocation {
	var l codeQualityLocation
	l.Path = file
	l.Lines.Begin = line
	return l
}

func writeCodeQuality(w io.Writer, r Report) error {
	issues := []codeQualityIssue{}
	seen := map[string]int{}
	for _, d := range r.Items {
		var is codeQualityIssue
		is.Description = d.Message
		if d.Hint != "" {
			is.Description += " (" + d.Hint + ")"
		}
		is.CheckName = d.Rule
		// The fingerprint leaves out the line so a finding keeps its identity
		// when lines above it move. GitLab shows one issue per fingerprint,
		// so findings with the same message in one file (two list items
		// missing the same key) are told apart by their order.
		id := d.Rule + "\x00" + d.Pos.File + "\x00" + d.Message
		n := seen[id]
		seen[id]++
		if n > 0 {
			id += "\x00" + strconv.Itoa(n)
		}
		sum := sha256.Sum256([]byte(id))
		is.Fingerprint = hex.EncodeToString(sum[:16])
		is.Severity = "major"
		if d.Severity == Warning {
			is.Severity = "minor"
		}
		is.Location = newCodeQualityLocation(d.Pos.File, d.Pos.Line)
		for _, rel := range d.Related {
			is.OtherLocations = append(is.OtherLocations, newCodeQualityLocation(rel.Pos.File, rel.Pos.Line))
		}
		issues = append(issues, is)
	}
	return encodeJSON(w, issues)
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes one test case per rule and file that found something, and
// one passing case per file without findings, so GitLab shows every file.
func writeJUnit(w io.Writer, r Report) error {
	byFile := map[string][]Diagnostic{}
	var order []string
	for _, d := range r.Items {
		if _, ok := byFile[d.Pos.File]; !ok {
			order = append(order, d.Pos.File)
		}
		byFile[d.Pos.File] = append(byFile[d.Pos.File], d)
	}
	for _, f := range r.Files {
		if _, ok := byFile[f]; !ok {
			byFile[f] = nil
			order = append(order, f)
		}
	}
	suite := junitSuite{Name: "gitops validate"}
	for _, file := range sortedStrings(order) {
		ds := byFile[file]
		if len(ds) == 0 {
			suite.Cases = append(suite.Cases, junitCase{Name: "valid", ClassName: file})
			continue
		}
		var rules []string
		byRule := map[string][]Diagnostic{}
		for _, d := range ds {
			if _, ok := byRule[d.Rule]; !ok {
				rules = append(rules, d.Rule)
			}
			byRule[d.Rule] = append(byRule[d.Rule], d)
		}
		for _, rule := range sortedStrings(rules) {
			c := junitCase{Name: rule, ClassName: file}
			var text strings.Builder
			failed := false
			for _, d := range byRule[rule] {
				text.WriteString(d.String())
				for _, rel := range d.Related {
					text.WriteString("\n  see: " + rel.String())
				}
				if d.Hint != "" {
					text.WriteString("\n  hint: " + d.Hint)
				}
				text.WriteString("\n")
				failed = failed || d.Severity == Error
			}
			if failed {
				c.Failure = &junitFailure{Message: byRule[rule][0].Message, Type: rule, Text: text.String()}
				suite.Failures++
			}
			suite.Cases = append(suite.Cases, c)
		}
	}
	suite.Tests = len(suite.Cases)
	out := junitSuites{Name: "gitops", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func sortedStrings(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
