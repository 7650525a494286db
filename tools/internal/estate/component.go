package estate

import (
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
)

// Component is an AWSTOE component document, a YAML file under
// imagerecipes/components/. It carries no kind: its place says what it is.
type Component struct {
	Doc `yaml:"-"`
	// Name of the component.
	Name string `yaml:"name"`
	// Description of what the component does.
	Description string `yaml:"description,omitempty"`
	// SchemaVersion of the document; AWSTOE knows 1.0.
	SchemaVersion SchemaVersion `yaml:"schemaVersion"`
	// Parameters the component accepts, each a one-key mapping name → definition.
	Parameters []map[string]ComponentParameter `yaml:"parameters,omitempty"`
	// Constants usable in the document, each a one-key mapping name → definition.
	Constants []map[string]ComponentParameter `yaml:"constants,omitempty"`
	// Phases: build, validate and test.
	Phases []Phase `yaml:"phases" jsonschema:"minItems=1"`
}

// ComponentParameter declares a parameter or constant of a component.
type ComponentParameter struct {
	// Type is string (the only type AWSTOE knows).
	Type string `yaml:"type" jsonschema:"enum=string"`
	// Default value.
	Default string `yaml:"default,omitempty"`
	// Value of a constant.
	Value string `yaml:"value,omitempty"`
	// Description of the parameter.
	Description string `yaml:"description,omitempty"`
}

// Phase is one AWSTOE phase.
type Phase struct {
	// Name: build, validate or test.
	Name string `yaml:"name" jsonschema:"enum=build,enum=validate,enum=test"`
	// Steps run in order.
	Steps []Step `yaml:"steps" jsonschema:"minItems=1"`
}

// Step is one AWSTOE step.
type Step struct {
	// Name is unique within its phase; chaining refers to it as
	// {{ phase.step.outputs… }}.
	Name string `yaml:"name" jsonschema:"pattern=^[A-Za-z0-9_-]+$"`
	// Action is an AWSTOE action module, e.g. ExecuteBash.
	Action string `yaml:"action"`
	// Inputs of the action; their shape depends on the action.
	Inputs any `yaml:"inputs,omitempty"`
	// OnFailure: Abort (default), Continue or Ignore.
	OnFailure string `yaml:"onFailure,omitempty" jsonschema:"enum=Abort,enum=Continue,enum=Ignore"`
	// TimeoutSeconds of the step (-1 for none).
	TimeoutSeconds int `yaml:"timeoutSeconds,omitempty"`
	// MaxAttempts of the step.
	MaxAttempts int `yaml:"maxAttempts,omitempty" jsonschema:"minimum=1"`
	// Loop runs the step several times.
	Loop any `yaml:"loop,omitempty"`
	// If makes the step conditional.
	If any `yaml:"if,omitempty"`
}

// SchemaVersion is a component's schemaVersion. AWS writes it unquoted
// (schemaVersion: 1.0), which YAML reads as a number, so both forms are
// accepted and kept as text ("1.0").
type SchemaVersion string

// DecodeScalar implements the loader's scalar hook.
func (v *SchemaVersion) DecodeScalar(typ, text string) bool {
	switch typ {
	case "int", "float":
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return false
		}
		*v = SchemaVersion(strconv.FormatFloat(f, 'f', -1, 64))
		if !strings.Contains(string(*v), ".") {
			*v += ".0"
		}
		return true
	case "string":
		*v = SchemaVersion(text)
		return true
	}
	return false
}

// JSONSchema describes a SchemaVersion as 1.0, quoted or not.
func (SchemaVersion) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Enum: []any{"1.0", 1.0}}
}
