package django

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// prefetchNames are the files of an app that URL discovery nearly always
// reads; prefetchDirs are folders whose modules it reads.
var (
	prefetchNames = []string{"urls.py", "views.py", "viewsets.py", "api.py", "schema.py"}
	prefetchDirs  = []string{"urls", "views", "api", "viewsets"}
)

// prefetch parses the URL and view modules of the project's apps in
// parallel, each worker with its own tree-sitter parser, so the
// sequential walk finds them ready. Files are only read here; problems are
// reported when (and if) the walk uses a file. Symlinks are not followed.
func (l *loader) prefetch(appModules []string, newParser func() (*TreeSitter, error)) {
	var files []string
	for _, mod := range appModules {
		ms := l.module(mod)
		if ms == nil || !ms.isPkg {
			continue
		}
		dir := filepath.Join(l.root, filepath.FromSlash(strings.ReplaceAll(mod, ".", "/")))
		for _, n := range prefetchNames {
			files = append(files, filepath.Join(dir, n))
		}
		for _, d := range prefetchDirs {
			m, _ := filepath.Glob(filepath.Join(dir, d, "*.py"))
			files = append(files, m...)
		}
	}
	var todo []string
	for _, f := range files {
		if _, done := l.parsed[f]; done {
			continue
		}
		if st, err := os.Lstat(f); err != nil || !st.Mode().IsRegular() {
			continue
		}
		todo = append(todo, f)
	}
	sort.Strings(todo)
	workers := min(runtime.GOMAXPROCS(0), 4, len(todo))
	if workers < 2 {
		return
	}
	results := make([]parsedFile, len(todo))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		ts, err := newParser()
		if err != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer ts.Close()
			for i := range next {
				results[i] = readAndParse(ts, todo[i], l.rel(todo[i]), l.python)
			}
		}()
	}
	for i := range todo {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, f := range todo {
		l.prefetched[f] = results[i]
	}
}
