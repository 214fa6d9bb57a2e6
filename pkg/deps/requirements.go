package deps

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// Line is one logical requirements line (continuations joined, comment
// removed), with where it came from.
type Line struct {
	File string // relative to the Django root when possible
	Line int    // 1-based, the first physical line
	Text string // as pip should read it (environment markers and --hash kept)
	Name string // normalized project name for a requirement, "" for an option line
	// Direct marks a URL or VCS requirement (git+https://..., name @
	// https://...): it is built into a wheel before the layer is installed.
	Direct bool

	abs   string // absolute folder of a relative --find-links
	wheel string // the wheel built for a direct requirement
}

// Requirements is a requirements file with its -r includes expanded in
// place and its -c constraint files collected.
type Requirements struct {
	Lines       []Line
	Constraints []Line
	// Files read, in order (the file itself, then includes).
	Files []string
	// Warnings are requirements that install but make the layer depend on
	// something other than its text (a VCS branch, a URL without a hash).
	Warnings diag.List
}

var (
	nameRe    = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)`)
	vcsRe     = regexp.MustCompile(`^(git|hg|svn|bzr)\+`)
	commitRe  = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)
	eggRe     = regexp.MustCompile(`[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)`)
	directRe  = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*@\s*(\S+)`)
	normRe    = regexp.MustCompile(`[-_.]+`)
	optionArg = map[string]bool{ // options that take a value, possibly as the next word
		"-r": true, "--requirement": true, "-c": true, "--constraint": true,
		"-i": true, "--index-url": true, "--extra-index-url": true,
		"-f": true, "--find-links": true, "--trusted-host": true,
		"--only-binary": true, "--no-binary": true,
	}
	allowedFlags = map[string]bool{"--pre": true, "--prefer-binary": true, "--no-index": true, "--require-hashes": true}
)

// NormalizeName is the PEP 503 normalized form of a project name.
func NormalizeName(s string) string { return strings.ToLower(normRe.ReplaceAllString(s, "-")) }

// ParseRequirements reads path (relative paths in it are relative to its
// folder) and every file it includes. rel names files in errors and in
// Line.File: it is path relative to root when root is not empty. URL and
// VCS requirements (also as -e) are kept (Line.Direct), with a warning in
// Requirements.Warnings when they pin nothing reproducible; local paths
// cannot be installed for another platform: each is an error naming
// file:line, all reported together.
func ParseRequirements(root, path string) (*Requirements, error) {
	p := &parser{root: root, seen: map[string]bool{}}
	r := &Requirements{}
	p.file(r, path, false, "", 0)
	if err := p.diags.Err(); err != nil {
		return nil, err
	}
	r.Warnings = p.diags.Warnings()
	return r, nil
}

type parser struct {
	root  string
	seen  map[string]bool
	stack []string
	diags diag.List
}

