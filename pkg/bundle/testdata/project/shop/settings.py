INSTALLED_APPS = ["catalog"]
ROOT_URLCONF = "shop.urls"
