package wsman

import "github.com/cimsh/cimsh/cim/model"

// xsTypes are the w:Option Type attributes of CIM scalar types, as
// Windows' MI client writes them (fixtures/wsman: xs:int, xs:unsignedInt,
// xs:boolean, xs:string).
var xsTypes = map[model.Type]string{
	model.TypeBoolean: "xs:boolean",
	model.TypeUint8:   "xs:unsignedByte", model.TypeSint8: "xs:byte",
	model.TypeUint16: "xs:unsignedShort", model.TypeSint16: "xs:short",
	model.TypeUint32: "xs:unsignedInt", model.TypeSint32: "xs:int",
	model.TypeUint64: "xs:unsignedLong", model.TypeSint64: "xs:long",
	model.TypeReal32: "xs:float", model.TypeReal64: "xs:double",
	model.TypeChar16: "xs:string", model.TypeString: "xs:string",
	model.TypeDatetime: "xs:dateTime",
}

// customOptions turns a request's custom operation options into
// w:Option elements the way Windows' MI client sends its own (the
// captures show wmi:__MI_OPERATIONOPTIONS_WRITEERRORMODE and one
// wmiarray:__MI_OPERATIONOPTIONS_CHANNELVALUE per element): a scalar as
// "wmi:NAME", an array as one "wmiarray:NAME" per element. NULL values and
// values that are no scalar (instances, references) are not options and
// are left out; callers refuse them first.
func customOptions(opts []model.Property) []option {
	var out []option
	for _, o := range opts {
		v := o.Value
		typ, ok := xsTypes[v.Type()]
		if !ok || v.IsNull() {
			continue
		}
		text := func(e model.Value) string {
			if d, ok := e.AsDatetime(); ok {
				return d.Lexical()
			}
			if c, ok := e.Interface().(uint16); ok && e.Type() == model.TypeChar16 {
				return string(rune(c))
			}
			return e.Text()
		}
		if !v.IsArray() {
			out = append(out, option{name: "wmi:" + o.Name, typ: typ, value: text(v)})
			continue
		}
		for _, e := range v.Elems() {
			if !e.IsNull() {
				out = append(out, option{name: "wmiarray:" + o.Name, typ: typ, value: text(e)})
			}
		}
	}
	return out
}
