package cli

import (
	"bytes"
	"flag"
	"io"
	"sort"
	"strings"
)

// commandFlags builds the FlagSet of a command without running it, from
// the same function the command parses its arguments with: -h, the
// command synopsis and the README's synopsis (checked by a test) all read
// the same flags. ok is false for an unknown command.
func commandFlags(name string, env Env) (fs *flag.FlagSet, ok bool) {
	switch name {
	case "discover":
		fs, _ = discoverFlags(env)
	case "render":
		fs, _ = renderFlags(env)
	case "invoke":
		fs, _ = invokeFlags(env)
	case "plan", "deploy", "destroy":
		var f awsFlags
		fs = f.flagSet(env, name)
	case "manage":
		fs, _ = manageFlags(env)
	case "serve":
		fs, _ = serveFlags(env)
	default:
		return nil, false
	}
	return fs, true
}

// FlagSet returns the flags of a command (discover, render, plan, ...),
// built without running it; ok is false for an unknown command.
func FlagSet(name string) (*flag.FlagSet, bool) {
	return commandFlags(name, Env{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }})
}

// Synopsis returns a command's synopsis as its -h prints it: "render
// [--project DIR] [--env NAME] ...". ok is false for an unknown command.
func Synopsis(name string) (string, bool) {
	var out bytes.Buffer
	fs, ok := commandFlags(name, Env{Stdout: &out, Stderr: io.Discard, Getenv: func(string) string { return "" }})
	if !ok {
		return "", false
	}
	fs.Usage()
	first, _, _ := strings.Cut(out.String(), "\n")
	return strings.TrimPrefix(first, "usage: django-serverless "), true
}

// Commands lists the command names, sorted.
func Commands() []string {
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
