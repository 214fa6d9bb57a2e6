# The URL configuration is split into modules; this package puts them together.
from django.conf.urls import include, url
from django.urls import path

from legacysite import views

from . import blog as blog_urls
from .pages import page_patterns

urlpatterns = [
    url(r'^$', views.index, name='index'),
    url(r'^robots\.txt$', views.robots_txt),
    url(r'^sitemap\-index\.xml$', views.sitemap_index, name='sitemap-index'),
    url(r'^search/?$', views.search, name='search'),
    url(r'^blog/', include(blog_urls)),
    url(r'^support/', include('legacysite.urls.support')),
    url(r'^orders/', include('billing.urls', namespace='billing')),
    path('healthz', views.healthz, name='healthz'),
]

urlpatterns += page_patterns
