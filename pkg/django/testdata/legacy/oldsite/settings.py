SECRET_KEY = 'x'
INSTALLED_APPS = (
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'blog',
    'wiki',
)
INSTALLED_APPS = INSTALLED_APPS + ('feeds',)
ROOT_URLCONF = 'oldsite.urls'
