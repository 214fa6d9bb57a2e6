from rest_framework import mixins, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from store.models import Order, Product


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Product.objects.all()
    lookup_field = "slug"
    lookup_url_kwarg = "product_slug"
    lookup_value_regex = "[a-z0-9-]+"

    @action(detail=True, methods=["get", "post"], url_path="stock/level", url_name="stock")
    def stock_level(self, request, product_slug=None):
        return Response({})

    @stock_level.mapping.delete
    def clear_stock(self, request, product_slug=None):
        return Response({})


class AuditMixin:
    @action(detail=False)
    def audit_log(self, request):
        return Response({})


class OrderViewSet(AuditMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Order.objects.filter(id__gt=0)


@api_view()
def ping(request):
    return Response({})
