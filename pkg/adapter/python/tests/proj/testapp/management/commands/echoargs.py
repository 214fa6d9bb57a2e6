import json
import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the arguments it received as JSON (argument passing tests)."

    def add_arguments(self, parser):
        parser.add_argument("words", nargs="*")
        parser.add_argument("--flag", default="")

    def handle(self, *args, **options):
        self.stdout.write(json.dumps({"words": options["words"], "flag": options["flag"], "settings": os.environ.get("DJANGO_SETTINGS_MODULE")}))
