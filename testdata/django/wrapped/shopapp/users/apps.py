from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "shopapp.users"
    verbose_name = "Users"
