package serve

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// watcher polls a tree for changes to the files a function's code is made
// of. Polling, like Django's own StatReloader, works the same on every
// platform and file system (containers, network mounts) with no
// dependency; a project tree of a few thousand files costs a few
// milliseconds a poll.
type watcher struct {
	root     string
	interval time.Duration
	extra    []string
	seen     map[string]stamp
}

type stamp struct {
	mod  time.Time
	size int64
}

// watchedExt are the files whose change restarts workers: code, templates,
// translations, the configuration and GraphQL schema. Databases, logs and
// uploads change while serving and must not.
var watchedExt = map[string]bool{
	".py": true, ".html": true, ".htm": true, ".txt": true, ".xml": true, ".mo": true,
	".yml": true, ".yaml": true, ".graphql": true, ".graphqls": true, ".json": false,
}

func newWatcher(root string, interval time.Duration, extra ...string) (*watcher, error) {
	w := &watcher{root: root, interval: interval, extra: extra}
	seen, err := w.scan()
	if err != nil {
		return nil, err
	}
	w.seen = seen
	return w, nil
}

func skipDir(path string, d fs.DirEntry) bool {
	name := d.Name()
	if strings.HasPrefix(name, ".") || name == "__pycache__" || name == "node_modules" || name == "site-packages" {
		return true
	}
	_, err := os.Stat(filepath.Join(path, "pyvenv.cfg")) // a virtualenv
	return err == nil
}

func (w *watcher) scan() (map[string]stamp, error) {
	out := map[string]stamp{}
	err := filepath.WalkDir(w.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == w.root {
				return err
			}
			return nil // vanished while walking
		}
		if d.IsDir() {
			if path != w.root && skipDir(path, d) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !watchedExt[strings.ToLower(filepath.Ext(path))] {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		out[path] = stamp{info.ModTime(), info.Size()}
		return nil
	})
	for _, f := range w.extra {
		if info, err := os.Stat(f); err == nil {
			out[f] = stamp{info.ModTime(), info.Size()}
		}
	}
	return out, err
}

// poll returns the files added, changed or removed since the last poll,
// sorted.
func (w *watcher) poll() []string {
	now, err := w.scan()
	if err != nil {
		return nil
	}
	var changed []string
	for p, st := range now {
		if old, ok := w.seen[p]; !ok || old != st {
			changed = append(changed, p)
		}
	}
	for p := range w.seen {
		if _, ok := now[p]; !ok {
			changed = append(changed, p)
		}
	}
	w.seen = now
	sort.Strings(changed)
	return changed
}

// watch restarts the workers a change concerns and, when the server can
// re-plan, swaps in the new routes and function settings.
func (s *Server) watch(ctx context.Context, w *watcher) {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changed := w.poll()
		if len(changed) == 0 {
			continue
		}
		s.applyChange(ctx, changed)
	}
}

func (s *Server) applyChange(ctx context.Context, changed []string) {
	all := false
	var rel []string
	for _, f := range changed {
		if filepath.Ext(f) != ".py" {
			all = true
		}
		if r, err := filepath.Rel(s.opts.Root, f); err == nil && !strings.HasPrefix(r, "..") {
			rel = append(rel, r)
		} else {
			rel = append(rel, f)
		}
	}
	if s.opts.Replan != nil {
		pl, err := s.opts.Replan(ctx)
		var router Router
		if err == nil && s.opts.Router == nil {
			router, err = PlanRouter(pl)
		}
		if err != nil {
			s.log.printf("reload: %s changed; the plan could not be rebuilt, routes stay as they were: %v", strings.Join(rel, ", "), err)
		} else {
			s.mu.Lock()
			s.plan = pl
			if router != nil {
				s.router = router
			}
			s.mu.Unlock()
		}
	}
	hit := s.pool.reload(changed, all)
	what := "no running worker had imported it"
	if len(hit) > 0 {
		what = "restarting the workers of " + strings.Join(hit, ", ")
	}
	s.log.printf("reload: %s changed; %s", strings.Join(rel, ", "), what)
}
