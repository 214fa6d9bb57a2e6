package bundle

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
)

// CheckOverlap returns an error when two of a function's layers hold the
// same path, or one holds a file where another has a folder. Lambda
// unpacks the layers into one /opt, in order, and a later layer's file
// silently replaces an earlier one's: a package in both the dependencies
// and the project layer would run in whichever version came last. layers
// are given in the order the function lists them; each must have Path or
// Bytes (a layer known only by its key is left out by the caller).
func CheckOverlap(layers ...Artifact) error {
	type owner struct {
		layer string
		dir   bool
	}
	seen := map[string]owner{}
	var clashes []string
	for _, l := range layers {
		names, err := zipNames(l)
		if err != nil {
			return fmt.Errorf("check layer %s: %w", l.Name, err)
		}
		for _, n := range names {
			if strings.HasSuffix(n, "/") {
				continue
			}
			if o, ok := seen[n]; ok && o.layer != l.Name {
				if o.dir {
					clashes = append(clashes, fmt.Sprintf("%s (a folder in %s, a file in %s)", n, o.layer, l.Name))
				} else {
					clashes = append(clashes, fmt.Sprintf("%s (in both %s and %s)", n, o.layer, l.Name))
				}
				continue
			}
			seen[n] = owner{layer: l.Name}
			for d := path.Dir(n); d != "."; d = path.Dir(d) {
				o, ok := seen[d]
				if !ok {
					seen[d] = owner{layer: l.Name, dir: true}
					continue
				}
				if !o.dir && o.layer != l.Name {
					clashes = append(clashes, fmt.Sprintf("%s (a file in %s, a folder in %s)", d, o.layer, l.Name))
				}
				break // its parents are known already
			}
		}
	}
	if len(clashes) == 0 {
		return nil
	}
	sort.Strings(clashes)
	const shown = 5
	msg := strings.Join(clashes[:min(shown, len(clashes))], "; ")
	if len(clashes) > shown {
		msg += fmt.Sprintf("; and %d more", len(clashes)-shown)
	}
	return fmt.Errorf("layers overlap: %s. Lambda unpacks every layer into /opt and the later one silently wins: exclude the path from the project (exclude:), or drop it from the requirements or vendor folders", msg)
}

// zipNames lists the entries of a built zip.
func zipNames(a Artifact) ([]string, error) {
	var (
		r    io.ReaderAt
		size int64
	)
	switch {
	case a.Bytes != nil:
		r, size = bytes.NewReader(a.Bytes), int64(len(a.Bytes))
	case a.Path != "":
		f, err := os.Open(a.Path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return nil, err
		}
		r, size = f, fi.Size()
	default:
		return nil, fmt.Errorf("no zip (neither Path nor Bytes)")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNotZip, err)
	}
	names := make([]string, len(zr.File))
	for i, f := range zr.File {
		names[i] = f.Name
	}
	return names, nil
}
