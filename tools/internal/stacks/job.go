package stacks

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JobVersion is the version of the protocol between the compile driver and
// the synth worker. Change it whenever Job, JobResult or the meaning of a
// Stack field changes: a worker built from other source refuses the job
// rather than synthesize it differently.
const JobVersion = 2

// Job is what the compile driver sends a synth worker on stdin: the stacks
// to synthesize.
type Job struct {
	Version int      `json:"version"`
	Stacks  []*Stack `json:"stacks"`
}

// JobResult is the worker's answer: one JSON document on stdout, holding
// each stack's template by stack ID. Anything else the worker has to say
// goes to stderr.
type JobResult struct {
	Version   int           `json:"version"`
	Templates []JobTemplate `json:"templates"`
}

// JobTemplate is one synthesized template, its bytes exactly as the synth
// wrote them.
type JobTemplate struct {
	Stack    string `json:"stack"`
	Template []byte `json:"template"`
}

// DecodeJob reads a job of this version; a job of another version is
// refused with a message saying which versions met.
func DecodeJob(data []byte) (*Job, error) {
	if err := checkJobVersion("job", data); err != nil {
		return nil, err
	}
	var job Job
	if err := decodeStrict(data, &job); err != nil {
		return nil, fmt.Errorf("reading the job: %v", err)
	}
	return &job, nil
}

// DecodeJobResult reads a worker's answer of this version.
func DecodeJobResult(data []byte) (*JobResult, error) {
	if err := checkJobVersion("answer", data); err != nil {
		return nil, err
	}
	var res JobResult
	if err := decodeStrict(data, &res); err != nil {
		return nil, fmt.Errorf("reading the answer: %v", err)
	}
	return &res, nil
}

func checkJobVersion(what string, data []byte) error {
	var v struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("reading the %s: %v", what, err)
	}
	if v.Version != JobVersion {
		return fmt.Errorf("the %s has protocol version %d, this build speaks version %d: "+
			"gitops and gitops-synth come from different source; build both from one checkout (go build -o bin/ ./tools/cmd/...)",
			what, v.Version, JobVersion)
	}
	return nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// SynthCost estimates what synthesizing s costs, relative to a small stack,
// so the compile driver can balance its workers.
func (s *Stack) SynthCost() int {
	switch s.Kind {
	case KindGitLab:
		return 4
	case KindNetwork:
		return 1 + len(s.Network.VPCs)
	case KindPipeline:
		return 3
	case KindImageRecipe:
		return 2
	}
	return 1
}
