from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("echo/", views.echo, name="echo"),
    path("echo/<path:rest>", views.echo, name="echo-rest"),
    path("cookies/", views.cookies, name="cookies"),
    path("binary/", views.binary, name="binary"),
    path("gzip/", views.gzipped, name="gzip"),
    path("redirect/", views.redirect_temporary, name="redirect"),
    path("permanent/", views.redirect_permanent, name="permanent"),
    path("only-get/", views.only_get, name="only-get"),
    path("cbv/", views.Thing.as_view(), name="cbv"),
    path("upload/", views.upload, name="upload"),
    path("café/<str:name>/", views.unicode_path, name="unicode"),
    path("error/", views.error, name="error"),
    path("slow/", views.slow, name="slow"),
    path("slow-long/", views.slow, name="slow-long"),
    path("hog/", views.hog, name="hog"),
    path("count/", views.count, name="count"),
    path("protected/", views.csrf_protected, name="protected"),
    path("pid/", views.pid, name="pid"),
    path("stream-fails/", views.stream_fails, name="stream-fails"),
]
