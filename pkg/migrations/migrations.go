// Package migrations reads a Django project's migrations statically (the
// tree-sitter parser of pkg/django, never importing the project): which
// migrations each of the project's own apps has, their dependencies and
// operations, the order Django applies them in, and which operations are
// risky to run against a database that a live version of the code uses.
//
// What it mirrors of Django's MigrationLoader (checked against it by
// groundtruth_test.go): an app's migrations are the modules of the
// package <app module>/migrations (a folder with __init__.py: Django 3.2+
// treats a namespace folder as "no migrations") whose names start with
// neither "_" nor "~"; each must define a class named Migration. The graph
// is built as MigrationLoader.build_graph builds it (see order): with no
// database to read, every squashed migration (one with `replaces`) stands in
// for the migrations it replaces, as MigrationLoader does when none of them
// is applied, whether their files are still there or were deleted, and a
// dependency on a replaced migration (or on a squash that a later squash
// replaces) is one on the squash that replaces it. Apps are listed by label
// in alphabetical order and each app's migrations in the order
// `showmigrations --list` prints them.
//
// Not modelled: MIGRATION_MODULES (a setting that moves an app's
// migrations elsewhere) and migrations of third-party apps, which live in
// the dependencies layer, not in the project.
package migrations

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
	"github.com/django-serverless/django-serverless-action/pkg/django"
)

// Key names one migration: app label and migration name. Name may be
// "__first__" or "__latest__" in a dependency, as Django allows. A
// dependency on a swappable model (swappable_dependency(settings.X)) has
// App "__setting__" and Name the setting's name.
type Key struct {
	App  string `json:"app"`
	Name string `json:"name"`
}

// String renders "app.name", the form plan and the deployment record use.
func (k Key) String() string { return k.App + "." + k.Name }

// Migration is one migration file.
type Migration struct {
	Key
	// File is the file relative to the Django root (slash-separated); Line
	// is where its Migration class starts.
	File string `json:"file"`
	Line int    `json:"line"`
	// Initial is the class's `initial = True`.
	Initial      bool  `json:"initial,omitempty"`
	Dependencies []Key `json:"dependencies"`
	Replaces     []Key `json:"replaces,omitempty"`
	RunBefore    []Key `json:"run_before,omitempty"`
	// Operations in the order they run; Dynamic is true when the
	// operations are not a literal list (they cannot be reviewed).
	Operations []Operation `json:"operations"`
	Dynamic    bool        `json:"dynamic,omitempty"`

	parents []Key // the graph's edges: what it comes after, sorted
}

// Operation is one entry of a migration's operations list.
type Operation struct {
	// Name is the operation's class name: "AddField", "RunPython", ...
	Name string `json:"name"`
	Line int    `json:"line"`
	// Model and Field name what the operation touches, when it says.
	Model string `json:"model,omitempty"`
	Field string `json:"field,omitempty"`
	// Risk says why running this operation while a version of the code is
	// live can lose data or break requests; "" when it is not risky.
	Risk string `json:"risk,omitempty"`
	// Inner holds SeparateDatabaseAndState's database operations.
	Inner []Operation `json:"inner,omitempty"`

	call  *django.Expr // the operation's call, for the risk assessment
	state []Operation  // SeparateDatabaseAndState's state operations
}

// Set is every migration of the project's own apps.
type Set struct {
	// Migrations in graph order: apps by label, then each app's
	// migrations as `showmigrations --list` prints them. Migrations
	// replaced by a squashed one are left out (see Replaced).
	Migrations []Migration
	// Replaced lists the migrations a squashed migration of Migrations
	// stands in for, in file order.
	Replaced []Migration
	// Apps lists the labels of the apps that have a migrations package,
	// sorted; an app with an empty package is listed with no migrations.
	Apps []string
	// Diagnostics holds every problem found, each with file and line.
	Diagnostics diag.List
}

