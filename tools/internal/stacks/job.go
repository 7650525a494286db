package stacks

// Job is what the compile driver sends a synth worker on stdin: the stacks
// to synthesize and the directory to write their templates into, each at
// its Template path.
type Job struct {
	Out    string   `json:"out"`
	Stacks []*Stack `json:"stacks"`
}
