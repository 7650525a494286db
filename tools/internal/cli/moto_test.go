package cli

import (
	"os"
	"testing"

	"gitops/tools/internal/motoserver"
)

// moto is the AWS emulator of the bake and mirrors tests, started by the
// first test that needs it.
var moto motoserver.Lazy

func TestMain(m *testing.M) {
	code := m.Run()
	moto.Stop()
	os.Exit(code)
}
