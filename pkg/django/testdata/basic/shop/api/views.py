from rest_framework import viewsets
from rest_framework.decorators import action, api_view


@api_view(["GET", "POST"])
def hello(request):
    pass


class ProductViewSet(viewsets.ModelViewSet):
    lookup_field = "slug"

    @action(detail=True, methods=["post"], url_path="set-price")
    def set_price(self, request, slug=None):
        pass

    @action(detail=False)
    def recent(self, request):
        pass
