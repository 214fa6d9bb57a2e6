package migrations

import (
	"sort"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// node is a migration in the dependency graph, or a dummy: a key that
// something depends on (or runs before) and no file defines. Django's
// MigrationGraph has the same dummies: a squash that replaces the key
// removes it; one left at the end is a missing dependency.
type node struct {
	m        *Migration // nil for a dummy
	refs     []ref      // a dummy's referrers, in the order they were added
	parents  map[Key]bool
	children map[Key]bool
}

// ref is a migration that names a dummy: in its dependencies, or in its
// run_before.
type ref struct {
	from      *Migration
	runBefore bool
}

type graph map[Key]*node

// get returns k's node, adding a dummy referred to by from when no
// migration is k.
func (g graph) get(k Key, from *Migration, runBefore bool) *node {
	n, ok := g[k]
	if !ok {
		n = &node{parents: map[Key]bool{}, children: map[Key]bool{}}
		g[k] = n
	}
	if n.m == nil {
		r := ref{from, runBefore}
		if !containsRef(n.refs, r) {
			n.refs = append(n.refs, r)
		}
	}
	return n
}

// addDependency is Graph.add_dependency: child comes after parent.
func (g graph) addDependency(from *Migration, child, parent Key, runBefore bool) {
	c := g.get(child, from, runBefore)
	p := g.get(parent, from, runBefore)
	c.parents[parent] = true
	p.children[child] = true
}

// removeReplaced is Graph.remove_replaced_nodes: each replaced node that
// is in the graph (a migration or a dummy) goes, and its edges to nodes
// outside the replaced set move to the replacement.
func (g graph) removeReplaced(replacement Key, replaced []Key) {
	rn := g[replacement]
	set := map[Key]bool{}
	for _, r := range replaced {
		if r != replacement { // a squash that lists itself keeps itself
			set[r] = true
		}
	}
	for _, r := range sortedSet(set) {
		n, ok := g[r]
		if !ok {
			continue
		}
		delete(g, r)
		for c := range n.children {
			cn := g[c]
			if cn == nil {
				continue
			}
			delete(cn.parents, r)
			if !set[c] {
				rn.children[c] = true
				cn.parents[replacement] = true
			}
		}
		for p := range n.parents {
			pn := g[p]
			if pn == nil {
				continue
			}
			delete(pn.children, r)
			if !set[p] {
				rn.parents[p] = true
				pn.children[replacement] = true
			}
		}
	}
}

// order builds Django's migration graph over the project's own
// migrations as MigrationLoader.build_graph does with no database, and
// returns them as `showmigrations --list` prints them (apps by label; in
// each app, the forwards plan of every leaf, oldest first), with squashed
// migrations standing in for the ones they replace. installed is the
// project's app labels in INSTALLED_APPS order (the order Django reads
// them in); migrated the labels of the apps with a migrations package.
//
// Like Django: every migration is a node and every dependency an edge,
// a dependency on a key no file defines making a dummy node; same-app
// dependencies come first, then, migration by migration, the other apps'
// dependencies and run_before, where __first__ and __latest__ resolve to
// the app's first root or leaf of the graph as it stands (replaced
// migrations and dummies included). Then every squash replaces its
// migrations, present or not, moving their edges to itself, so a
// dependency on a deleted replaced migration, or on a deleted squash that
// a later squash replaces, lands on the replacing squash. A dummy left
// over is a missing dependency. Dependencies on apps outside the project
// are assumed to exist.
func order(all []Migration, installed, migrated []string, diags *diag.List) (ordered, replaced []Migration) {
	g := graph{}
	isMigrated := map[string]bool{}
	for _, a := range migrated {
		isMigrated[a] = true
	}
	rank := map[string]int{}
	for i, a := range installed {
		if _, ok := rank[a]; !ok {
			rank[a] = i
		}
	}
	byDisk := make([]*Migration, len(all))
	for i := range all {
		m := &all[i]
		byDisk[i] = m
		g[m.Key] = &node{m: m, parents: map[Key]bool{}, children: map[Key]bool{}}
		isMigrated[m.App] = true
	}
	sort.SliceStable(byDisk, func(i, j int) bool {
		a, b := byDisk[i].Key, byDisk[j].Key
		if rank[a.App] != rank[b.App] {
			return rank[a.App] < rank[b.App]
		}
		return less(a, b)
	})

	// Internal dependencies first (add_internal_dependencies), so that
	// __first__ finds the right root; a same-app __first__ is ignored
	// (#22325), a same-app __latest__ is taken literally (and is missing).
	for _, m := range byDisk {
		for _, d := range m.Dependencies {
			if d.App == m.App && d.Name != "__first__" {
				g.addDependency(m, m.Key, d, false)
			}
		}
	}
	// checkKey is MigrationLoader.check_key, for the project's apps.
	checkKey := func(k Key, current string) (Key, bool) {
		if k.App == "__setting__" || !isMigrated[k.App] {
			return Key{}, false // a swappable model or an app outside the project: assumed to exist
		}
		if k.Name != "__first__" && k.Name != "__latest__" {
			return k, true
		}
		if _, ok := g[k]; ok {
			return k, true
		}
		if k.App == current {
			return Key{}, false
		}
		var ks []Key
		if k.Name == "__first__" {
			ks = g.roots(k.App)
		} else {
			ks = g.leaves(k.App)
		}
		if len(ks) == 0 {
			return Key{}, false // an app with no migrations: ignored
		}
		return ks[0], true
	}
	for _, m := range byDisk {
		for _, d := range m.Dependencies {
			if d.App == m.App {
				continue
			}
			if p, ok := checkKey(d, m.App); ok {
				g.addDependency(m, m.Key, p, false)
			}
		}
		for _, b := range m.RunBefore {
			if c, ok := checkKey(b, m.App); ok {
				g.addDependency(m, c, m.Key, true)
			}
		}
	}

	// Replacements: with no database none of the replaced migrations is
	// applied, so every squash is used. A squash that another squash
	// replaces goes first, so the edges it collects move on to the outer
	// one (Django 3.2 takes them in the order of a set and, when the
	// outer comes first, refuses the graph: warned about below).
	var squashes []*Migration
	for _, m := range byDisk {
		if len(m.Replaces) > 0 {
			squashes = append(squashes, m)
		}
	}
	depth := squashDepths(squashes)
	sort.SliceStable(squashes, func(i, j int) bool { return depth[squashes[i].Key] < depth[squashes[j].Key] })
	gone := map[Key]bool{}
	for _, s := range squashes {
		if _, ok := g[s.Key]; !ok {
			diags.Errf(s.File, s.Line, 0, "squashed migration %s was replaced by a squash that it replaces in turn (Django refuses to load the migration graph)", s.Key)
			continue
		}
		for _, r := range s.Replaces {
			if n, ok := g[r]; ok && n.m != nil {
				gone[r] = true
			}
			if depth[r] > 0 {
				diags.Warnf(s.File, s.Line, 0, "squashed migration %s replaces %s, itself a squashed migration on disk: Django before 6.0 loads this graph or refuses it at random (PYTHONHASHSEED); turn %s into a normal migration (remove its replaces) first", s.Key, r, r)
			}
		}
		g.removeReplaced(s.Key, s.Replaces)
	}
	for _, m := range all {
		if gone[m.Key] {
			replaced = append(replaced, m)
		}
	}
	sort.Slice(replaced, func(i, j int) bool { return less(replaced[i].Key, replaced[j].Key) })

	// validate_consistency: a dummy left is a missing migration.
	for _, k := range sortedKeys(g) {
		n := g[k]
		if n.m != nil {
			continue
		}
		for _, r := range n.refs {
			if r.runBefore {
				diags.Errf(r.from.File, r.from.Line, 0, "migration %s runs before %s, which does not exist (Django refuses to load the migration graph)", r.from.Key, k)
			} else {
				diags.Errf(r.from.File, r.from.Line, 0, "migration %s depends on %s, which does not exist (Django refuses to load the migration graph)", r.from.Key, k)
			}
		}
		for p := range n.parents {
			if pn := g[p]; pn != nil {
				delete(pn.children, k)
			}
		}
		for c := range n.children {
			if cn := g[c]; cn != nil {
				delete(cn.parents, k)
			}
		}
		delete(g, k)
	}
	for _, n := range g {
		n.m.parents = sortedSet(n.parents)
	}
	if cyc := findCycle(g); cyc != nil {
		m := g[cyc[0]].m
		diags.Errf(m.File, m.Line, 0, "circular migration dependencies: %s", joinKeys(cyc))
	}

	labels := make([]string, 0, len(isMigrated))
	for a := range isMigrated {
		labels = append(labels, a)
	}
	sort.Strings(labels)
	shown := map[Key]bool{}
	for _, app := range labels {
		for _, leaf := range g.leaves(app) {
			for _, k := range forwardsPlan(g, leaf) {
				if k.App == app && !shown[k] {
					shown[k] = true
					ordered = append(ordered, *g[k].m)
				}
			}
		}
	}
	// A cycle leaves its migrations without a leaf: list them anyway.
	for _, k := range sortedKeys(g) {
		if !shown[k] {
			ordered = append(ordered, *g[k].m)
		}
	}
	return ordered, replaced
}

// squashDepths gives each squash 1 + the depth of the deepest squash on
// disk it replaces (0 for a key that is no squash on disk), so that
// inner squashes are carried out before the ones that replace them.
func squashDepths(squashes []*Migration) map[Key]int {
	byKey := map[Key]*Migration{}
	for _, s := range squashes {
		byKey[s.Key] = s
	}
	depth := map[Key]int{}
	visiting := map[Key]bool{}
	var visit func(k Key) int
	visit = func(k Key) int {
		s, ok := byKey[k]
		if !ok || visiting[k] {
			return 0
		}
		if d, ok := depth[k]; ok {
			return d
		}
		visiting[k] = true
		d := 1
		for _, r := range s.Replaces {
			if rd := visit(r); rd+1 > d {
				d = rd + 1
			}
		}
		visiting[k] = false
		depth[k] = d
		return d
	}
	for _, s := range squashes {
		visit(s.Key)
	}
	return depth
}

func containsRef(refs []ref, r ref) bool {
	for _, x := range refs {
		if x == r {
			return true
		}
	}
	return false
}

// forwardsPlan is Graph.iterative_dfs: every ancestor of start, parents
// before children, visiting parents in sorted order from a stack.
func forwardsPlan(nodes graph, start Key) []Key {
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

// leaves are the app's nodes no node of the same app depends on, sorted
// (Graph.leaf_nodes; dummies included).
func (g graph) leaves(app string) []Key {
	var out []Key
	for k, n := range g {
		if k.App == app && !anyOfApp(n.children, app) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

// roots are the app's nodes with no parent in the same app, sorted
// (Graph.root_nodes; dummies included).
func (g graph) roots(app string) []Key {
	var out []Key
	for k, n := range g {
		if k.App == app && !anyOfApp(n.parents, app) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

func anyOfApp(s map[Key]bool, app string) bool {
	for k := range s {
		if k.App == app {
			return true
		}
	}
	return false
}

// findCycle returns the keys of one dependency cycle, or nil.
func findCycle(nodes graph) []Key {
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

func sortedKeys(nodes graph) []Key {
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
