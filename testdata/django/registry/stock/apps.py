from django.apps import AppConfig


class StockConfig(AppConfig):
    name = "stock"

    def ready(self):
        # The views register their collections when imported.
        from . import views  # noqa: F401
