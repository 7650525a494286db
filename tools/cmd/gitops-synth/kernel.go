package main

import (
	"os"
	"os/exec"
	"path/filepath"
)

// jsii starts two node processes: a relay (bin/jsii-runtime.js) that
// copies every request and response between this process's pipes and a
// socket to the kernel (lib/program.js), which runs the CDK. A compile
// makes hundreds of thousands of requests, and the relay's copying and
// wake-ups cost about a third of the synth's time. directKernel makes jsii
// start the kernel alone on the pipes instead: jsii runs "$JSII_NODE
// <runtime>/bin/jsii-runtime.js", and JSII_NODE becomes a script that
// runs lib/program.js beside it with its request descriptor (3) reading
// the request pipe, its responses written to the answer pipe (descriptor
// 4, see kernelJS) and its console on stderr. Where the runtime is not
// laid out so (another jsii version), the script runs the relay as usual.
//
// It leaves a JSII_NODE or JSII_RUNTIME the user set alone, and returns
// the environment to set: none where the script cannot be written or run
// (a temporary directory mounted noexec, say), and jsii runs its relay.
func directKernel(dir string) map[string]string {
	if os.Getenv("JSII_NODE") != "" || os.Getenv("JSII_RUNTIME") != "" {
		return nil
	}
	script := filepath.Join(dir, "node")
	if os.WriteFile(filepath.Join(dir, "kernel.js"), []byte(kernelJS), 0o600) != nil ||
		os.WriteFile(script, []byte(kernelScript), 0o700) != nil ||
		exec.Command(script, "--probe").Run() != nil {
		return nil
	}
	return map[string]string{"JSII_NODE": script}
}

// kernelScript is what jsii runs as node; --probe only says it can run.
const kernelScript = `#!/bin/sh
[ "$1" = --probe ] && exit 0
kernel="${1%/bin/jsii-runtime.js}/lib/program.js"
if [ $# -ne 1 ] || [ ! -f "$kernel" ]; then
	exec node "$@"
fi
exec node --preserve-symlinks "$(dirname "$0")/kernel.js" "$kernel" 3<&0 4>&1 1>&2
`

// kernelJS runs the jsii kernel given as its argument. The kernel reads
// requests from and writes responses to descriptor 3, which the relay
// makes a socket; here 3 is the request pipe, so its writes to 3 go to 4,
// the answer pipe. Descriptor 3 stays open, so no file the kernel opens
// can take its number.
const kernelJS = `const fs = require("fs");
const writeSync = fs.writeSync;
fs.writeSync = function (fd, ...rest) {
	return writeSync.call(this, fd === 3 ? 4 : fd, ...rest);
};
require(process.argv[2]);
`
