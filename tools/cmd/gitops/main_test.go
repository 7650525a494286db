package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"gitops/tools/internal/cli"
	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
)

// TestMain lets the scripts run gitops as a program: testscript builds this
// test binary into the scripts' PATH under that name.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"gitops": func() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar: each is a small estate and the
// gitops commands run on it, with the output they must print.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":        cmdExits,
			"validjson":    cmdValidJSON,
			"validxml":     cmdValidXML,
			"recordestate": cmdRecordEstate,
		},
	})
}

// cmdExits runs a program like exec and checks its exit status:
// exits 2 gitops validate --bogus
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits status program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: status %q is not a number", args[0])
	}
	got := 0
	var exit *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &exit) {
		got = exit.ExitCode()
	} else if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdRecordEstate writes the hash of the work directory's estate into
// generated/manifest.json, as gitops compile records it.
func cmdRecordEstate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: recordestate")
	}
	path := ts.MkAbs("generated/" + stacks.ManifestFile)
	var m map[string]any
	if err := json.Unmarshal([]byte(ts.ReadFile(path)), &m); err != nil {
		ts.Fatalf("%s: %v", path, err)
	}
	hash, err := load.EstateHash(ts.MkAbs("."))
	ts.Check(err)
	m["estateSha256"] = hash
	data, err := json.MarshalIndent(m, "", "  ")
	ts.Check(err)
	ts.Check(os.WriteFile(path, data, 0o644))
}

// cmdValidJSON checks that a file, or stdout, holds one JSON value.
func cmdValidJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: validjson file")
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if _, more := dec.Token(); more != io.EOF {
			err = errors.New("more than one JSON value")
		}
	}
	checkValid(ts, neg, "JSON", args[0], err)
}

// cmdValidXML checks that a file, or stdout, holds well-formed XML.
func cmdValidXML(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: validxml file")
	}
	dec := xml.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	var err error
	elements := 0
	for {
		var tok xml.Token
		tok, err = dec.Token()
		if err != nil {
			break
		}
		if _, ok := tok.(xml.StartElement); ok {
			elements++
		}
	}
	if err == io.EOF {
		err = nil
		if elements == 0 {
			err = errors.New("no element")
		}
	}
	checkValid(ts, neg, "XML", args[0], err)
}

func checkValid(ts *testscript.TestScript, neg bool, what, name string, err error) {
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s is not valid %s: %v", name, what, err)
	case err == nil && neg:
		ts.Fatalf("%s is valid %s", name, what)
	}
}
