// Package luabind is the Lua module `cim`: CIM sessions, instances,
// classes, credentials, errors, boxed 64-bit integers, datetimes and
// streaming iterators as Lua values on gopher-lua, with every CimCmdlets
// cmdlet as a snake_case function taking an option table.
//
// One option-spec table (specs.go) drives argument validation, the help
// text and completion. Operational failures return nil, err; programming
// mistakes raise. The package knows nothing of terminals: the shell
// (package shell) brings readline and color.
package luabind
