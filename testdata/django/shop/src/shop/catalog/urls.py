from django.urls import path

from . import views
from .views import detail

app_name = "catalog"

urlpatterns = [
    path("", views.ProductListView.as_view(), name="list"),
    path("<int:pk>/", detail, name="detail"),
    path("<slug:slug>/reviews/", views.product_reviews, name="reviews"),
    path("categories/<str:name>/", views.CategoryView.as_view(), name="category"),
    path("search/", views.search, name="search"),
]
