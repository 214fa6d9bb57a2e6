// Package bundle builds the deterministic zips deployed to Lambda: the
// project layer, the runtime layer and the function code package.
//
// A zip depends only on the names, contents and executable bits of the files
// it holds: entries are sorted by name, every entry carries the same
// timestamp (1980-01-01 00:00) and one of two modes (0644, or 0755 when any
// executable bit is set), there are no directory entries, no extra fields and
// no symlinks. The same tree gives the same bytes on any checkout, whatever
// the mtimes, umask or directory order. Files are compressed concurrently and
// written in order, so the bytes do not depend on the number of CPUs.
//
// Version control data, dotenv files, private keys, caches and the
// configured exclude globs never enter a zip (see Options). Key files are
// recognised by name (*.key, id_rsa*, *.p12, ...) and, for *.pem, by content:
// a .pem holding a private key is left out (and listed in Stats.Skipped),
// certificate bundles stay (certifi's cacert.pem, an RDS CA bundle).
//
// With Options.Bytecode a zip also carries a hash-based .pyc for each of
// its .py files, compiled by the runtime's Python (pkg/bytecode), so Lambda
// imports bytecode from the read-only /opt and /var/task.
package bundle

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/human"
)

// Artifact is one built zip, content-addressed by its sha256.
type Artifact struct {
	// Name says what the zip is ("project-layer", "runtime-layer", ...).
	Name string
	// SHA256 is the lower-case hex digest of the zip's bytes.
	SHA256 string
	// Size is the zip's size in bytes.
	Size int64
	// Path is the zip on disk (dir/<sha256>.zip), "" for in-memory builds.
	Path string
	// Bytes holds the zip for in-memory builds (BuildBytes), else nil.
	Bytes []byte
	// Stats counts the files in the zip and their unzipped size.
	Stats Stats
}

// Options controls what a zip holds.
type Options struct {
	// Prefix is prepended to every entry name, e.g. "python/". It must be
	// empty or end with "/".
	Prefix string
	// Exclude are the configuration's globs, matched against paths relative
	// to the zip's source root: "*" and "?" within a component, "**" across
	// components; a pattern without "/" matches a name at any depth; a
	// trailing "/" matches directories only. A matching directory is left
	// out with everything below it.
	Exclude []string
	// ExcludeTests leaves out directories named "tests" or "test" (the
	// project layer sets it; the dependencies layer must not, since
	// packages such as django.test are imported at run time).
	ExcludeTests bool
	// GitIgnore applies the repository's ignore rules: every .gitignore
	// from the repository root (the folder holding .git above the zip's
	// root) down, and .git/info/exclude. What git would not track does
	// not ship.
	GitIgnore bool
	// Include opts back in what .gitignore leaves out (the same glob
	// syntax as Exclude): compiled translations, built assets. A file
	// left out because its name looks like a key or a local database, or
	// (with ScanSecrets) because it holds a secret, ships only when an
	// Include entry is its exact path, never through a glob.
	Include []string
	// ScanSecrets scans every text file, whatever its size (a big one as
	// it is streamed into the zip, in bounded memory), for private keys
	// and credentials (PEM, OpenSSH, PGP and PuTTY keys, Google Cloud
	// service-account keys, AWS key pairs, kubeconfig credentials): a file
	// holding one fails the zip with a *SecretError naming it.
	ScanSecrets bool
	// Skip lists folders (slash paths relative to the root) left out
	// whole, matched literally (render's --out).
	Skip []string
	// MaxUnzipped bounds the sum of the files' sizes; 0 means
	// LambdaUnzippedLimit. It is checked on the sizes listed before
	// anything is read, then on the bytes as they are read.
	MaxUnzipped int64
	// Bytecode, when set, adds a compiled .pyc beside each .py file.
	Bytecode *Bytecode
}

// OutputMarker is the file `render --out` leaves in its output folder, and
// OutputSignature the text it starts with. A folder holding it is never
// zipped (an earlier render output inside the project), and render
// replaces no folder without it.
const (
	OutputMarker    = ".django-serverless-render"
	OutputSignature = "django-serverless render output"
)

// Stats describes a zip's contents.
type Stats struct {
	// Files is the number of entries.
	Files int
	// UnzippedBytes is the sum of the entries' uncompressed sizes, what
	// counts against Lambda's 250 MB limit.
	UnzippedBytes int64
	// Skipped lists what was left out for a reason the user may want to
	// know (symlinks leaving the root, loops, special files); excluded
	// paths are not listed. Sorted by path.
	Skipped []Skipped
	// Left lists what the rules left out (a folder once, with a trailing
	// "/"), sorted by path.
	Left []Left
	// Allowed lists the secrets shipped because Include names their files
	// exactly.
	Allowed []Finding
	// Compiled counts the .pyc files added (Options.Bytecode); Uncompiled
	// lists the .py files that did not compile, sorted by path.
	Compiled   int
	Uncompiled []Uncompiled
}

// Skipped is one path left out of a zip and why.
type Skipped struct {
	Path   string
	Reason string
}

// Left is one path a rule left out of a zip: Reason is ".gitignore",
// "exclude", "test folder", "looks like a key, credentials or a local
// database", ...
type Left struct {
	Path   string
	Reason string
}

// IgnoredByGit reports whether a .gitignore rule left l out.
func (l Left) IgnoredByGit() bool { return l.Reason == whyIgnored }

// SecretError is a zip refused because files in it hold secrets.
type SecretError struct {
	Findings []Finding
}

func (e *SecretError) Error() string {
	var b strings.Builder
	b.WriteString("refusing to package secrets: ")
	for i, f := range e.Findings {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s holds a %s", f.Path, f.Kind)
	}
	b.WriteString(". Remove them from the project (keep secrets in Secrets Manager: the secrets: key), or add them to exclude:; a file that must ship anyway is named by its exact path under include:")
	return b.String()
}

