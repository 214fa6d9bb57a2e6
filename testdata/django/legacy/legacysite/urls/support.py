from django.urls import re_path

from support.views import *  # noqa: F401,F403

urlpatterns = [
    re_path(r'^tickets/$', TicketListView.as_view(), name='tickets'),
    re_path(r'^tickets/(?P<ticket_id>[0-9]+)/$', ticket_detail, name='ticket'),
    re_path(r'^tickets/T-(?P<code>\d+)/$', ticket_by_code, name='ticket-code'),
    re_path(r'^tickets/(?P<ticket_id>\d+)\.json$', ticket_json, name='ticket-json'),
    re_path(r'^files/(?P<path>.+)$', download, name='download'),
    re_path(r'^status/?$', status, name='status'),
]
