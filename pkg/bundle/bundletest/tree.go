// Package bundletest writes deterministic synthetic source trees for the
// bundle benchmarks: mostly Python-like text in nested packages, a fifth
// incompressible binaries (like images and shared objects).
package bundletest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

var words = strings.Fields(`def class return import from self if else elif for in while try
except raise with as None True False lambda yield async await pass break continue
django models views urls request response queryset objects filter get create update
serializer field value name id user order product price total items data json`)

// Generate writes files files totalling about total bytes below root. The
// same arguments always give the same tree.
func Generate(root string, files int, total int64) error {
	if files <= 0 {
		return fmt.Errorf("generate %s: files must be positive", root)
	}
	r := rand.New(rand.NewPCG(1, 2))
	per := max(total/int64(files), 2)
	for i := range files {
		dir := filepath.Join(root, fmt.Sprintf("pkg%02d", i%40), fmt.Sprintf("mod%02d", (i/40)%8))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("generate %s: %w", root, err)
		}
		size := per/2 + r.Int64N(per)
		var data []byte
		name := fmt.Sprintf("file%04d.py", i)
		if i%5 == 0 {
			name = fmt.Sprintf("blob%04d.bin", i)
			data = make([]byte, size)
			for j := range data {
				data[j] = byte(r.Uint32())
			}
		} else {
			var b strings.Builder
			for int64(b.Len()) < size {
				b.WriteString(strings.Repeat("    ", r.IntN(3)))
				for range 4 + r.IntN(8) {
					b.WriteString(words[r.IntN(len(words))])
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%d\n", r.IntN(100000))
			}
			data = []byte(b.String())
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return fmt.Errorf("generate %s: %w", root, err)
		}
	}
	return nil
}
