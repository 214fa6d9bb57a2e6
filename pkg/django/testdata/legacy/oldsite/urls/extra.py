from django.urls import path
from blog.views import detail

extra_patterns = [
    path('d/<slug:slug>/', detail, name='extra-detail'),
]
