from django.http import HttpResponse
from django.views.decorators.http import require_http_methods
from django.views.generic import DetailView, RedirectView, UpdateView

from .models import Profile


class UserDetailView(DetailView):
    model = Profile
    slug_field = "nickname"
    slug_url_kwarg = "nickname"


class UserUpdateView(UpdateView):
    model = Profile
    fields = ["nickname"]


class UserRedirectView(RedirectView):
    permanent = False
    url = "/users/~update/"


@require_http_methods(["GET", "POST"])
def settings_view(request):
    return HttpResponse("settings")
