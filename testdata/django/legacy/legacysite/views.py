from django.http import HttpResponse, JsonResponse


def index(request):
    return HttpResponse("legacy home", content_type="text/plain")


def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /support/\n", content_type="text/plain")


def search(request):
    return JsonResponse({"q": request.GET.get("q", "")})


def static_page(request, *args):
    return HttpResponse("page %s" % request.path, content_type="text/plain")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def sitemap_index(request):
    return HttpResponse("<sitemapindex/>", content_type="application/xml")
