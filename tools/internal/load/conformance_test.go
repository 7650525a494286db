package load

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

var listDeviations = flag.Bool("list-deviations", false, "print every YAML test suite case the loader deviates on")

// suiteDir holds cases of the official YAML test suite (see its SOURCE.md).
const suiteDir = "testdata/yaml-test-suite"

// TestYAMLTestSuite runs the loader over the YAML test suite: every input
// the suite marks as an error must give an error finding, and every valid
// input must load without one, to the suite's expected JSON where it has
// one. The cases where the loader still deviates are listed, each with its
// reason, in deviations.txt; the test fails on any deviation not listed
// there and on any listed case that no longer deviates, so the list stays
// exact.
func TestYAMLTestSuite(t *testing.T) {
	listed := readDeviations(t)
	var cases []string
	err := filepath.WalkDir(suiteDir, func(p string, de fs.DirEntry, err error) error {
		if err == nil && de.Name() == "in.yaml" {
			cases = append(cases, filepath.ToSlash(strings.TrimPrefix(filepath.Dir(p), suiteDir+string(filepath.Separator))))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 400 {
		t.Fatalf("found %d cases under %s, want the whole suite", len(cases), suiteDir)
	}
	deviating := map[string]bool{}
	for _, c := range cases {
		if why := deviation(t, filepath.Join(suiteDir, c)); why != "" {
			deviating[c] = true
			if *listDeviations {
				fmt.Printf("%s %s\n", c, why)
			} else if listed[c] == "" {
				t.Errorf("%s: %s", c, why)
			}
		}
	}
	for c := range listed {
		if !deviating[c] {
			t.Errorf("%s is listed in deviations.txt but the loader now conforms: remove it", c)
		}
	}
}

// deviation loads one case and says how the loader deviates, or "".
func deviation(t *testing.T, dir string) string {
	in, err := os.ReadFile(filepath.Join(dir, "in.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = os.Stat(filepath.Join(dir, "error"))
	isError := err == nil
	values, findings := loadGeneric(in)
	var errs []string
	for _, d := range findings {
		if d.Severity == diag.Error {
			errs = append(errs, d.String())
		}
	}
	switch {
	case isError && len(errs) == 0:
		return "accepted an input YAML rejects"
	case isError:
		return ""
	case len(errs) > 0:
		return "rejected a valid input: " + errs[0]
	}
	want, err := os.ReadFile(filepath.Join(dir, "in.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return ""
	} else if err != nil {
		t.Fatal(err)
	}
	wantValues := jsonStream(t, want)
	gotValues := jsonStream(t, mustJSON(t, values))
	if !reflect.DeepEqual(gotValues, wantValues) {
		return fmt.Sprintf("loaded %s, want %s", compact(mustJSON(t, values)), compact(want))
	}
	return ""
}

// loadGeneric loads every document of data as a value of any shape, the
// way the loader decodes AWSTOE inputs.
func loadGeneric(data []byte) ([]any, []diag.Diagnostic) {
	var l diag.List
	found := &fileFindings{}
	var values []any
	eachDocument("suite.yaml", data, found.add, func(body ast.Node, line int) {
		doc := estate.NewDoc("suite.yaml")
		dec := newDecoder(&doc, line, found.add)
		var v any
		dec.decode(body, reflect.ValueOf(&v).Elem(), "")
		values = append(values, v)
	})
	found.flush(&l)
	return values, l.Items()
}

// jsonStream decodes a stream of JSON values, leaving out nulls: the
// loader skips empty documents, which the suite writes as null.
func jsonStream(t *testing.T, data []byte) []any {
	var out []any
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if v != nil {
			out = append(out, v)
		}
	}
}

// mustJSON writes values as a stream of JSON values.
func mustJSON(t *testing.T, values []any) []byte {
	var b bytes.Buffer
	for _, v := range values {
		data, err := json.Marshal(v)
		if err != nil {
			return []byte(fmt.Sprintf("%q", err.Error()))
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func compact(data []byte) string {
	s := strings.Join(strings.Fields(string(data)), " ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// readDeviations reads deviations.txt: a case per line, then its reason.
func readDeviations(t *testing.T) map[string]string {
	f, err := os.Open(filepath.Join(suiteDir, "deviations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, why, _ := strings.Cut(line, " ")
		out[id] = strings.TrimSpace(why)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
