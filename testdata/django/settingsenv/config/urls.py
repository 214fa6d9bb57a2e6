from django.conf import settings
from django.urls import include, path

from pages import views

urlpatterns = [
    path("", include("pages.urls")),
]
if settings.DEBUG:
    urlpatterns += [path("__debug__/", views.debug_page, name="debug")]
