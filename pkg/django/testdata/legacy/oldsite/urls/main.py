from django.conf.urls import include, url
from django.views.generic.base import RedirectView

import blog.views as bv
from feeds.feeds import LatestFeed
from wiki import urls as wiki_urls

from .extra import extra_patterns

urlpatterns = [
    url(r'^$', bv.index, name='index'),
    url(r'^blog/', include('blog.urls', namespace='blog')),
    url(r'^wiki/', include((wiki_urls, 'wiki'))),
    url(r'^extra/', include(extra_patterns)),
    url(r'^feed/$', LatestFeed(), name='feed'),
    url(r'^old/(\d+)/(\d+)/$', RedirectView.as_view(url='/'), name='old'),
    url(r'^search/?$', bv.search, name='search'),
    url(r'^robots\.txt$', bv.robots),
    url(r'^files/(?P<path>.*)$', bv.files),
]
