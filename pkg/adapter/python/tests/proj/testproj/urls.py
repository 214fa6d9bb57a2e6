from django.urls import path

from . import views

urlpatterns = [
    path("echo/", views.echo, name="echo"),
    path("echo/<path:rest>", views.echo, name="echo-rest"),
    path("products/", views.products, name="products"),
    path("café/<str:name>/", views.unicode_path, name="unicode"),
    path("upload/", views.upload, name="upload"),
    path("cookies/", views.cookies, name="cookies"),
    path("binary/", views.binary, name="binary"),
    path("gzip/", views.gzipped, name="gzip"),
    path("svg/", views.svg, name="svg"),
    path("boom/", views.boom, name="boom"),
    path("json/", views.small_json, name="json"),
    path("ingest/", views.ingest, name="ingest"),
    path("db/", views.db, name="db"),
    path("items/<int:pk>/", views.item, name="item"),
    path("noisy/", views.noisy, name="noisy"),
]
