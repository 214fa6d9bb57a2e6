from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse


def home(request):
    return render(request, "pages/home.html", {"title": "Gallery"})


def whoami(request):
    """What the request looks like to Django: the host, the script prefix
    and the URLs it builds (the front-door tests read it)."""
    return JsonResponse({
        "host": request.get_host(),
        "secure": request.is_secure(),
        "script_name": request.META.get("SCRIPT_NAME", ""),
        "path": request.path,
        "home": request.build_absolute_uri(reverse("home")),
        "static_url": settings.STATIC_URL,
        "logo": static("pages/img/logo.svg"),
    })
