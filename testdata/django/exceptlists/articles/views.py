import sys

from django.http import HttpResponse
from django.views.decorators.http import require_GET

if sys.version_info >= (3, 14):
    from .quantity import parse_quantity
else:
    # quantity.py uses Python 3.14 syntax (PEP 758).
    from .quantity_compat import parse_quantity

DEFAULT_COUNT = parse_quantity("1")


@require_GET
def index(request):
    return HttpResponse("articles")


@require_GET
def detail(request, slug):
    count = parse_quantity(request.GET.get("n", str(DEFAULT_COUNT)))
    return HttpResponse(f"{slug} x{count}")
