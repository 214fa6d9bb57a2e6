from django.http import HttpResponse


def home(request):
    return HttpResponse("home")


def api_root(request):
    return HttpResponse("api")
