"""Site-wide views: the landing page and a small GraphQL endpoint."""
import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .schema import schema


def index(request):
    return JsonResponse({"site": "mysite", "apps": ["polls", "pages"]})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def graphql(request):
    if request.method == "POST":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return HttpResponseBadRequest("invalid JSON")
        query = body.get("query", "")
        variables = body.get("variables") or None
    else:
        query = request.GET.get("query", "")
        variables = None
    result = schema.execute(query, variables=variables)
    payload = {"data": result.data}
    if result.errors:
        payload["errors"] = [str(e) for e in result.errors]
    return JsonResponse(payload, status=400 if result.errors and result.data is None else 200)
