from django.contrib.syndication.views import Feed

from shop.catalog.data import PRODUCTS


class LatestProductsFeed(Feed):
    title = "Shop: latest products"
    link = "/catalog/"
    description = "The newest products in the shop."

    def items(self):
        return PRODUCTS[::-1]

    def item_title(self, item):
        return item["name"]

    def item_description(self, item):
        return "%s for %s" % (item["name"], item["price"])

    def item_link(self, item):
        return "/catalog/%d/" % item["id"]
