from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def latest(request):
    return JsonResponse({"reviews": ["great-mug"]})
