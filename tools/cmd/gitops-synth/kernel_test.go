package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRuntime lays out a jsii runtime whose relay and kernel are small
// scripts, and returns the relay's path (what jsii passes to JSII_NODE).
func fakeRuntime(t *testing.T, withKernel bool) string {
	t.Helper()
	// jsii's runtime is in the temporary directory, whose path may hold
	// spaces, quotes and dollars.
	dir := filepath.Join(t.TempDir(), `jsii's "runtime" $x`)
	for _, d := range []string{"", "bin", "lib"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	relay := filepath.Join(dir, "bin", "jsii-runtime.js")
	// The relay answers on stdout, saying who it is.
	write(t, relay, `process.stdout.write("relay\n");`)
	if withKernel {
		// The kernel, like jsii's, speaks on descriptor 3 only: it says
		// hello, then echoes one request; its console output must not
		// reach the answers.
		write(t, filepath.Join(dir, "lib", "program.js"), `
const fs = require("fs");
console.log("kernel console");
fs.writeSync(3, Buffer.from("hello\n"));
const buf = Buffer.alloc(100);
const n = fs.readSync(3, buf, 0, buf.length, null);
fs.writeSync(3, Buffer.from("echo " + buf.subarray(0, n).toString()));
`)
	}
	return relay
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The script jsii runs as node starts the kernel beside the relay on this
// process's pipes: its requests on stdin, its answers on stdout, its
// console on stderr.
func TestDirectKernelSpeaksOnThePipes(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	t.Setenv("JSII_NODE", "")
	t.Setenv("JSII_RUNTIME", "")
	// A temporary directory may hold spaces, quotes and dollars.
	dir := filepath.Join(t.TempDir(), `it's "a" $dir`)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	env := directKernel(dir)
	cmd := exec.Command(env["JSII_NODE"], fakeRuntime(t, true))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	answers := bufio.NewReader(stdout)
	hello, _ := answers.ReadString('\n')
	stdin.Write([]byte("request 1\n"))
	echo, _ := answers.ReadString('\n')
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if hello != "hello\n" || echo != "echo request 1\n" {
		t.Errorf("answers %q %q, want hello and the echo", hello, echo)
	}
	if stderr.String() != "kernel console\n" {
		t.Errorf("stderr %q, want the kernel's console output", stderr.String())
	}
}

// Where the runtime has no kernel beside the relay (another jsii layout),
// the script runs the relay as jsii would; where the script cannot be
// written, or a JSII_NODE is set, jsii is left to run its relay.
func TestDirectKernelFallsBackToTheRelay(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	t.Setenv("JSII_NODE", "")
	t.Setenv("JSII_RUNTIME", "")
	env := directKernel(t.TempDir())
	out, err := exec.Command(env["JSII_NODE"], fakeRuntime(t, false)).Output()
	if err != nil || string(out) != "relay\n" {
		t.Errorf("without a kernel: %q, %v; want the relay's answer", out, err)
	}

	// Where the script cannot be written (or run), jsii runs its relay.
	if env := directKernel(filepath.Join(t.TempDir(), "missing")); env != nil {
		t.Errorf("without a directory for the script: %v; want nothing to set", env)
	}

	t.Setenv("JSII_NODE", "/opt/node/bin/node")
	if env := directKernel(t.TempDir()); env != nil {
		t.Errorf("with JSII_NODE set: %v; want nothing to set", env)
	}
}
