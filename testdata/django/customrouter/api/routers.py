"""The project's own routers, built on DRF's."""
from rest_framework.routers import DefaultRouter, DynamicRoute, Route, SimpleRouter


class SortedRouter(DefaultRouter):
    """DefaultRouter whose API root lists endpoints alphabetically."""

    def get_api_root_view(self, api_urls=None):
        view = super().get_api_root_view(api_urls=api_urls)
        return view


class OptionalSlashRouter(SimpleRouter):
    """Accepts URLs with and without the trailing slash."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


class ReadOnlyRouter(SimpleRouter):
    """Only list and detail routes, plus detail actions (DRF's documented
    way to customise routes)."""

    routes = [
        Route(
            url=r"^{prefix}{trailing_slash}$",
            mapping={"get": "list"},
            name="{basename}-list",
            detail=False,
            initkwargs={"suffix": "List"},
        ),
        Route(
            url=r"^{prefix}/{lookup}{trailing_slash}$",
            mapping={"get": "retrieve"},
            name="{basename}-detail",
            detail=True,
            initkwargs={"suffix": "Detail"},
        ),
        DynamicRoute(
            url=r"^{prefix}/{lookup}/{url_path}{trailing_slash}$",
            name="{basename}-{url_name}",
            detail=True,
            initkwargs={},
        ),
    ]


class NoRootRouter(DefaultRouter):
    include_root_view = False
