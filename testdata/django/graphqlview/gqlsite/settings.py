# No GRAPHENE setting: the schema is the one the URL conf gives the view.
SECRET_KEY = "graphqlview-example"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "library",
]
ROOT_URLCONF = "gqlsite.urls"
