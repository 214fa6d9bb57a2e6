from django.http import HttpResponse
from django.views.decorators.http import require_POST, require_safe


def login(request):
    return HttpResponse("login")


@require_safe
def index(request):
    return HttpResponse("checks")


def details(request, code):
    return HttpResponse(str(code))


@require_POST
def pause(request, code):
    return HttpResponse("paused")


def badge(request, tag, fmt):
    return HttpResponse(tag + "." + fmt)


def page(request):
    return HttpResponse(request.path)
