from django.http import HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def home(request):
    return HttpResponse("home")


def healthz(request):
    return HttpResponse("ok")


def debug_page(request):
    return HttpResponse("debug")
