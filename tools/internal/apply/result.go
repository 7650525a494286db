package apply

import (
	"strconv"
	"time"
)

// Action is what a stack's change set does.
type Action string

// The actions of a stack.
const (
	// ActionCreate: the stack does not exist; a CREATE change set.
	ActionCreate Action = "create"
	// ActionUpdate: the stack exists and changes; an UPDATE change set.
	ActionUpdate Action = "update"
	// ActionRecreate: the stack's first creation failed and was rolled
	// back (ROLLBACK_COMPLETE); apply deletes it and creates it again.
	ActionRecreate Action = "recreate"
	// ActionNone: the template and parameters are what is deployed.
	ActionNone Action = "none"
)

// Outcome is how a stack's part of the run ended.
type Outcome string

// The outcomes of a stack.
const (
	// OutcomePlanned: plan made (or would make) its change set.
	OutcomePlanned Outcome = "planned"
	// OutcomeUnchanged: nothing to do.
	OutcomeUnchanged Outcome = "unchanged"
	// OutcomeApplied: the change set ran to completion.
	OutcomeApplied Outcome = "applied"
	// OutcomeFailed: planning or executing failed.
	OutcomeFailed Outcome = "failed"
	// OutcomeRefused: the change set replaces or removes stateful
	// resources that --allow-replace does not name.
	OutcomeRefused Outcome = "refused"
	// OutcomeSkipped: a stack it depends on failed or was refused.
	OutcomeSkipped Outcome = "skipped"
	// OutcomeNotStarted: an earlier failure or an interrupt stopped the
	// run first.
	OutcomeNotStarted Outcome = "not started"
	// OutcomeInterrupted: the run was cancelled while CloudFormation was
	// changing the stack, which may still be mid-update.
	OutcomeInterrupted Outcome = "interrupted"
	// OutcomeNotEmulated: the endpoint is an emulator (Options.Emulator)
	// that broke on the stack (an internal error) or on a stack it depends
	// on; a limit of the emulator, not a failure of the estate.
	OutcomeNotEmulated Outcome = "not emulated"
)

// Result is a plan or an apply: every selected stack in manifest order.
type Result struct {
	// Command is "plan" or "apply".
	Command string `json:"command"`
	// ChangeSet is the name of the change sets this run made.
	ChangeSet string         `json:"changeSet"`
	Stacks    []*StackResult `json:"stacks"`
	// Interrupted tells that a Ctrl-C (or SIGTERM) stopped the run.
	Interrupted bool `json:"interrupted,omitempty"`
	// Elapsed is the run's wall time.
	Elapsed Seconds `json:"elapsedSeconds"`
}

// StackResult is one stack's plan and, for apply, what happened to it.
type StackResult struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Account   string `json:"account"`
	AccountID string `json:"accountId"`
	Region    string `json:"region"`
	// Status is the stack's status before the run ("" when it does not
	// exist).
	Status string `json:"status,omitempty"`
	Action Action `json:"action,omitempty"`
	// ChangeSet is the change set's name while it exists; "" for no
	// changes or once deleted.
	ChangeSet   string `json:"changeSet,omitempty"`
	ChangeSetID string `json:"changeSetId,omitempty"`
	// Changes are the change set's resource changes, or, when no change
	// set could be made yet, the template's resources to add.
	Changes []Change `json:"changes"`
	// Pending says why the change set waits: the outputs it needs come
	// from a stack this run creates first.
	Pending string `json:"pending,omitempty"`
	// Blocked lists TYPE/ID of stateful resources the change set replaces
	// or removes and --allow-replace does not name.
	Blocked []string `json:"blocked,omitempty"`
	Outcome Outcome  `json:"outcome"`
	// Error says why the stack failed, was refused or skipped.
	Error string `json:"error,omitempty"`
	// Advice says what to do about the error.
	Advice string `json:"advice,omitempty"`
	// Events are the failed resources' events, oldest first.
	Events []Event `json:"events,omitempty"`
	// Image is the container image apply copies (or copied) into the
	// repository the stack creates.
	Image string `json:"image,omitempty"`
	// Share says which RAM invitation apply accepts (or accepted) in the
	// stack's account before deploying it.
	Share string `json:"share,omitempty"`
	// Zone says how apply associates (or associated and disassociated)
	// the private hosted zone the stack creates with VPCs elsewhere.
	Zone []string `json:"zone,omitempty"`
	// NotEmulated lists the steps left out because the endpoint is an
	// emulator without the service they need.
	NotEmulated []string `json:"notEmulated,omitempty"`
	// FinalStatus is the stack's status after executing.
	FinalStatus string  `json:"finalStatus,omitempty"`
	Elapsed     Seconds `json:"elapsedSeconds"`
}

// Seconds is a duration that JSON shows in seconds.
type Seconds time.Duration

// MarshalJSON writes the duration in seconds, to the millisecond.
func (s Seconds) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(time.Duration(s).Round(time.Millisecond).Seconds(), 'f', -1, 64)), nil
}

// UnmarshalJSON reads seconds back.
func (s *Seconds) UnmarshalJSON(data []byte) error {
	f, err := strconv.ParseFloat(string(data), 64)
	if err != nil {
		return err
	}
	*s = Seconds(f * float64(time.Second))
	return nil
}

// Change is one resource change of a change set.
type Change struct {
	// Action is Add, Modify, Remove, Import or Dynamic.
	Action     string `json:"action"`
	LogicalID  string `json:"logicalId"`
	PhysicalID string `json:"physicalId,omitempty"`
	Type       string `json:"type"`
	// Replacement is True, Conditional or False for Modify.
	Replacement string `json:"replacement,omitempty"`
	// Causes are the properties whose change requires the replacement.
	Causes []string `json:"causes,omitempty"`
	// Properties are the other changed properties and attributes.
	Properties []string `json:"properties,omitempty"`
	// Stateful marks resources that hold data (EFS, databases, ...).
	Stateful bool `json:"stateful,omitempty"`
}

// Destroys tells whether the change removes or may replace the resource.
func (c Change) Destroys() bool {
	return c.Action == "Remove" || (c.Action == "Modify" && (c.Replacement == "True" || c.Replacement == "Conditional"))
}

// Event is a stack event of a failed resource.
type Event struct {
	Reason     string    `json:"reason"`
	LogicalID  string    `json:"logicalId"`
	Type       string    `json:"type"`
	Status     string    `json:"status"`
	Timestamp  time.Time `json:"timestamp"`
	PhysicalID string    `json:"physicalId,omitempty"`
}

// Failed tells whether any stack failed, was refused or skipped, or did not
// start: the run exits 1.
func (r *Result) Failed() bool {
	for _, s := range r.Stacks {
		switch s.Outcome {
		case OutcomeFailed, OutcomeRefused, OutcomeSkipped, OutcomeNotStarted, OutcomeInterrupted:
			return true
		}
	}
	return false
}

// Count is how many stacks have the given outcome.
func (r *Result) Count(o Outcome) int {
	n := 0
	for _, s := range r.Stacks {
		if s.Outcome == o {
			n++
		}
	}
	return n
}

// MidUpdate lists the stacks a cancelled run left while CloudFormation was
// changing them.
func (r *Result) MidUpdate() []string {
	var ids []string
	for _, s := range r.Stacks {
		if s.Outcome == OutcomeInterrupted {
			ids = append(ids, s.ID+" ("+s.Name+")")
		}
	}
	return ids
}
