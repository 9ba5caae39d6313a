// Package xmltok is the XML tokenizer under cim/wsman's response
// decoding: a pull tokenizer over a reply held in memory that resolves
// namespaces by URI, checks well-formedness as encoding/xml's strict mode
// does, and allocates nothing per token (names, text and attribute
// values are views into the reply or into the decoder's scratch space,
// valid until the next call; namespace URIs are interned strings).
//
// It reads what encoding/xml reads, token for token (a differential fuzz
// test holds that), with these intended differences:
//
//   - C0 control characters (U+0000 to U+001F other than tab, line feed
//     and carriage return) are accepted in character data, CDATA
//     sections and attribute values, raw or as character references
//     (&#1;, &#x1B;), and delivered as themselves: OMI writes them so,
//     and encoding/xml rejects them.
//   - Everything read must be valid UTF-8 without U+FFFE or U+FFFF,
//     comments and processing instructions included (each byte is
//     checked as it is read); encoding/xml checks only names, character
//     data and attribute values. SkipContent checks nothing it skips.
//   - Character references to surrogates (&#xD800; to &#xDFFF;) are
//     errors; encoding/xml turns them into U+FFFD.
//   - Non-ASCII characters in names are accepted as name characters;
//     encoding/xml checks them against the tables of XML 1.0's first
//     edition. (ASCII name characters are checked alike.)
//   - <!DOCTYPE and other <! declarations are errors (a SOAP message
//     must not hold a document type declaration); encoding/xml returns
//     them as Directive tokens.
//   - Elements nest at most Decoder.MaxDepth deep (DefaultMaxDepth).
//   - Comments and processing instructions are checked but not
//     returned; an XML declaration's encoding other than UTF-8 is an
//     error unless Decoder.Encoding accepts it (the caller transcoded
//     the document first).
//
// Tokens are StartTag (with attributes; a self-closing element gives a
// StartTag and then an EndTag), EndTag and Text; Token gives them in
// encoding/xml's shapes (StartElement, EndElement, CharData).
// Two shortcuts take fewer steps: Leaf reads a whole element holding
// plain text (or empty) in one pass, exactly as Next would, and
// SkipFromEnd skips an element by walking back from the end of the
// document over the tags after it (to the end of the last element of its
// depth and name: the same one in a reply). Each declines, consuming
// nothing, where it cannot read without doubt (differential tests hold
// both).
// Names resolve like encoding/xml's: the element's prefix (or the
// default namespace) to its URI, an unprefixed attribute to "", "xml"
// to the XML namespace, an xmlns declaration to Space "xmlns", and an
// unknown prefix to itself.
package xmltok
