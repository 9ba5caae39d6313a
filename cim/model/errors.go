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

// IsRefusal reports whether err is a server's definitive refusal: access
// denied, not supported, no such class, namespace, object or method, or a
// request it calls invalid. Asking again would get the same answer, so a
// cache may remember it. Timeouts, connection failures, quotas, server
// errors without such a status (category failed) and unreadable replies
// are not refusals: they may pass, and must be asked again.
func IsRefusal(err error) bool {
	f, ok := AsFault(err)
	if !ok {
		return false
	}
	switch f.Category {
	case CategoryAccessDenied, CategoryNotSupported, CategoryInvalidClass, CategoryInvalidNamespace,
		CategoryNotFound, CategoryInvalidParameter, CategoryMethodNotFound:
		return true
	}
	return false
}

// Clone returns a copy of f, for a remembered fault handed to another
// caller: errors are never shared mutable values (callers stamp
// ComputerName on what they get).
func (f *Fault) Clone() *Fault {
	c := *f
	return &c
}

// CloneError returns err itself, or a copy when it is a *Fault.
func CloneError(err error) error {
	if f, ok := err.(*Fault); ok && f != nil {
		return f.Clone()
	}
	return err
}
