from django.http import HttpResponse
from django.views import View


class SiteListView(View):
    def get(self, request):
        return HttpResponse("sites")


class SiteView(View):
    http_method_names = ["get", "delete"]

    def get(self, request, pk):
        return HttpResponse(str(pk))

    def post(self, request, pk):
        return HttpResponse("not allowed by http_method_names")

    def delete(self, request, pk):
        return HttpResponse("deleted")
