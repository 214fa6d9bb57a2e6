package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/django-serverless/django-serverless-action/pkg/config"
)

// dockerInstr is one Dockerfile instruction, continuation lines joined.
type dockerInstr struct {
	line int
	cmd  string // upper case
	args string
}

// readDockerfile splits the Dockerfile into instructions. BuildKit's own
// parser and checks run on it in .ci/static-check (.ci/dockerlint); this
// test only needs the instruction list to assert the file's structure.
func readDockerfile(t *testing.T) []dockerInstr {
	t.Helper()
	var out []dockerInstr
	var cur strings.Builder
	start := 0
	for i, l := range strings.Split(read(t, "Dockerfile"), "\n") {
		trimmed := strings.TrimSpace(l)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if cur.Len() > 0 && strings.HasPrefix(trimmed, "#") {
			continue // a comment inside a continued instruction
		}
		if cur.Len() == 0 {
			start = i + 1
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`) + " ")
			continue
		}
		cur.WriteString(trimmed)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, dockerInstr{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	return out
}

var pinnedImage = regexp.MustCompile(`^[a-z0-9./-]+:[A-Za-z0-9._-]+@sha256:[0-9a-f]{64}$`)

// The image: every base pinned by digest, a build stage that downloads
// modules before copying sources and never copies the whole context, a
// cross-compiling build on the build platform, the static check, and an
// interpreter for every Python runtime the configuration accepts.
func TestDockerfileStructure(t *testing.T) {
	instrs := readDockerfile(t)
	args := map[string]string{}
	stages := map[string]bool{}
	var order []string // notable steps of the build stage, in order
	stage := ""
	for _, in := range instrs {
		switch in.cmd {
		case "ARG":
			if k, v, ok := strings.Cut(in.args, "="); ok {
				args[k] = v
			}
		case "FROM":
			f := strings.Fields(in.args)
			var platform string
			if strings.HasPrefix(f[0], "--platform=") {
				platform, f = strings.TrimPrefix(f[0], "--platform="), f[1:]
			}
			img := f[0]
			if m := regexp.MustCompile(`^\$\{(\w+)\}$`).FindStringSubmatch(img); m != nil {
				img = args[m[1]]
			}
			if img != "scratch" && !stages[img] && !pinnedImage.MatchString(img) {
				t.Errorf("Dockerfile:%d: FROM %s: base image %q is not pinned by digest (name:tag@sha256:...)", in.line, f[0], img)
			}
			stage = ""
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				stage = f[2]
				stages[stage] = true
			}
			if stage == "build" && platform != "$BUILDPLATFORM" {
				t.Errorf("Dockerfile:%d: the build stage runs on --platform=%q, want $BUILDPLATFORM (cross-compiled, not emulated)", in.line, platform)
			}
		case "COPY", "ADD":
			f := strings.Fields(in.args)
			srcs := f[:len(f)-1]
			for _, s := range srcs {
				if s == "." || s == "./" {
					t.Errorf("Dockerfile:%d: %s %s copies the whole context: any edit would invalidate the build cache", in.line, in.cmd, in.args)
				}
			}
			if stage == "build" {
				order = append(order, "COPY "+strings.Join(srcs, " "))
			}
		case "RUN":
			if stage == "build" {
				switch {
				case strings.Contains(in.args, "go mod download"):
					order = append(order, "go mod download")
				case strings.Contains(in.args, "go build"):
					order = append(order, "go build")
					for _, want := range []string{"CGO_ENABLED=1", `-extldflags "-static"`, `GOARCH="$TARGETARCH"`, "CC=aarch64-linux-gnu-gcc", "CC=x86_64-linux-gnu-gcc"} {
						if !strings.Contains(in.args, want) {
							t.Errorf("Dockerfile:%d: the build lacks %s", in.line, want)
						}
					}
				}
			}
			if stage == "runtime" && strings.Contains(in.args, "uv python install") {
				m := regexp.MustCompile(`uv python install ([0-9. ]+);`).FindStringSubmatch(in.args)
				if m == nil {
					t.Fatalf("Dockerfile:%d: cannot read the versions of uv python install", in.line)
				}
				if got, want := strings.Fields(m[1]), config.PythonVersions(); !slices.Equal(got, want) {
					t.Errorf("Dockerfile:%d: the image installs Python %v, the configuration accepts %v: ship one interpreter per runtime", in.line, got, want)
				}
			}
		}
	}
	want := []string{"COPY go.mod go.sum", "go mod download", "COPY main.go", "COPY pkg", "COPY templates", "go build"}
	if !slices.Equal(order, want) {
		t.Errorf("build stage steps %q, want %q (modules before sources, sources by name)", order, want)
	}
	for _, s := range []string{"build", "static-check", "uv", "runtime"} {
		if !stages[s] {
			t.Errorf("Dockerfile has no stage %q", s)
		}
	}
	if last := instrs[len(instrs)-1]; last.cmd != "ENTRYPOINT" || last.args != `["/usr/local/bin/django-serverless"]` {
		t.Errorf("the image ends with %s %s, want the binary as ENTRYPOINT", last.cmd, last.args)
	}
	// The static check's binary is the one the runtime stage ships.
	if !strings.Contains(read(t, "Dockerfile"), "COPY --from=static-check /django-serverless /usr/local/bin/django-serverless") {
		t.Error("the runtime stage does not take the binary from the static-check stage")
	}
	// Makefile's build (the static-check script's binary) uses the same flags.
	if !strings.Contains(read(t, "Makefile"), `-tags netgo,osusergo -ldflags '-s -w -linkmode external -extldflags "-static"'`) {
		t.Error("Makefile's build flags differ from the Dockerfile's")
	}
}

// On main, action.yml builds the Dockerfile; a release rewrites that one
// line to the published image's digest (release.yml), which must find it.
func TestActionImageLine(t *testing.T) {
	action := read(t, "action.yml")
	if n := strings.Count(action, "\n  image: "); n != 1 || !strings.Contains(action, "\n  image: Dockerfile\n") {
		t.Fatalf("action.yml: want exactly one `  image: Dockerfile` line on main, found %d image lines", n)
	}
	release := read(t, ".github/workflows/release.yml")
	for _, want := range []string{
		`platforms: linux/amd64,linux/arm64`,
		`^  image: Dockerfile$`, // the sed address the release rewrites
		`image: docker://${IMAGE}@${DIGEST}`,
		`git tag -f "$MAJOR"`,
	} {
		if !strings.Contains(release, want) {
			t.Errorf("release.yml lacks %q", want)
		}
	}
}

func TestDockerignoreKeepsTheContextSmall(t *testing.T) {
	di := read(t, ".dockerignore")
	for _, want := range []string{"*\n", "!go.mod\n", "!go.sum\n", "!main.go\n", "!pkg/\n", "!templates/\n"} {
		if !strings.Contains(di, want) {
			t.Errorf(".dockerignore lacks %q", strings.TrimSpace(want))
		}
	}
}
