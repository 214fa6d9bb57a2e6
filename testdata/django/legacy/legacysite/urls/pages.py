from django.urls import re_path

from legacysite.views import static_page

page_patterns = [
    re_path(r'^(?:about|contact)/$', static_page, name='static-page'),
    re_path(r'^(terms|privacy)/$', static_page, name='legal'),
]
