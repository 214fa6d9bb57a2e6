from django.urls import path

from wiki.views import page

urlpatterns = [
    path('<path:title>', page, name='page'),
]
