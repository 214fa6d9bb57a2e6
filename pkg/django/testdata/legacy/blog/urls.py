from django.conf.urls import url
from django.urls import re_path

from . import views

app_name = 'blog'

urlpatterns = [
    url(r'^(?P<slug>[\w-]+)/$', views.detail, name='detail'),
    re_path(r'^receipts/(?P<number>[0-9]+)(?:\.pdf)?$', views.receipt, name='receipt'),
    url(r'^archive/(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/$', views.ArchiveView.as_view(), name='archive'),
]
