package model

// Untyped returns a value of TypeUnknown holding text: what a decoder
// without a schema keeps for text it cannot type (Value.AsString returns
// it). Convert turns it into a typed value once the type is known.
func Untyped(text string) Value {
	return textValue(TypeUnknown, text)
}