func (p *parser) rel(path string) string {
	if p.root != "" {
		if r, err := filepath.Rel(p.root, path); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(path)
}

func (p *parser) file(r *Requirements, path string, constraint bool, fromFile string, fromLine int) {
	abs, err := filepath.Abs(path)
	if err != nil {
		p.diags.Errf(fromFile, fromLine, 0, "%v", err)
		return
	}
	for _, s := range p.stack {
		if s == abs {
			p.diags.Errf(fromFile, fromLine, 0, "requirements include cycle: %s includes itself", p.rel(abs))
			return
		}
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		if os.IsNotExist(err) {
			p.diags.Errf(fromFile, fromLine, 0, "requirements file %s not found", p.rel(abs))
		} else {
			p.diags.Errf(fromFile, fromLine, 0, "read requirements file %s: %v", p.rel(abs), err)
		}
		return
	}
	if p.seen[abs] {
		return // included twice (diamond): once is enough
	}
	p.seen[abs] = true
	p.stack = append(p.stack, abs)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	p.data(r, p.rel(abs), filepath.Dir(abs), data, constraint)
}

// ParseRequirementsText parses requirements text that has no file of its
// own (a lock file's export): file names it in errors, dir resolves
// includes.
func ParseRequirementsText(root, file, dir string, data []byte) (*Requirements, error) {
	p := &parser{root: root, seen: map[string]bool{}}
	r := &Requirements{}
	p.data(r, file, dir, data, false)
	if err := p.diags.Err(); err != nil {
		return nil, err
	}
	r.Warnings = p.diags.Warnings()
	return r, nil
}

func (p *parser) data(r *Requirements, file, dir string, data []byte, constraint bool) {
	r.Files = append(r.Files, file)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var logical strings.Builder
	start, n := 0, 0
	for sc.Scan() {
		n++
		text := sc.Text()
		if logical.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(text, `\`) {
			logical.WriteString(strings.TrimSuffix(text, `\`))
			logical.WriteByte(' ')
			continue
		}
		logical.WriteString(text)
		p.line(r, logical.String(), file, start, dir, constraint)
		logical.Reset()
	}
	if logical.Len() > 0 {
		p.line(r, logical.String(), file, start, dir, constraint)
	}
	if err := sc.Err(); err != nil {
		p.diags.Errf(file, n, 0, "read: %v", err)
	}
}

// stripComment removes a comment: "#" at the start or after whitespace
// (a "#" inside a URL fragment is not a comment, as in pip).
func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i]
		}
	}
	return s
}

func (p *parser) line(r *Requirements, raw, file string, line int, dir string, constraint bool) {
	text := strings.Join(strings.Fields(stripComment(raw)), " ")
	if text == "" {
		return
	}
	add := func(l Line) {
		if constraint {
			r.Constraints = append(r.Constraints, l)
		} else {
			r.Lines = append(r.Lines, l)
		}
	}
	if strings.HasPrefix(text, "-") {
		opt, arg := splitOption(text)
		switch {
		case opt == "-r" || opt == "--requirement" || opt == "-c" || opt == "--constraint":
			if arg == "" {
				p.diags.Errf(file, line, 0, "%s needs a file name", opt)
				return
			}
			if strings.Contains(arg, "://") {
				p.diags.Errf(file, line, 0, "%s %s: remote requirements files are not supported; commit the file", opt, arg)
				return
			}
			p.file(r, filepath.Join(dir, filepath.FromSlash(arg)), constraint || opt == "-c" || opt == "--constraint", file, line)
		case opt == "-e" || opt == "--editable":
			if vcsRe.MatchString(arg) || strings.Contains(arg, "://") {
				// An editable checkout cannot live in a layer: the package
				// is installed from the same reference, not editable.
				p.direct(add, arg, file, line)
				return
			}
			p.diags.Errf(file, line, 0, "editable requirement %q cannot go into a Lambda layer: install it from an index (pin a version) or vendor it", arg)
		case opt == "-f" || opt == "--find-links":
			if !strings.Contains(arg, "://") && !filepath.IsAbs(arg) {
				// Relative to the requirements file, as pip resolves it;
				// the hash sees the relative form only.
				add(Line{File: file, Line: line, Text: opt + " " + arg, Name: ""})
				r.findLinks(len(r.Lines)-1, constraint, filepath.Join(dir, filepath.FromSlash(arg)))
				return
			}
			add(Line{File: file, Line: line, Text: opt + " " + arg})
		case opt == "--no-binary":
			p.diags.Errf(file, line, 0, "--no-binary %s: the layer is built from wheels only (--only-binary=:all:), sources cannot be compiled for Lambda here; remove it", arg)
		case optionArg[opt] || allowedFlags[opt]:
			add(Line{File: file, Line: line, Text: text})
		default:
			p.diags.Errf(file, line, 0, "unsupported requirements option %s", opt)
		}
		return
	}
	switch {
	case vcsRe.MatchString(text), strings.Contains(strings.SplitN(text, ";", 2)[0], "://"):
		p.direct(add, text, file, line)
		return
	case strings.HasPrefix(text, ".") || strings.HasPrefix(text, "/") || strings.HasSuffix(strings.Fields(text)[0], ".whl"):
		p.diags.Errf(file, line, 0, "local path requirement %q is not supported: vendor the package (vendor: in django-serverless.yml)", text)
		return
	}
	m := nameRe.FindString(text)
	if m == "" {
		p.diags.Errf(file, line, 0, "cannot parse requirement %q", text)
		return
	}
	add(Line{File: file, Line: line, Text: text, Name: NormalizeName(m)})
}

// direct adds a URL or VCS requirement (pip installs them; the layer
// builds them into wheels first). Its text is part of the layer's hash, so
// it is reproducible only when it pins content: a VCS commit sha, a URL
// with a #sha256= (or --hash); otherwise a warning says so.
func (p *parser) direct(add func(Line), text, file string, line int) {
	l := Line{File: file, Line: line, Text: text, Direct: true}
	ref := strings.Fields(strings.SplitN(text, ";", 2)[0])[0]
	if m := directRe.FindStringSubmatch(text); m != nil {
		l.Name, ref = NormalizeName(m[1]), m[3]
	} else if m := eggRe.FindStringSubmatch(ref); m != nil {
		l.Name = NormalizeName(m[1])
	}
	if l.Name == "" {
		l.Name = "@" + ref // no project name: the reference names it
	}
	switch {
	case vcsRe.MatchString(ref):
		u := strings.SplitN(ref, "#", 2)[0]
		at := strings.LastIndexByte(u, '@')
		slash := strings.LastIndexByte(u, '/')
		rev := ""
		if at > slash {
			rev = u[at+1:]
		}
		if !commitRe.MatchString(rev) {
			what := "no revision"
			if rev != "" {
				what = fmt.Sprintf("revision %q, not a commit sha", rev)
			}
			p.diags.Warnf(file, line, 0, "VCS requirement %s pins %s: the dependencies layer is not reproducible (its hash covers the text, not what the branch or tag points at); pin a full commit sha (@<40 hex digits>)", ref, what)
		}
	case !strings.Contains(ref, "#sha256=") && !strings.Contains(text, "--hash="):
		p.diags.Warnf(file, line, 0, "URL requirement %s has no hash: the dependencies layer is not reproducible if the file behind the URL changes; add #sha256=<digest> to the URL", ref)
	}
	add(l)
}

// findLinks remembers the absolute folder of a relative --find-links so
// the installer gets a path that works from any working directory.
func (r *Requirements) findLinks(i int, constraint bool, abs string) {
	ls := r.Lines
	if constraint {
		ls = r.Constraints
	}
	ls[i].abs = abs
}

// splitOption splits "--opt=value", "--opt value" and "-rfile".
func splitOption(text string) (opt, arg string) {
	if i := strings.IndexAny(text, "= "); i > 0 {
		opt, arg = text[:i], strings.TrimSpace(text[i+1:])
	} else {
		opt = text
	}
	if !strings.HasPrefix(opt, "--") && len(opt) > 2 {
		// -rfile, -efoo
		opt, arg = opt[:2], strings.TrimSpace(opt[2:]+" "+arg)
	}
	return opt, arg
}

// Names returns the normalized names of the requirements, with where each
// is declared, for naming a failing dependency's file and line.
func (r *Requirements) Names() map[string]Line {
	out := map[string]Line{}
	for _, l := range r.Lines {
		if l.Name != "" {
			if _, ok := out[l.Name]; !ok {
				out[l.Name] = l
			}
		}
	}
	return out
}

// pipText is the content written for the installer: absolute paths where
// the original had relative --find-links.
func pipText(ls []Line) string {
	var b strings.Builder
	for _, l := range ls {
		if l.abs != "" {
			fmt.Fprintf(&b, "--find-links %s\n", l.abs)
			continue
		}
		if l.wheel != "" {
			b.WriteString(l.wheel)
			b.WriteByte('\n')
			continue
		}
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// hashText is the content hashed for the layer key: independent of where
// the checkout lives.
func hashText(ls []Line) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}
