"""Views register themselves per model; URL confs ask for a model's patterns.

The registry is filled by class decorators when a views module is
imported, so the patterns exist only once the project runs.
"""
from collections import defaultdict

from django.urls import path

_registered = defaultdict(dict)


def register_view(app_label, model, action, detail=True):
    def record(view_class):
        _registered[app_label].setdefault(model, []).append(
            {"action": action, "view": view_class, "detail": detail}
        )
        return view_class

    return record


def model_urls(app_label, model, detail=True):
    try:
        entries = _registered[app_label][model]
    except KeyError:
        # Nothing registered for this model.
        entries = []
    patterns = []
    for entry in entries:
        if entry["detail"] != detail:
            continue
        action = entry["action"]
        route = "" if action == "view" else f"{action}/"
        patterns.append(path(route, entry["view"].as_view(), name=f"{model}_{action}"))
    return patterns


def no_extra_urls():
    return []


_collections = {}


def register_collection(app_label, name):
    def record(view_class):
        _collections.setdefault(app_label, []).append((name, view_class))
        return view_class

    return record


def collection_urls(app_label):
    return [path(f"{name}/", view_class.as_view(), name=name) for name, view_class in _collections.get(app_label, [])]
