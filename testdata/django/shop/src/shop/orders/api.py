from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response


class OrderViewSet(viewsets.ViewSet):
    lookup_value_regex = "[0-9]+"

    def list(self, request):
        return Response([1])

    def retrieve(self, request, pk=None):
        return Response({"id": int(pk), "status": "placed"})

    def destroy(self, request, pk=None):
        return Response(status=204)

    @action(detail=True, methods=["post", "put"], url_path="cancel", url_name="cancel-order")
    def cancel(self, request, pk=None):
        return Response({"id": int(pk), "status": "cancelled"})

    @action(detail=False, methods=["get"], url_path="summary/totals")
    def totals(self, request):
        return Response({"count": 1})
