from django.urls import include, path

from accounts.views import Login, Profile

account_patterns = [
    path("profile/", Profile.as_view(), name="profile"),
    path("login/", Login.as_view(), name="login"),
]

urlpatterns = [
    path("api/", include("store.api.urls", namespace="api")),
    path("accounts/", include((account_patterns, "accounts"), namespace="acct")),
]
