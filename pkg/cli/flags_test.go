package cli

import (
	"flag"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Every command's flags can be built without running it, and its synopsis
// (what -h prints first, and what README's command synopsis is checked
// against) names exactly those flags.
func TestSynopsisNamesEveryFlag(t *testing.T) {
	flagRE := regexp.MustCompile(`--([a-z][a-z0-9-]*)`)
	for _, name := range Commands() {
		t.Run(name, func(t *testing.T) {
			fs, ok := FlagSet(name)
			if !ok {
				t.Fatalf("no FlagSet for command %s", name)
			}
			syn, ok := Synopsis(name)
			if !ok || !strings.HasPrefix(syn, name+" ") {
				t.Fatalf("synopsis %q", syn)
			}
			var inSynopsis, defined []string
			for _, m := range flagRE.FindAllStringSubmatch(syn, -1) {
				inSynopsis = append(inSynopsis, m[1])
			}
			fs.VisitAll(func(f *flag.Flag) { defined = append(defined, f.Name) })
			sort.Strings(inSynopsis)
			if d := cmp.Diff(defined, inSynopsis); d != "" {
				t.Errorf("synopsis %q (-defined +synopsis):\n%s", syn, d)
			}
		})
	}
	if _, ok := FlagSet("frobnicate"); ok {
		t.Error("FlagSet of an unknown command")
	}
}

// -h prints the command's help on stdout and exits 0; a bad flag prints
// its error once, on stderr, naming the command and where its help is.
func TestHelpAndFlagErrors(t *testing.T) {
	for _, name := range Commands() {
		code, stdout, stderr := run(t, name, "-h")
		syn, _ := Synopsis(name)
		if code != ExitOK || !strings.HasPrefix(stdout, "usage: django-serverless "+syn+"\n\nflags:\n") || stderr != "" {
			t.Errorf("%s -h: exit %d\nstdout %q\nstderr %q", name, code, stdout, stderr)
		}
		code, stdout, stderr = run(t, name, "--nope")
		if code != ExitUsage || stdout != "" {
			t.Errorf("%s --nope: exit %d, stdout %q", name, code, stdout)
		}
		if n := strings.Count(stderr, "flag provided but not defined"); n != 1 {
			t.Errorf("%s --nope: the error is printed %d times:\n%s", name, n, stderr)
		}
		if want := "django-serverless: " + name + ": flag provided but not defined: -nope (see 'django-serverless " + name + " -h')\n"; stderr != want {
			t.Errorf("%s --nope: stderr %q, want %q", name, stderr, want)
		}
	}
	code, stdout, _ := run(t, "--help")
	if code != ExitOK || !strings.Contains(stdout, "--version") {
		t.Errorf("--help: %d %q", code, stdout)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, stdout, stderr := run(t, args...)
		if code != ExitOK || stdout != "django-serverless "+Version+"\n" || stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	if code, _, stderr := run(t, "version", "extra"); code != ExitUsage || !strings.Contains(stderr, "takes no arguments") {
		t.Errorf("version extra: %d %s", code, stderr)
	}
}
