from django.urls import include, path

from catalog.views import ProductViewSet, TagViewSet

from .routers import NoRootRouter, OptionalSlashRouter, ReadOnlyRouter, SortedRouter

router = SortedRouter()
router.register("products", ProductViewSet, basename="product")
router.register("tags", TagViewSet, basename="tag")

legacy = OptionalSlashRouter()
legacy.register("products", ProductViewSet, basename="legacy-product")

public = ReadOnlyRouter()
public.register("products", ProductViewSet, basename="public-product")
public.register("tags", TagViewSet, basename="public-tag")

internal = NoRootRouter(trailing_slash=False)
internal.register("tags", TagViewSet, basename="internal-tag")

urlpatterns = [
    path("api/", include(router.urls)),
    path("legacy/", include(legacy.urls)),
    path("public/", include(public.urls)),
    path("internal/", include(internal.urls)),
]
