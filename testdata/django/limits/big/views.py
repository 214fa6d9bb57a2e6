from django.http import HttpResponse


def page(request, **kwargs):
    return HttpResponse("page")
