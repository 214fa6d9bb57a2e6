from django.urls import path

from . import views

# A 2 MiB string built by doubling: Django builds it; discovery stops at
# its 1 MiB limit for one string and says so, and goes on.
_PAD = "x"
for _ in range(21):
    _PAD = _PAD + _PAD

# 150,000 numbers: over discovery's 100,000 items for one list.
_TABLE = [n * 2 for n in range(150000)]

urlpatterns = [
    path("", views.page, name="index"),
    path("items/<int:pk>/", views.page, name="item"),
]
# Known lists still extend the patterns after the limits were hit.
urlpatterns += [path(f"{name}/", views.page, name=name) for name in ("about", "terms")]
