package bundle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// dirWalker collects the entries of a directory tree.
type dirWalker struct {
	ctx     context.Context
	root    string // real path of the root (symlinks resolved)
	o       Options
	m       *matcher
	gi      *gitIgnore // nil: .gitignore not applied
	skip    map[string]bool
	entries []entry
	skipped []Skipped
	left    []Left
}

// collectDir walks root and returns the entries to zip.
//
// Every entry is judged by its own path and, below a directory symlink, by
// its real path too: an exclude pattern, a .gitignore rule or a built-in
// rule that leaves out a path also leaves it out under another name.
// Symlinks: a link whose resolved target stays inside root is stored as the
// target's content under the link's own name (a directory link is walked as
// if it were a directory). Links that leave root, dangle, loop or point at
// an excluded path, and anything that is neither a file nor a directory
// (FIFOs, sockets, devices), are skipped and reported in Stats.Skipped.
// Zips never hold symlink entries.
func collectDir(ctx context.Context, root string, o Options, m *matcher) (*dirWalker, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", root, err)
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", root, err)
	}
	fi, err := os.Stat(resolved)
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("zip %s: not a directory", root)
	}
	w := &dirWalker{ctx: ctx, root: resolved, o: o, m: m, skip: map[string]bool{}}
	if o.GitIgnore {
		w.gi = newGitIgnore(resolved)
	}
	for _, s := range o.Skip {
		w.skip[strings.Trim(filepath.ToSlash(s), "/")] = true
	}
	if err := w.walk(resolved, "", "", []string{resolved}, false); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *dirWalker) skipEntry(rel, reason string) {
	w.skipped = append(w.skipped, Skipped{Path: rel, Reason: reason})
}

func (w *dirWalker) leave(rel string, isDir bool, reason string) {
	if isDir {
		rel += "/"
	}
	w.left = append(w.left, Left{Path: rel, Reason: reason})
}

// isOutput reports whether dir is a folder `render --out` wrote.
func isOutput(dir string) bool {
	f, err := os.Open(filepath.Join(dir, OutputMarker))
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(OutputSignature))
	_, err = io.ReadFull(f, head)
	return err == nil && string(head) == OutputSignature
}

// judge returns why the entry is left out ("" keeps it), and, for a folder
// .gitignore leaves out but include may reach into, inIgnored=true: walk
// it, keeping only what include names. rel is the entry's path in the
// zip, real its real path (rel when no directory symlink lies above it),
// full its path on disk.
func (w *dirWalker) judge(rel, real, full string, isDir, inIgnored, viaLink bool) (reason string, walkIgnored bool) {
	if w.skip[rel] || w.skip[real] || (isDir && isOutput(full)) {
		return whyOutput, false
	}
	if r := w.m.why(rel, isDir); r != "" {
		return r, false
	}
	if real != rel || viaLink {
		if r := w.m.whyPath(real, isDir); r != "" {
			return r, false
		}
	}
	ignored := inIgnored
	if !ignored && w.gi != nil && real != "" {
		if real != rel || viaLink {
			ignored = w.gi.ignoredPath(real, isDir)
		} else {
			ignored = w.gi.ignored(real, isDir)
		}
	}
	if !ignored || w.m.includes(rel, isDir) {
		return "", false
	}
	if isDir && w.m.mayIncludeBelow(rel) {
		return "", true
	}
	return whyIgnored, false
}

// walk visits the directory at disk path dir, whose path in the zip is rel
// and whose real path relative to the root is real ("" for the root).
// stack holds the real paths of the directories being walked, to detect
// directory symlink loops. inIgnored is true inside a folder .gitignore
// leaves out: only what include names is kept there.
func (w *dirWalker) walk(dir, rel, real string, stack []string, inIgnored bool) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("zip: read directory %s: %w", dir, err)
	}
	for _, de := range des {
		name := de.Name()
		relp, realp := path.Join(rel, name), path.Join(real, name)
		full := filepath.Join(dir, name)
		typ := de.Type()
		isDir := typ.IsDir()
		if typ&fs.ModeSymlink != 0 {
			// Decide exclusion on what the link points at as well.
			if st, err := os.Stat(full); err == nil {
				isDir = st.IsDir()
			}
		}
		reason, walkIgnored := w.judge(relp, realp, full, isDir, inIgnored, false)
		if reason != "" {
			w.leave(relp, isDir, reason)
			continue
		}
		if err := checkName(relp); err != nil {
			return fmt.Errorf("zip %s: %w", w.root, err)
		}
		switch {
		case typ.IsDir():
			if err := w.walk(full, relp, realp, append(stack[:len(stack):len(stack)], full), inIgnored || walkIgnored); err != nil {
				return err
			}
		case typ.IsRegular():
			if inIgnored || walkIgnored {
				if !w.m.includes(relp, false) {
					w.leave(relp, false, whyIgnored)
					continue
				}
			}
			info, err := de.Info()
			if err != nil {
				return fmt.Errorf("zip: stat %s: %w", full, err)
			}
			if err := w.addFile(relp, full, info); err != nil {
				return err
			}
		case typ&fs.ModeSymlink != 0:
			if err := w.symlink(full, relp, stack, inIgnored || walkIgnored); err != nil {
				return err
			}
		default:
			w.skipEntry(relp, "not a regular file ("+typ.String()+")")
		}
	}
	return nil
}

