from django.http import HttpResponse
from django.views import View

from core.registry import register_view


class WidgetListView(View):
    def get(self, request):
        return HttpResponse("widgets")


@register_view("parts", "widget", "view")
class WidgetView(View):
    def get(self, request, pk):
        return HttpResponse(f"widget {pk}")


@register_view("parts", "widget", "edit")
class WidgetEditView(View):
    def get(self, request, pk):
        return HttpResponse(f"edit widget {pk}")

    def post(self, request, pk):
        return HttpResponse(f"saved widget {pk}")


@register_view("parts", "widget", "delete")
class WidgetDeleteView(View):
    def post(self, request, pk):
        return HttpResponse(f"deleted widget {pk}")


@register_view("parts", "gadget", "view")
class GadgetView(View):
    def get(self, request, pk):
        return HttpResponse(f"gadget {pk}")


@register_view("parts", "gadget", "import", detail=False)
class GadgetImportView(View):
    def post(self, request):
        return HttpResponse("imported")
