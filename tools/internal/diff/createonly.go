package diff

//go:generate go run gencreateonly.go

// createOnly lists a resource type's properties whose change replaces it.
type createOnly struct {
	// Always: a change replaces the resource.
	Always []string
	// Conditional: a change may replace it, depending on the values.
	Conditional []string
}