// LambdaUnzippedLimit is Lambda's limit on the unzipped size of a
// function's code plus all its layers (250 MB).
const LambdaUnzippedLimit int64 = 250 << 20

// ZipDir writes a deterministic zip of the files below root to w.
// Symlinks whose target stays inside root are stored with the target's
// content under the link's name (directory links are walked, loops are
// cut); links leaving root are skipped and reported in Stats.Skipped.
// A file name that is not valid UTF-8 is an error naming it (exclude it or
// rename it): zip readers would otherwise decode it differently.
// The walk and the reads stop when ctx ends.
func ZipDir(ctx context.Context, w io.Writer, root string, o Options) (Stats, error) {
	m, err := prepare(o)
	if err != nil {
		return Stats{}, err
	}
	dw, err := collectDir(ctx, root, o, m)
	if err != nil {
		return Stats{}, err
	}
	es, compiled, unc, cleanup, err := compile(ctx, dw.entries, o.Bytecode, o.Prefix)
	if err != nil {
		return Stats{}, fmt.Errorf("zip %s: %w", root, err)
	}
	defer cleanup()
	st, err := writeEntries(ctx, w, es, o.MaxUnzipped)
	st.Compiled, st.Uncompiled = compiled, unc
	st.Skipped = sortSkipped(dw.skipped)
	sort.SliceStable(dw.left, func(i, j int) bool { return dw.left[i].Path < dw.left[j].Path })
	st.Left = dw.left
	if err != nil {
		return st, err
	}
	return st, nil
}

// ZipFS writes a deterministic zip of the regular files of fsys (for
// example an embed.FS) to w, with the same rules as ZipDir.
func ZipFS(ctx context.Context, w io.Writer, fsys fs.FS, o Options) (Stats, error) {
	m, err := prepare(o)
	if err != nil {
		return Stats{}, err
	}
	es, skipped, err := collectFS(ctx, fsys, o, m)
	if err != nil {
		return Stats{}, err
	}
	es, compiled, unc, cleanup, err := compile(ctx, es, o.Bytecode, o.Prefix)
	if err != nil {
		return Stats{}, fmt.Errorf("zip: %w", err)
	}
	defer cleanup()
	st, err := writeEntries(ctx, w, es, o.MaxUnzipped)
	if err != nil {
		return Stats{}, err
	}
	st.Skipped = sortSkipped(skipped)
	st.Compiled, st.Uncompiled = compiled, unc
	return st, nil
}

func prepare(o Options) (*matcher, error) {
	if o.Prefix != "" && (!strings.HasSuffix(o.Prefix, "/") || strings.HasPrefix(o.Prefix, "/") ||
		strings.Contains(o.Prefix, "..") || strings.Contains(o.Prefix, "\\")) {
		return nil, fmt.Errorf("zip prefix %q: want a relative path ending in \"/\"", o.Prefix)
	}
	return newMatcher(o)
}

func sortSkipped(s []Skipped) []Skipped {
	sort.SliceStable(s, func(i, j int) bool { return s[i].Path < s[j].Path })
	return s
}

// Build runs fn into a temporary file in dir, then renames it atomically to
// dir/<sha256>.zip. A failed build leaves nothing behind. The result must be
// a zip: its central directory is read back to fill Stats (Skipped stays
// empty; use ZipDir's Stats for that).
func Build(dir, name string, fn func(io.Writer) error) (Artifact, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(dir, ".build-*.zip.tmp")
	if err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	tmpName := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	h := sha256.New()
	cw := &countWriter{}
	bw := bufio.NewWriterSize(io.MultiWriter(tmp, h, cw), 1<<20)
	if err := fn(bw); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	if err := bw.Flush(); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	st, err := zipStats(tmp, cw.n)
	if err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	final := filepath.Join(dir, sum+".zip")
	if err := os.Rename(tmpName, final); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	ok = true
	return Artifact{Name: name, SHA256: sum, Size: cw.n, Path: final, Stats: st}, nil
}

// BuildBytes runs fn in memory: the Artifact has Bytes and no Path.
func BuildBytes(name string, fn func(io.Writer) error) (Artifact, error) {
	var buf bytes.Buffer
	if err := fn(&buf); err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	b := buf.Bytes()
	st, err := zipStats(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return Artifact{}, fmt.Errorf("build %s: %w", name, err)
	}
	sum := sha256.Sum256(b)
	return Artifact{Name: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(b)), Bytes: b, Stats: st}, nil
}

func zipStats(r io.ReaderAt, size int64) (Stats, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return Stats{}, fmt.Errorf("%w: %w", errNotZip, err)
	}
	var st Stats
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		st.Files++
		st.UnzippedBytes += int64(f.UncompressedSize64)
	}
	return st, nil
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// CheckUnzipped returns an error when the artifacts a function loads (its
// code and layers) exceed Lambda's 250 MB unzipped limit, naming the
// function and each artifact's share.
func CheckUnzipped(function string, arts ...Artifact) error {
	var total int64
	parts := make([]string, 0, len(arts))
	for _, a := range arts {
		total += a.Stats.UnzippedBytes
		parts = append(parts, fmt.Sprintf("%s %s", a.Name, human.Bytes(a.Stats.UnzippedBytes)))
	}
	if total <= LambdaUnzippedLimit {
		return nil
	}
	return fmt.Errorf("function %s: code and layers unzip to %s, over Lambda's %s limit (%s): exclude files or trim requirements",
		function, human.Bytes(total), human.Bytes(LambdaUnzippedLimit), strings.Join(parts, ", "))
}
