from django.conf.urls import include, url

import blog.views
from blog import feeds
from blog import views as blog_views

app_name = 'blog'

tag_patterns = [
    url(r'^$', blog_views.tag_index, name='tag'),
    url(r'^page/(\d+)/$', blog_views.tag_page, name='tag-page'),
]

urlpatterns = [
    url(r'^$', blog.views.post_list, name='list'),
    url(r'^posts/(?P<slug>[^/]+)/$', blog.views.post_detail, name='detail'),
    url(r'^archive/(\d{4})/(\d{2})/$', blog_views.archive_month, name='archive-month'),
    url(r'^archive/(?P<year>[0-9]{4})/$', blog_views.ArchiveYearView.as_view(), name='archive-year'),
    url(r'^tags/([\w-]+)/', include(tag_patterns)),
    url(r'^feeds/(?P<kind>rss|atom)/$', feeds.LatestPostsFeed(), name='feed'),
]
