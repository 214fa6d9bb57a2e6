from django.urls import path
from django.views.decorators.http import require_POST

from . import views
from .views import ProductDetail

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="list"),
    path("<int:pk>/", ProductDetail.as_view(), name="detail"),
    path("files/<path:name>", views.files, name="files"),
]
urlpatterns += [path("buy/", require_POST(views.buy), name="buy")]
