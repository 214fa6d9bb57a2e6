from django.http import JsonResponse
from django.views import View


class ChecksView(View):
    def get(self, request, version):
        return JsonResponse({"version": version})

    def post(self, request, version):
        return JsonResponse({"created": True})


def ping(request, code, version=None):
    return JsonResponse({"ping": str(code)})
