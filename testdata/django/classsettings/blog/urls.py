from django.urls import path

from .views import PostDetail, PostList

app_name = "blog"
urlpatterns = [
    path("", PostList.as_view(), name="list"),
    path("<slug:slug>/", PostDetail.as_view(), name="detail"),
]
