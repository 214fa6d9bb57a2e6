from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response


class ReviewViewSet(viewsets.ViewSet):
    lookup_field = "slug"

    def list(self, request):
        return Response(["great-mug"])

    def retrieve(self, request, slug=None):
        return Response({"slug": slug, "stars": 5})

    def update(self, request, slug=None):
        return Response({"slug": slug, "updated": True})

    @action(detail=False, methods=["get"], url_path="top-rated")
    def top_rated(self, request):
        return Response(["great-mug"])

    @action(detail=True, methods=["post", "delete"])
    def flag(self, request, slug=None):
        return Response({"slug": slug, "flagged": request.method == "POST"})
