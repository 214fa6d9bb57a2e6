from django.http import HttpResponse
from django.views import View

from core.registry import register_collection


@register_collection("stock", "bins")
class BinsView(View):
    def get(self, request):
        return HttpResponse("bins")


@register_collection("stock", "shelves")
class ShelvesView(View):
    def get(self, request):
        return HttpResponse("shelves")
