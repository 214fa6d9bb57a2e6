#!/usr/bin/env python
# A second project in the same repository (a maintenance tool), at the same
# depth: discovery picks a_site/ (first in path order) and says so.
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tools.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
