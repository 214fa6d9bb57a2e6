package deps

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// schemaScript imports the schema after django.setup() and prints
// str(schema), graphene's SDL, without a trailing newline change.
const schemaScript = `import importlib, sys
import django
django.setup()
module, _, attr = sys.argv[1].rpartition(".")
schema = getattr(importlib.import_module(module), attr)
sdl = str(schema)
sys.stdout.write(sdl if sdl.endswith("\n") else sdl + "\n")
`

var (
	dottedPath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$`)
	modulePath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
)

// GenerateSchema runs python with the Django root and the dependencies
// (depsDir, the layer's python/ folder; "" when the interpreter has them)
// first on sys.path, sets DJANGO_SETTINGS_MODULE to settingsModule,
// imports the graphene schema schemaPath ("shop.schema.schema") and
// returns its SDL. A failure returns Python's own error line (and the
// traceback's last frames) naming the schema.
func GenerateSchema(ctx context.Context, python, djangoRoot, depsDir, settingsModule, schemaPath string) ([]byte, error) {
	if !dottedPath.MatchString(schemaPath) {
		return nil, fmt.Errorf("graphql schema %q: want a dotted path such as shop.schema.schema", schemaPath)
	}
	if !modulePath.MatchString(settingsModule) {
		return nil, fmt.Errorf("graphql schema %s: settings module %q is not a dotted module path", schemaPath, settingsModule)
	}
	root, err := filepath.Abs(djangoRoot)
	if err != nil {
		return nil, err
	}
	path := []string{root}
	if depsDir != "" {
		d, err := filepath.Abs(depsDir)
		if err != nil {
			return nil, err
		}
		path = append(path, d)
	}
	cmd := exec.CommandContext(ctx, python, "-c", schemaScript, schemaPath)
	cmd.Dir = root
	env := []string{}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "PYTHONPATH", "DJANGO_SETTINGS_MODULE", "PYTHONHOME", "PYTHONSTARTUP":
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env,
		"PYTHONPATH="+strings.Join(path, string(os.PathListSeparator)),
		"DJANGO_SETTINGS_MODULE="+settingsModule,
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONIOENCODING=utf-8",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("generate graphql schema %s: %w", schemaPath, ctx.Err())
		}
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			// The interpreter did not start (missing, not executable).
			return nil, fmt.Errorf("generate graphql schema %s with %s: %w", schemaPath, python, err)
		}
		return nil, fmt.Errorf("generate graphql schema %s with %s (settings %s): %s%s", schemaPath, python, settingsModule, pythonError(stderr.String(), err), traceTail(stderr.String()))
	}
	if strings.TrimSpace(stdout.String()) == "" {
		return nil, fmt.Errorf("generate graphql schema %s: python printed an empty schema", schemaPath)
	}
	return stdout.Bytes(), nil
}

// pythonError is the exception line of a traceback ("ModuleNotFoundError:
// No module named 'x'"), or the process error when there is none.
func pythonError(stderr string, err error) string {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); t != "" && !strings.HasPrefix(lines[i], " ") {
			return t
		}
	}
	return err.Error()
}

// traceTail keeps the last frame of a traceback ("File ..., line N") so
// the user sees where in their code the import failed.
func traceTail(stderr string) string {
	lines := strings.Split(stderr, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(lines[i]); strings.HasPrefix(t, "File \"") {
			return " (at " + t + ")"
		}
	}
	return ""
}
