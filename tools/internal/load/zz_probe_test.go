package load

import (
	"fmt"
	"testing"
)

func TestZZProbe(t *testing.T) {
	for _, src := range []string{
		"kind: Network\naccount: tooling\nregion: eu-west-1\nvpcs: 42\n  - name: build\n    cidr: 10.0.0.0/16\n",
		"kind: Network\naccount: tooling\nregion: eu-west-1\nvpcs:\n  - name: build\n    cidr: 10.0.0.0/16\n    azCount: 2\n    subnets: []\n    egress:\n      type: none\nx: foo\n  bar: 1\n",
		"kind: Network\naccount: tooling\nregion: eu-west-1\nvpcs:\n  - name: build\n    cidr: [10.0.0.0/16]\n    azCount: 99999999999999999999\n    subnets: []\n    egress:\n      type: none\n",
		"kind: Network\naccount:\n  one\n  two\nregion: eu-west-1\nvpcs: []\n",
	} {
		_, ds := loadString("environments/x/network.yaml", src)
		fmt.Printf("=== %q\n%s", src, render(ds))
	}
}
