from django.urls import include, path

from . import views

SECTION = "checks"
check_urls = [
    path("", views.details, name="details"),
    path("pause/", views.pause, name="pause"),
]
PAGES = [("about", views.page), ("pricing", views.page), ("docs", views.page)]
FORMATS = ("svg", "json")

urlpatterns = [
    path(f"{SECTION}/", views.index, name="index"),
    path(f"{SECTION}/<uuid:code>/", include(check_urls)),
    path("%s/<slug:tag>/" % "badge", views.badge, {"fmt": "svg"}, name="badge"),
    path("{}/<slug:tag>.{}".format("badge", "json"), views.badge, {"fmt": "json"}, name="badge-json"),
]
urlpatterns += [path(f"{slug}/", view, name=slug) for slug, view in PAGES]
urlpatterns += [path("/".join(["feeds", fmt, ""]), views.page, name=f"feed-{fmt}") for fmt in FORMATS if fmt != "svg"]
