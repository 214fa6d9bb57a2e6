from django.http import HttpResponse


def home(request):
    return HttpResponse("home")


def debug_page(request):
    return HttpResponse("debug")


def beta(request):
    return HttpResponse("beta")


def status(request):
    return HttpResponse("ok")