func (w *dirWalker) addFile(rel, full string, info fs.FileInfo) error {
	if !w.o.ScanSecrets && globMatch(pemGlob, path.Base(rel)) {
		key, err := fileHoldsPrivateKey(func() (io.ReadCloser, error) { return os.Open(full) })
		if err != nil {
			return err
		}
		if key {
			w.skipEntry(rel, "holds a private key")
			return nil
		}
	}
	w.entries = append(w.entries, entry{
		name:    w.o.Prefix + rel,
		rel:     rel,
		mode:    modeFor(info.Mode().Perm()),
		size:    info.Size(),
		scan:    w.o.ScanSecrets,
		allowed: w.m.includesExactly(rel),
		open:    func() (io.ReadCloser, error) { return os.Open(full) },
	})
	return nil
}

// fileHoldsPrivateKey reads a .pem file, whatever its size, in bounded
// memory, and reports whether it holds a private key.
func fileHoldsPrivateKey(open func() (io.ReadCloser, error)) (bool, error) {
	f, err := open()
	if err != nil {
		return false, fmt.Errorf("zip: %w", err)
	}
	defer f.Close()
	key, err := readerHoldsPrivateKey(f)
	if err != nil {
		return false, fmt.Errorf("zip: %w", err)
	}
	return key, nil
}

func (w *dirWalker) symlink(full, rel string, stack []string, inIgnored bool) error {
	target, err := filepath.EvalSymlinks(full)
	if err != nil {
		w.skipEntry(rel, "symlink does not resolve (dangling or a loop)")
		return nil
	}
	trel, inside := within(w.root, target)
	if !inside {
		w.skipEntry(rel, "symlink points outside the project")
		return nil
	}
	fi, err := os.Stat(target)
	if err != nil {
		w.skipEntry(rel, "symlink target cannot be read")
		return nil
	}
	if trel != "" {
		if reason, walkIgnored := w.judge(rel, trel, target, fi.IsDir(), inIgnored, true); reason != "" || (walkIgnored && !fi.IsDir()) {
			w.skipEntry(rel, "symlink points at an excluded path ("+trel+")")
			return nil
		} else if walkIgnored {
			inIgnored = true
		}
	}
	switch {
	case fi.IsDir():
		if slices.Contains(stack, target) {
			w.skipEntry(rel, "symlink loop")
			return nil
		}
		return w.walk(target, rel, trel, append(stack[:len(stack):len(stack)], target), inIgnored)
	case fi.Mode().IsRegular():
		if inIgnored && !w.m.includes(rel, false) {
			w.leave(rel, false, whyIgnored)
			return nil
		}
		return w.addFile(rel, target, fi)
	default:
		w.skipEntry(rel, "symlink target is not a regular file")
	}
	return nil
}

// within reports whether target (a real path) is root or below it, and
// its slash path relative to root ("" for root itself).
func within(root, target string) (string, bool) {
	r, err := filepath.Rel(root, target)
	if err != nil || !filepath.IsLocal(r) {
		return "", false
	}
	if r == "." {
		return "", true
	}
	return filepath.ToSlash(r), true
}

// collectFS lists the regular files of fsys. fs.FS has no portable notion
// of symlinks, so anything but regular files and directories is skipped.
func collectFS(ctx context.Context, fsys fs.FS, o Options, m *matcher) ([]entry, []Skipped, error) {
	var (
		es      []entry
		skipped []Skipped
	)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("zip: %s: %w", p, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if m.excluded(p, d.IsDir()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if err := checkName(p); err != nil {
			return fmt.Errorf("zip: %w", err)
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			skipped = append(skipped, Skipped{Path: p, Reason: "not a regular file (" + d.Type().String() + ")"})
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("zip: stat %s: %w", p, err)
		}
		if !o.ScanSecrets && globMatch(pemGlob, path.Base(p)) {
			key, err := fileHoldsPrivateKey(func() (io.ReadCloser, error) { return fsys.Open(p) })
			if err != nil {
				return err
			}
			if key {
				skipped = append(skipped, Skipped{Path: p, Reason: "holds a private key"})
				return nil
			}
		}
		name := p
		es = append(es, entry{
			name:    o.Prefix + name,
			rel:     name,
			mode:    modeFor(info.Mode().Perm()),
			size:    info.Size(),
			scan:    o.ScanSecrets,
			allowed: m.includesExactly(name),
			open:    func() (io.ReadCloser, error) { return fsys.Open(name) },
		})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return es, skipped, nil
}

var errNotZip = errors.New("not a zip archive")
