from .main import urlpatterns  # noqa
