from django.urls import include, path

from core.registry import model_urls

from . import views

app_name = "parts"
urlpatterns = [
    path("widgets/", views.WidgetListView.as_view(), name="widget_list"),
    path("widgets/<int:pk>/", include(model_urls("parts", "widget"))),
    path("gadgets/", include(model_urls("parts", "gadget", detail=False))),
    path("gadgets/<int:pk>/", include(model_urls("parts", "gadget"))),
]
