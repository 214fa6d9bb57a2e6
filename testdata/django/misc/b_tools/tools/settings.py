SECRET_KEY = "tools"
INSTALLED_APPS = []
ROOT_URLCONF = "tools.urls"
