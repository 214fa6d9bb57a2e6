from django.conf import settings
from django.urls import path

from . import views

urlpatterns = []
for v in settings.API_VERSIONS:
    urlpatterns += [
        path(f"v{v}/checks/", views.ChecksView.as_view(), {"version": v}, name=f"checks-v{v}"),
        path(f"v{int(v)}/ping/<uuid:code>/", views.ping, name="ping-v%d" % int(v)),
    ]
