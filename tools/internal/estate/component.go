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
	// The name of the component.
	Name string `yaml:"name"`
	// The description of what the component does.
	Description string `yaml:"description,omitempty"`
	// The schema version of the document; AWSTOE knows 1.0.
	SchemaVersion SchemaVersion `yaml:"schemaVersion"`
	// The parameters the component accepts, each a one-key mapping name → definition.
	Parameters []map[string]ComponentParameter `yaml:"parameters,omitempty"`
	// The constants usable in the document, each a one-key mapping name → definition.
	Constants []map[string]ComponentParameter `yaml:"constants,omitempty"`
	// The phases: build, validate and test.
	Phases []Phase `yaml:"phases" jsonschema:"minItems=1"`
}

// ComponentParameter declares a parameter or constant of a component.
type ComponentParameter struct {
	// Always string (the only type AWSTOE knows).
	Type string `yaml:"type" jsonschema:"enum=string"`
	// The default value.
	Default string `yaml:"default,omitempty"`
	// The value of a constant.
	Value string `yaml:"value,omitempty"`
	// The description of the parameter.
	Description string `yaml:"description,omitempty"`
}

// Phase is one AWSTOE phase.
type Phase struct {
	// The phase: build, validate or test.
	Name string `yaml:"name" jsonschema:"enum=build,enum=validate,enum=test"`
	// The steps run in order.
	Steps []Step `yaml:"steps" jsonschema:"minItems=1"`
}

// Step is one AWSTOE step.
type Step struct {
	// Unique within its phase; chaining refers to it as
	// {{ phase.step.outputs… }}.
	Name string `yaml:"name" jsonschema:"pattern=^[A-Za-z0-9_-]+$"`
	// An AWSTOE action module, e.g. ExecuteBash.
	Action string `yaml:"action"`
	// The inputs of the action; their shape depends on the action.
	Inputs any `yaml:"inputs,omitempty"`
	// What a failure does: Abort (default), Continue or Ignore.
	OnFailure string `yaml:"onFailure,omitempty" jsonschema:"enum=Abort,enum=Continue,enum=Ignore"`
	// Seconds before the step times out (-1 for none).
	TimeoutSeconds int `yaml:"timeoutSeconds,omitempty"`
	// How many times the step is tried before it fails.
	MaxAttempts int `yaml:"maxAttempts,omitempty" jsonschema:"minimum=1"`
	// Runs the step several times.
	Loop any `yaml:"loop,omitempty"`
	// Makes the step conditional.
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
