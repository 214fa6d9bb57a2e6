from django.http import HttpResponse


def home(request):
    return HttpResponse("home")


def debug_info(request):
    return HttpResponse("debug")
