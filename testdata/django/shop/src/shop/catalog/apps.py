from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shop.catalog"
    label = "shop_catalog"
    verbose_name = "Catalog"
