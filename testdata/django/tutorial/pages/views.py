from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_http_methods


@require_http_methods(["GET", "HEAD"])
def about(request):
    return HttpResponse("About the polls tutorial.", content_type="text/plain")


def archive(request, year):
    return JsonResponse({"year": year})


def page(request, slug):
    return JsonResponse({"page": slug})


def docs(request, subpath):
    return JsonResponse({"doc": subpath})
