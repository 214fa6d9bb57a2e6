from django.http import HttpResponse
from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "home.html"


def login(request):
    return HttpResponse("login")
