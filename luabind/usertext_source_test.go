package luabind

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEveryErrorPrefixIsRewritten reads the error constructors of the cim
// packages (fmt.Errorf, errors.New, model.NewFault, &model.Fault{Reason:
// ...}) and checks that every package-name prefix their messages start
// with is one userText removes, so that no path shows users an internal
// package name. A new package's prefix fails here until it is listed in
// internalPackages.
func TestEveryErrorPrefixIsRewritten(t *testing.T) {
	prefix := regexp.MustCompile(`^([a-z][a-z0-9]*): `)
	// Words that start messages but are not packages: what the user
	// reads them as is right.
	notPackages := map[string]bool{"filter": true, "keytab": true}
	seen := map[string]int{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("../cim", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasSuffix(d.Name(), "test") || d.Name() == "e2e") {
			return filepath.SkipDir // the test servers' messages reach no cimsh user
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		if !slices.Contains(internalPackages, f.Name.Name) {
			t.Errorf("%s: package %s is not in internalPackages", path, f.Name.Name)
		}
		check := func(lit ast.Expr) {
			bl, ok := lit.(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				return
			}
			s, err := strconv.Unquote(bl.Value)
			if err != nil {
				return
			}
			if m := prefix.FindStringSubmatch(s); m != nil {
				seen[m[1]]++
				if !slices.Contains(internalPackages, m[1]) && !notPackages[m[1]] {
					t.Errorf("%s: message %q starts with %q, which userText does not remove", fset.Position(bl.Pos()), s, m[1])
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.SelectorExpr:
					name = fn.Sel.Name
				case *ast.Ident:
					name = fn.Name
				}
				switch name {
				case "Errorf", "New":
					if len(x.Args) > 0 {
						check(x.Args[0])
					}
				case "NewFault":
					if len(x.Args) > 1 {
						check(x.Args[1])
					}
				}
			case *ast.KeyValueExpr:
				if k, ok := x.Key.(*ast.Ident); ok && (k.Name == "Reason" || k.Name == "CIMMessage") {
					check(x.Value)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"cim", "memprov", "local", "model", "wql", "wsman"} {
		if seen[p] == 0 {
			t.Errorf("no message with the prefix %q found: the scan is not reading the constructors", p)
		}
	}
}
