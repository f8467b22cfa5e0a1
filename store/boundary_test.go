package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoQueriesOutsideStore: production code outside store/ (and the generated queries/)
// goes through the store's methods and the handlers' interfaces, never the generated
// queries. A second way to the tables is how the store's behaviour once drifted (three
// copies that no contract held together). Tests may look at rows directly.
func TestNoQueriesOutsideStore(t *testing.T) {
	root := ".."
	// allowed lists production files that may still reach the queries, each with its reason.
	// None remains.
	allowed := map[string]string{}
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			switch {
			case rel == ".":
			case rel == "store", rel == "queries", d.Name() == "testdata", strings.HasPrefix(d.Name(), "."), d.Name() == "vendor":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") || allowed[rel] != "" {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "groupwatch/queries" {
				t.Errorf("%s imports groupwatch/queries: add a method to the store (and its interface and contract) instead", rel)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Queries" && len(call.Args) == 0 {
				t.Errorf("%s calls .Queries() at line %d: go through the store's methods instead", rel, fset.Position(call.Pos()).Line)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d production files checked: is the walk rooted at the module?", checked)
	}
}
