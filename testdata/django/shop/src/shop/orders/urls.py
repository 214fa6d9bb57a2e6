from django.urls import path

import shop.orders.views as v

app_name = "orders"

urlpatterns = [
    path("checkout/", v.checkout, name="checkout"),
    path("history/", v.order_history, name="history"),
    path("<uuid:order_id>/", v.OrderDetailView.as_view(), name="detail"),
]
