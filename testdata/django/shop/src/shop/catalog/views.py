from django.http import Http404, JsonResponse
from django.views import View
from django.views.decorators.http import require_http_methods, require_safe

from .data import PRODUCTS, by_id


class ProductListView(View):
    def get(self, request):
        return JsonResponse({"products": [p["sku"] for p in PRODUCTS]})

    def post(self, request):
        return JsonResponse({"created": request.POST.get("sku", "")}, status=201)


@require_http_methods(["GET", "HEAD"])
def detail(request, pk):
    product = by_id(pk)
    if product is None:
        raise Http404("no product %d" % pk)
    return JsonResponse(product)


def product_reviews(request, slug):
    return JsonResponse({"product": slug, "reviews": []})


class CategoryView(View):
    def get(self, request, name):
        return JsonResponse({"category": name, "products": [p["sku"] for p in PRODUCTS if p["category"] == name]})


@require_safe
def search(request):
    q = request.GET.get("q", "")
    return JsonResponse({"q": q, "results": [p["sku"] for p in PRODUCTS if q and q in p["name"].lower()]})
