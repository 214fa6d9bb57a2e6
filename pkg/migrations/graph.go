package migrations

import (
	"sort"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// node is a migration in the dependency graph.
type node struct {
	m       *Migration
	parents map[Key]bool
}

// order builds Django's migration graph over the project's own
// migrations and returns them as `showmigrations --list` prints them
// (apps by label; in each app, the forwards plan of every leaf, oldest
// first), with squashed migrations standing in for the ones they replace
// (as MigrationLoader does when none of those is applied). Dependencies on
// apps outside the project are assumed to exist; a dependency on a missing
// migration of a project app, and cycles, are reported.
func order(all []Migration, diags *diag.List) (ordered, replaced []Migration) {
	nodes := map[Key]*node{}
	apps := map[string]bool{}
	for i := range all {
		m := &all[i]
		nodes[m.Key] = &node{m: m, parents: map[Key]bool{}}
		apps[m.App] = true
	}

	// Squashed migrations replace theirs when every replaced migration is
	// on disk or none is applied: offline, none is, so they always do.
	// Dependencies on a replaced migration are remapped to its
	// replacement, as Graph.remove_replaced_nodes does.
	remap := map[Key]Key{}
	for _, k := range sortedKeys(nodes) {
		m := nodes[k].m
		for _, r := range m.Replaces {
			if _, ok := nodes[r]; ok {
				remap[r] = k
			}
		}
	}
	for r := range remap {
		replaced = append(replaced, *nodes[r].m)
		delete(nodes, r)
	}
	sort.Slice(replaced, func(i, j int) bool { return less(replaced[i].Key, replaced[j].Key) })

	resolve := func(from *Migration, d Key) (Key, bool) {
		if d.App == "__setting__" {
			return Key{}, false // a swappable model: an app outside the project, in practice
		}
		if !apps[d.App] {
			return Key{}, false // another app's migrations (django.contrib, third party)
		}
		if (d.Name == "__first__" || d.Name == "__latest__") && d.App == from.App {
			return Key{}, false // ignored by Django (#22325)
		}
		switch d.Name {
		case "__first__":
			if r, ok := rootOf(nodes, d.App); ok {
				return r, true
			}
			return Key{}, false
		case "__latest__":
			if l, ok := leafOf(nodes, d.App); ok {
				return l, true
			}
			return Key{}, false
		}
		if r, ok := remap[d]; ok {
			d = r
		}
		if _, ok := nodes[d]; !ok {
			diags.Errf(from.File, from.Line, 0, "migration %s depends on %s, which does not exist (Django refuses to load the migration graph)", from.Key, d)
			return Key{}, false
		}
		return d, true
	}
	// Dependencies first, then run_before, in two passes so __first__ and
	// __latest__ see every in-app edge (Django adds them in the same order).
	for _, k := range sortedKeys(nodes) {
		n := nodes[k]
		for _, d := range n.m.Dependencies {
			if d.Name == "__first__" || d.Name == "__latest__" {
				continue
			}
			if p, ok := resolve(n.m, d); ok && p != k {
				n.parents[p] = true
			}
		}
	}
	for _, k := range sortedKeys(nodes) {
		n := nodes[k]
		for _, d := range n.m.Dependencies {
			if d.Name != "__first__" && d.Name != "__latest__" {
				continue
			}
			if p, ok := resolve(n.m, d); ok && p != k {
				n.parents[p] = true
			}
		}
		for _, b := range n.m.RunBefore {
			if c, ok := resolve(n.m, b); ok && c != k {
				nodes[c].parents[k] = true
			}
		}
	}
	if cyc := findCycle(nodes); cyc != nil {
		m := nodes[cyc[0]].m
		diags.Errf(m.File, m.Line, 0, "circular migration dependencies: %s", joinKeys(cyc))
	}

	labels := make([]string, 0, len(apps))
	for a := range apps {
		labels = append(labels, a)
	}
	sort.Strings(labels)
	shown := map[Key]bool{}
	for _, app := range labels {
		for _, leaf := range leaves(nodes, app) {
			for _, k := range forwardsPlan(nodes, leaf) {
				if k.App == app && !shown[k] {
					shown[k] = true
					ordered = append(ordered, *nodes[k].m)
				}
			}
		}
	}
	// A cycle leaves its migrations without a leaf: list them anyway.
	for _, k := range sortedKeys(nodes) {
		if !shown[k] {
			ordered = append(ordered, *nodes[k].m)
		}
	}
	return ordered, replaced
}

// forwardsPlan is Graph.iterative_dfs: every ancestor of start, parents
// before children, visiting parents in sorted order from a stack.
func forwardsPlan(nodes map[Key]*node, start Key) []Key {
	type item struct {
		k         Key
		processed bool
	}
	var visited []Key
	seen := map[Key]bool{}
	stack := []item{{start, false}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch {
		case seen[it.k]:
		case it.processed:
			seen[it.k] = true
			visited = append(visited, it.k)
		default:
			stack = append(stack, item{it.k, true})
			for _, p := range sortedSet(nodes[it.k].parents) {
				stack = append(stack, item{p, false})
			}
		}
	}
	return visited
}

// leaves are the app's migrations no migration of the same app depends on,
// sorted (Graph.leaf_nodes).
func leaves(nodes map[Key]*node, app string) []Key {
	hasChild := map[Key]bool{}
	for _, n := range nodes {
		if n.m.App != app {
			continue
		}
		for p := range n.parents {
			if p.App == app {
				hasChild[p] = true
			}
		}
	}
	var out []Key
	for k := range nodes {
		if k.App == app && !hasChild[k] {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

// rootOf is the first root of an app (no parent in the same app), as
// MigrationLoader resolves __first__.
func rootOf(nodes map[Key]*node, app string) (Key, bool) {
	var roots []Key
	for k, n := range nodes {
		if k.App != app {
			continue
		}
		root := true
		for p := range n.parents {
			if p.App == app {
				root = false
				break
			}
		}
		if root {
			roots = append(roots, k)
		}
	}
	if len(roots) == 0 {
		return Key{}, false
	}
	sort.Slice(roots, func(i, j int) bool { return less(roots[i], roots[j]) })
	return roots[0], true
}

// leafOf is the first leaf of an app (__latest__).
func leafOf(nodes map[Key]*node, app string) (Key, bool) {
	l := leaves(nodes, app)
	if len(l) == 0 {
		return Key{}, false
	}
	return l[0], true
}

// findCycle returns the keys of one dependency cycle, or nil.
func findCycle(nodes map[Key]*node) []Key {
	const (
		white = iota
		grey
		black
	)
	color := map[Key]int{}
	var path []Key
	var found []Key
	var visit func(k Key) bool
	visit = func(k Key) bool {
		color[k] = grey
		path = append(path, k)
		for _, p := range sortedSet(nodes[k].parents) {
			switch color[p] {
			case grey:
				for i, q := range path {
					if q == p {
						found = append(append([]Key(nil), path[i:]...), p)
						break
					}
				}
				return true
			case white:
				if visit(p) {
					return true
				}
			}
		}
		path = path[:len(path)-1]
		color[k] = black
		return false
	}
	for _, k := range sortedKeys(nodes) {
		if color[k] == white && visit(k) {
			return found
		}
	}
	return nil
}

func less(a, b Key) bool {
	if a.App != b.App {
		return a.App < b.App
	}
	return a.Name < b.Name
}

func sortedKeys(nodes map[Key]*node) []Key {
	out := make([]Key, 0, len(nodes))
	for k := range nodes {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func sortedSet(s map[Key]bool) []Key {
	out := make([]Key, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func joinKeys(ks []Key) string {
	s := ""
	for i, k := range ks {
		if i > 0 {
			s += " -> "
		}
		s += k.String()
	}
	return s
}
