from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from .views import POSTS


class LatestPostsFeed(Feed):
    title = 'Legacy blog'
    link = '/blog/'
    description = 'Latest posts'

    def get_object(self, request, kind):
        self.feed_type = Atom1Feed if kind == 'atom' else Rss201rev2Feed
        return None

    def items(self):
        return sorted(POSTS)

    def item_title(self, item):
        return POSTS[item]['title']

    def item_description(self, item):
        return POSTS[item]['title']

    def item_link(self, item):
        return '/blog/posts/%s/' % item
