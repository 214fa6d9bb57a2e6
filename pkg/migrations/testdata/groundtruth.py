#!/usr/bin/python3
"""Ground truth for pkg/migrations, taken from Django's MigrationLoader.

Usage: /usr/bin/python3 groundtruth.py DJANGO_ROOT SETTINGS_MODULE

Sets Django up (no database is opened: the loader runs with no connection,
so nothing counts as applied, like an offline plan) and prints one JSON
object on stdout:

  apps        labels of the migrated apps whose folder lies in DJANGO_ROOT
  migrations  the graph's migrations of those apps in `showmigrations
              --list` order: app, name, initial, dependencies, replaces,
              run_before (pairs, swappable ones resolved by Django) and
              operations (class names; SeparateDatabaseAndState as
              "SeparateDatabaseAndState[inner,...]" with its database
              operations) and parents (the graph's edges: "app.name" of
              the migrations of those apps it comes after, sorted)
  replaced    "app.name" of the migration files a squash stands in for
              (replaced names with no file are not listed)
  showmigrations  the output of `manage.py showmigrations --list` for
              those apps (against an in-memory SQLite database)

When the loader refuses the graph (a dependency on a migration that does
not exist, NodeNotFoundError), it prints {"error": message, "node":
[app, name]} instead.
"""
import io
import json
import os
import sys


def main(root, settings_module):
    root = os.path.realpath(root)
    sys.path.insert(0, root)
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.exceptions import NodeNotFoundError
    from django.db.migrations.loader import MigrationLoader

    own = set()
    for cfg in apps.get_app_configs():
        if os.path.realpath(cfg.path).startswith(root + os.sep):
            own.add(cfg.label)
    try:
        loader = MigrationLoader(None, ignore_no_migrations=True)
    except NodeNotFoundError as exc:
        json.dump({"error": exc.message, "node": list(exc.node)}, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
        return
    graph = loader.graph
    labels = sorted(own & loader.migrated_apps)

    def ops(migration_ops):
        out = []
        for op in migration_ops:
            name = type(op).__name__
            if name == "SeparateDatabaseAndState":
                name += "[" + ",".join(ops(op.database_operations)) + "]"
            out.append(name)
        return out

    migrations = []
    for app in labels:
        shown = set()
        for leaf in graph.leaf_nodes(app):
            for key in graph.forwards_plan(leaf):
                if key[0] != app or key in shown:
                    continue
                shown.add(key)
                m = graph.nodes[key]
                migrations.append(
                    {
                        "app": key[0],
                        "name": key[1],
                        "initial": bool(getattr(m, "initial", False)),
                        "dependencies": [list(d) for d in m.dependencies],
                        "replaces": [list(r) for r in m.replaces],
                        "run_before": [list(r) for r in m.run_before],
                        "operations": ops(m.operations),
                        "parents": sorted(
                            "%s.%s" % p.key for p in graph.node_map[key].parents if p.key[0] in own
                        ),
                    }
                )
    replaced = sorted(
        "%s.%s" % r
        for key, m in loader.replacements.items()
        if key[0] in own
        for r in m.replaces
        if r in loader.disk_migrations
    )
    out = io.StringIO()
    if labels:
        call_command("showmigrations", *labels, list=True, stdout=out, no_color=True)
    connections.close_all()
    json.dump(
        {"apps": labels, "migrations": migrations, "replaced": replaced, "showmigrations": out.getvalue()},
        sys.stdout,
        indent=1,
        sort_keys=True,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
