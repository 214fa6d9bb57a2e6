"""Project-level views: GraphQL endpoint and API v2 status checks."""
import json

from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from .schema import schema


@csrf_exempt
@require_http_methods(["GET", "POST"])
def graphql(request):
    if request.method == "POST":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return HttpResponseBadRequest("invalid JSON")
        query, variables = body.get("query", ""), body.get("variables") or None
    else:
        query, variables = request.GET.get("query", ""), None
    result = schema.execute(query, variables=variables)
    payload = {"data": result.data}
    if result.errors:
        payload["errors"] = [str(e) for e in result.errors]
    return JsonResponse(payload)


@require_GET
def status(request):
    return JsonResponse({"status": "ok", "version": 2})


@require_safe
def health(request):
    return JsonResponse({"healthy": True})
