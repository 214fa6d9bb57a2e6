from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .data import PRODUCTS, by_sku


class ProductViewSet(viewsets.ViewSet):
    lookup_field = "sku"

    def list(self, request):
        return Response([p["sku"] for p in PRODUCTS])

    def create(self, request):
        return Response({"created": request.data.get("sku")}, status=201)

    def retrieve(self, request, sku=None):
        product = by_sku(sku)
        if product is None:
            return Response({"detail": "not found"}, status=404)
        return Response(product)

    def partial_update(self, request, sku=None):
        return Response({"sku": sku, "updated": sorted(request.data)})

    @action(detail=True, methods=["post"], url_path="set-price")
    def set_price(self, request, sku=None):
        return Response({"sku": sku, "price": request.data.get("price")})

    @action(detail=False)
    def featured(self, request):
        return Response([PRODUCTS[0]["sku"]])
