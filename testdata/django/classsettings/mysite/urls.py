from django.conf import settings
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path(settings.BLOG_PREFIX, include("blog.urls")),
]
if settings.DEBUG:
    urlpatterns.append(path("debug/", views.debug_info, name="debug"))
