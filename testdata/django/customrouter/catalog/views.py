from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response


class ProductViewSet(viewsets.ViewSet):
    def list(self, request):
        return Response([])

    def create(self, request):
        return Response({})

    def retrieve(self, request, pk=None):
        return Response({"pk": pk})

    def destroy(self, request, pk=None):
        return Response(status=204)

    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return Response({"published": pk})

    @action(detail=False)
    def recent(self, request):
        return Response([])


class TagViewSet(viewsets.ViewSet):
    lookup_field = "slug"

    def list(self, request):
        return Response([])

    def retrieve(self, request, slug=None):
        return Response({"slug": slug})

    def update(self, request, slug=None):
        return Response({"slug": slug})
