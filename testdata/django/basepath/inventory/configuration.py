# The deployment's configuration, kept apart from the settings.
ALLOWED_HOSTS = ["*"]
BASE_PATH = "/inventory"
