package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
)

// dirWalker collects the entries of a directory tree.
type dirWalker struct {
	root    string // real path of the root (symlinks resolved)
	prefix  string
	m       *matcher
	entries []entry
	skipped []Skipped
}

// collectDir walks root and returns the entries to zip.
//
// Symlinks: a link whose resolved target stays inside root is stored as the
// target's content under the link's own name (a directory link is walked as
// if it were a directory), unless the target itself is excluded. Links that
// leave root, dangle, loop or point back to a directory being walked are
// skipped and reported in Stats.Skipped. Zips never hold symlink entries.
func collectDir(root string, o Options, m *matcher) (*dirWalker, error) {
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
	w := &dirWalker{root: resolved, prefix: o.Prefix, m: m}
	if err := w.walk(resolved, "", []string{resolved}); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *dirWalker) skip(rel, reason string) {
	w.skipped = append(w.skipped, Skipped{Path: rel, Reason: reason})
}

// walk visits the directory at disk path dir, whose path relative to the
// root is rel ("" for the root). stack holds the real paths of the
// directories being walked, to detect directory symlink loops.
func (w *dirWalker) walk(dir, rel string, stack []string) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("zip: read directory %s: %w", dir, err)
	}
	for _, de := range des {
		name := de.Name()
		relp := path.Join(rel, name)
		full := filepath.Join(dir, name)
		typ := de.Type()
		isDir := typ.IsDir()
		if typ&fs.ModeSymlink != 0 {
			// Decide exclusion on what the link points at as well.
			if st, err := os.Stat(full); err == nil {
				isDir = st.IsDir()
			}
		}
		if w.m.excluded(relp, isDir) {
			continue
		}
		if err := checkName(relp); err != nil {
			return fmt.Errorf("zip %s: %w", w.root, err)
		}
		switch {
		case typ.IsDir():
			if err := w.walk(full, relp, append(stack[:len(stack):len(stack)], full)); err != nil {
				return err
			}
		case typ.IsRegular():
			info, err := de.Info()
			if err != nil {
				return fmt.Errorf("zip: stat %s: %w", full, err)
			}
			if err := w.addFile(relp, full, info); err != nil {
				return err
			}
		case typ&fs.ModeSymlink != 0:
			if err := w.symlink(full, relp, stack); err != nil {
				return err
			}
		default:
			w.skip(relp, "not a regular file ("+typ.String()+")")
		}
	}
	return nil
}

func (w *dirWalker) addFile(rel, full string, info fs.FileInfo) error {
	if globMatch(pemGlob, path.Base(rel)) {
		data, err := os.ReadFile(full)
		if err != nil {
			return fmt.Errorf("zip: %w", err)
		}
		if holdsPrivateKey(data) {
			w.skip(rel, "holds a private key")
			return nil
		}
	}
	w.entries = append(w.entries, entry{
		name: w.prefix + rel,
		mode: modeFor(info.Mode().Perm()),
		size: info.Size(),
		read: func(buf *bytes.Buffer) error { return readFile(buf, full) },
	})
	return nil
}

func (w *dirWalker) symlink(full, rel string, stack []string) error {
	target, err := filepath.EvalSymlinks(full)
	if err != nil {
		w.skip(rel, "symlink does not resolve (dangling or a loop)")
		return nil
	}
	trel, inside := within(w.root, target)
	if !inside {
		w.skip(rel, "symlink points outside the root")
		return nil
	}
	fi, err := os.Stat(target)
	if err != nil {
		w.skip(rel, "symlink target cannot be read")
		return nil
	}
	if trel != "" && w.m.excludedPath(trel, fi.IsDir()) {
		w.skip(rel, "symlink points at an excluded path")
		return nil
	}
	switch {
	case fi.IsDir():
		if slices.Contains(stack, target) {
			w.skip(rel, "symlink loop")
			return nil
		}
		return w.walk(target, rel, append(stack[:len(stack):len(stack)], target))
	case fi.Mode().IsRegular():
		return w.addFile(rel, target, fi)
	default:
		w.skip(rel, "symlink target is not a regular file")
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

func readFile(buf *bytes.Buffer, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
		buf.Grow(int(fi.Size()) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(f); err != nil {
		return fmt.Errorf("zip: read %s: %w", name, err)
	}
	return nil
}

// collectFS lists the regular files of fsys. fs.FS has no portable notion
// of symlinks, so anything but regular files and directories is skipped.
func collectFS(fsys fs.FS, o Options, m *matcher) ([]entry, []Skipped, error) {
	var (
		es      []entry
		skipped []Skipped
	)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("zip: %s: %w", p, err)
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
		if globMatch(pemGlob, path.Base(p)) {
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return fmt.Errorf("zip: %w", err)
			}
			if holdsPrivateKey(data) {
				skipped = append(skipped, Skipped{Path: p, Reason: "holds a private key"})
				return nil
			}
		}
		name := p
		es = append(es, entry{
			name: o.Prefix + name,
			mode: modeFor(info.Mode().Perm()),
			size: info.Size(),
			read: func(buf *bytes.Buffer) error { return readFSFile(buf, fsys, name) },
		})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return es, skipped, nil
}

func readFSFile(buf *bytes.Buffer, fsys fs.FS, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(buf, f); err != nil {
		return fmt.Errorf("zip: read %s: %w", name, err)
	}
	return nil
}

var errNotZip = errors.New("not a zip archive")
