"""Stand-in for graphene_django.views (see ../README.md)."""
import json

from django.http import HttpResponse
from django.views.generic import View


class GraphQLView(View):
    schema = None
    graphiql = False

    def get(self, request, *args, **kwargs):
        return HttpResponse("graphiql" if self.graphiql else "", content_type="text/html")

    def post(self, request, *args, **kwargs):
        body = json.loads(request.body or b"{}")
        result = self.schema.execute(body.get("query", ""))
        return HttpResponse(json.dumps({"data": result.data}), content_type="application/json")
