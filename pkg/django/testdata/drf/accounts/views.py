from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.views import View


class Profile(View):
    def get(self, request):
        return HttpResponse("")

    def put(self, request):
        return HttpResponse("")


class Login(auth_views.LoginView):
    template_name = "login.html"
