package synth

import (
	"gitops/tools/internal/stacks"
)

func (b *builder) gitlab(spec *stacks.GitLabSpec) error {
	return nil
}
