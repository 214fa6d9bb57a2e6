import json

from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from .models import Entry


def _json(entry):
    return {"id": entry.pk, "author": entry.author, "text": entry.text, "rating": entry.rating}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def entries(request):
    if request.method == "POST":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"error": "body is not JSON"}, status=400)
        if not isinstance(data, dict) or not data.get("author") or not data.get("text"):
            return JsonResponse({"error": "author and text are required"}, status=400)
        entry = Entry.objects.create(author=str(data["author"])[:100], text=str(data["text"]))
        return JsonResponse(_json(entry), status=201)
    return JsonResponse({"entries": [_json(e) for e in Entry.objects.all()]})


@require_GET
def ping(request):
    """No database: the baseline of the per-event benchmark."""
    return JsonResponse({"ok": True})


@require_GET
def count(request):
    """One small query: the per-event database cost the benchmark measures."""
    return JsonResponse({"count": Entry.objects.count()})


@require_GET
def detail(request, pk):
    try:
        return JsonResponse(_json(Entry.objects.get(pk=pk)))
    except Entry.DoesNotExist:
        raise Http404("no entry %d" % pk)