// IDs returns "app.name" for every migration in graph order.
func (s *Set) IDs() []string {
	out := make([]string, len(s.Migrations))
	for i, m := range s.Migrations {
		out[i] = m.String()
	}
	return out
}

// Empty reports whether the project has no migration at all.
func (s *Set) Empty() bool { return s == nil || len(s.Migrations) == 0 }

// Read reads the migrations of p's own apps with parser (nil: a new
// tree-sitter parser). Problems in single files (syntax errors, syntax
// newer than the runtime p.Python, no Migration class, a dependency on a
// migration that does not exist) are Diagnostics; the error is for failures to read the project at all.
func Read(p *django.Project, parser django.Parser) (*Set, error) {
	if parser == nil {
		ts, err := django.NewTreeSitter()
		if err != nil {
			return nil, err
		}
		defer ts.Close()
		parser = ts
	}
	set := &Set{}
	var all []Migration
	labels := append([]string(nil), p.Apps...)
	sort.Strings(labels)
	for _, label := range labels {
		module := p.AppModules[label]
		if module == "" {
			continue
		}
		dir := filepath.Join(p.Root, filepath.FromSlash(strings.ReplaceAll(module, ".", "/")), "migrations")
		names, ok, err := migrationModules(dir)
		if err != nil {
			return nil, fmt.Errorf("read migrations of %s: %w", label, err)
		}
		if !ok {
			continue
		}
		set.Apps = append(set.Apps, label)
		for _, name := range names {
			abs := filepath.Join(dir, name+".py")
			rel, err := filepath.Rel(p.Root, abs)
			if err != nil {
				rel = abs
			}
			rel = filepath.ToSlash(rel)
			m, ok := readFile(parser, abs, rel, p.Python, Key{App: label, Name: name}, &set.Diagnostics)
			if ok {
				all = append(all, m)
			}
		}
	}
	set.Migrations, set.Replaced = order(all, p.Apps, set.Apps, &set.Diagnostics)
	assess(set.Migrations)
	set.Diagnostics.Sort()
	return set, nil
}

// maxFile bounds the size of a migration file read; generated ones with
// large data literals stay far below.
const maxFile = 4 << 20

// migrationModules lists the migration module names of a migrations
// package, sorted; ok is false when dir is not a package (missing, a
// plain module, or a namespace folder without __init__.py). Symlinks are
// not followed.
func migrationModules(dir string) (names []string, ok bool, err error) {
	st, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !st.IsDir() {
		return nil, false, nil
	}
	if st, err := os.Lstat(filepath.Join(dir, "__init__.py")); err != nil || !st.Mode().IsRegular() {
		return nil, false, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, false, err
	}
	for _, e := range entries {
		name, isPy := strings.CutSuffix(e.Name(), ".py")
		if !isPy || !e.Type().IsRegular() || name == "" || strings.Contains(name, ".") {
			continue
		}
		if name[0] == '_' || name[0] == '~' {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, true, nil
}

func readFile(parser django.Parser, abs, rel, python string, key Key, diags *diag.List) (Migration, bool) {
	f, err := os.Open(abs)
	if err != nil {
		diags.Errf(rel, 0, 0, "read migration: %v", err)
		return Migration{}, false
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		diags.Errf(rel, 0, 0, "read migration: %v", err)
		return Migration{}, false
	}
	if len(src) > maxFile {
		diags.Errf(rel, 0, 0, "migration file larger than %d bytes: not read", maxFile)
		return Migration{}, false
	}
	mod, err := parser.Parse(rel, src)
	if err != nil {
		diags.Errf(rel, 0, 0, "parse migration: %v", err)
		return Migration{}, false
	}
	for _, e := range mod.Errors {
		if msg, ok := e.Message(python); ok {
			diags.Errf(rel, e.Line, e.Col, "%s", msg)
		}
	}
	m, ok := fromModule(mod, rel, key, diags)
	if !ok {
		diags.Errf(rel, 1, 0, "migration %s in app %s has no Migration class (Django refuses to load it)", key.Name, key.App)
	}
	return m, ok
}
