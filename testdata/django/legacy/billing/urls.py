from django.conf.urls import url

from . import views

app_name = 'payments'

urlpatterns = [
    url(r'^receipts/(?P<number>[0-9]+)(?:\.pdf)?$', views.receipt, name='receipt'),
    url(r'^invoices/$', views.invoice_list, name='invoices'),
    url(r'^invoices/(?P<year>[0-9]{4})/(?P<number>[0-9]+)/$', views.InvoiceView.as_view(), name='invoice'),
]
