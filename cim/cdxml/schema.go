package cdxml

// The document model: one type per complex type of the
// cmdlets-over-objects schema, holding what the file says (defaults are
// applied later, by Compile). Line is where the element starts.

// Namespace is the XML namespace of CDXML documents.
const Namespace = "http://schemas.microsoft.com/cmdlets-over-objects/2009/11"

// Document is one parsed .cdxml file: <PowerShellMetadata>.
type Document struct {
	File  string // the name it was parsed under (for messages)
	Class *Class
	Enums []*Enum
}

// Class is <Class>: the CIM class the cmdlets work against.
type Class struct {
	// ClassName as written ("root/cimv2/Win32_Process",
	// "ROOT\cimv2\Win32_Process" or "Win32_Process"); Namespace and Name
	// are its two parts (Namespace "" when it names none).
	ClassName       string
	Namespace, Name string
	ClassVersion    string
	CmdletAdapter   string
	Version         string
	DefaultNoun     string
	Instance        *InstanceCmdlets // nil when the document has none
	Static          []*StaticCmdlet
	PrivateData     []PrivateData
	Line            int
}

// PrivateData is one <CmdletAdapterPrivateData><Data>.
type PrivateData struct {
	Name, Value string
}

// InstanceCmdlets is <InstanceCmdlets>: the Get cmdlet and the cmdlets
// that act on the instances it selects.
type InstanceCmdlets struct {
	GetParams *GetCmdletParameters // the shared query parameters
	GetCmdlet *GetCmdlet           // nil: Get-<DefaultNoun> with GetParams
	Cmdlets   []*InstanceCmdlet
	Line      int
}

// GetCmdlet is <GetCmdlet>: the Get cmdlet's own name and, optionally,
// query parameters of its own.
type GetCmdlet struct {
	Meta      *CmdletMeta
	GetParams *GetCmdletParameters // nil: the shared ones
	Line      int
}

// InstanceCmdlet is a <Cmdlet> under <InstanceCmdlets>: a method invoked
// on each selected instance.
type InstanceCmdlet struct {
	Meta      *CmdletMeta
	Method    *Method
	GetParams *GetCmdletParameters // nil: the shared ones
	Line      int
}

// StaticCmdlet is a <Cmdlet> under <StaticCmdlets>: one static method per
// parameter set.
type StaticCmdlet struct {
	Meta    *CmdletMeta
	Methods []*Method
	Line    int
}

// CmdletMeta is <CmdletMetadata>.
type CmdletMeta struct {
	Verb, Noun    string // Noun "" means DefaultNoun
	Aliases       []string
	ConfirmImpact string // "", None, Low, Medium or High
	HelpURI       string
	Obsolete      *Obsolete
	// DefaultSet is DefaultCmdletParameterSet (static cmdlets only).
	DefaultSet string
	Line       int
}

// Obsolete is an <Obsolete> element.
type Obsolete struct {
	Message string
}

// GetCmdletParameters is <GetCmdletParameters>: the parameters that
// select instances.
type GetCmdletParameters struct {
	Properties   []*QueryProperty
	Associations []*Association
	Options      []*QueryOption
	DefaultSet   string
	Line         int
}

// QueryKind is the kind of a property query.
type QueryKind int

// The property queries.
const (
	RegularQuery  QueryKind = iota // property = value (or LIKE), values ORed
	ExcludeQuery                   // NOT (property = value), values ANDed
	MinValueQuery                  // property >= value
	MaxValueQuery                  // property <= value
)

var queryKindNames = [...]string{"RegularQuery", "ExcludeQuery", "MinValueQuery", "MaxValueQuery"}

func (k QueryKind) String() string { return queryKindNames[k] }

// QueryProperty is a <Property> of <QueryableProperties>.
type QueryProperty struct {
	Name    string
	Type    TypeRef
	Queries []*PropertyQuery
	Line    int
}

// PropertyQuery is one <RegularQuery>, <ExcludeQuery>, <MinValueQuery> or
// <MaxValueQuery> of a property: one cmdlet parameter.
type PropertyQuery struct {
	Kind QueryKind
	// AllowGlobbing is nil when the attribute is absent (then strings
	// allow wildcards); always nil for Min and Max.
	AllowGlobbing *bool
	Meta          *ParamMeta // nil: the property's name, no attributes
	Line          int
}

// Association is an <Association> of <QueryableAssociations>.
type Association struct {
	Association, SourceRole, ResultRole string
	Type                                TypeRef
	Meta                                *ParamMeta
	Line                                int
}

// QueryOption is an <Option> of <QueryOptions>: a parameter sent as an
// operation option of the query.
type QueryOption struct {
	Name string
	Type TypeRef
	Meta *ParamMeta
	Line int
}

// TypeRef is a <Type> element.
type TypeRef struct {
	PSType  string // .NET type name: "System.String", "uint32", "MyEnum[]"
	ETSType string
	Line    int
}

// Method is a <Method>.
type Method struct {
	// Name is MethodName: a method of the class, or cim:CreateInstance,
	// cim:ModifyInstance or cim:DeleteInstance.
	Name string
	// ParameterSet is CmdletParameterSet (static methods only).
	ParameterSet string
	Params       []*MethodParam
	Return       *ReturnValue
	Line         int
}

// MethodParam is a <Parameter> of a method.
type MethodParam struct {
	Name    string // ParameterName
	Type    TypeRef
	Default *string    // DefaultValue
	Meta    *ParamMeta // nil: not a cmdlet parameter
	Output  *OutputMeta
	Line    int
}

// ReturnValue is a method's <ReturnValue>.
type ReturnValue struct {
	Type   TypeRef
	Output *OutputMeta
	Line   int
}

// OutputMeta is <CmdletOutputMetadata>.
type OutputMeta struct {
	PSName    string
	ErrorCode bool // an <ErrorCode/>: a non-zero value is a failure
	Line      int
}

// ParamMeta is <CmdletParameterMetadata>.
type ParamMeta struct {
	PSName      string
	Aliases     []string
	IsMandatory bool
	Position    *int

	ValueFromPipeline               bool
	ValueFromPipelineByPropertyName bool
	ParameterSets                   []string // CmdletParameterSets
	ErrorOnNoMatch                  *bool

	AllowEmptyCollection   bool
	AllowEmptyString       bool
	AllowNull              bool
	ValidateNotNull        bool
	ValidateNotNullOrEmpty bool
	ValidateCount          *Bounds
	ValidateLength         *Bounds
	ValidateRange          *Range
	ValidateSet            []string
	Obsolete               *Obsolete
	Line                   int
}

// Bounds is a Min..Max of ValidateCount or ValidateLength.
type Bounds struct {
	Min, Max uint64
}

// Range is ValidateRange's Min..Max, xsd:integer in the file.
type Range struct {
	Min, Max string // decimal integers
}

// Enum is an <Enum> of <Enums>.
type Enum struct {
	Name       string // EnumName: "Networking.MyEnum"
	Underlying string // UnderlyingType ("" means System.Int32)
	Flags      bool   // BitwiseFlags
	Values     []EnumValue
	Line       int
}

// EnumValue is one named value of an enum.
type EnumValue struct {
	Name  string
	Value string // a decimal integer
}
