from django.conf import settings
from django.contrib import admin
from django.conf.urls.static import static
from django.urls import include, path, re_path
from django.views.generic import TemplateView

from shop.catalog import views as catalog_views

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("catalog/", include("shop.catalog.urls")),
    path("api/", include("shop.api.urls")),
    path("admin/", admin.site.urls),
    re_path(r"^legacy/(?P<year>[0-9]{4})/$", catalog_views.archive, name="archive"),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
