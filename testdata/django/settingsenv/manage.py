#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    # Developers run the dev settings; deployments name theirs in
    # django-serverless.yml (settings:).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
