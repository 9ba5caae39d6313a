package model

// Sentinel errors for the categories fault.go has none for; errors.Is
// matches a *Fault of the category.
var (
	ErrInvalidNamespace error = categoryError(CategoryInvalidNamespace)
	ErrAlreadyExists    error = categoryError(CategoryAlreadyExists)
	ErrCanceled         error = categoryError(CategoryCanceled)
	ErrFailed           error = categoryError(CategoryFailed)
	ErrConnection       error = categoryError(CategoryConnection)
)
