from django.urls import path, register_converter

from . import converters, views

register_converter(converters.FourDigitYearConverter, "yyyy")

app_name = "pages"
urlpatterns = [
    path("about/", views.about, name="about"),
    path("archive/<yyyy:year>/", views.archive, name="archive"),
    path("<slug:slug>/", views.page, name="page"),
    path("docs/<path:subpath>", views.docs, name="docs"),
]
