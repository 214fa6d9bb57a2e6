import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Fail: a CommandError, or exit with a given status."

    def add_arguments(self, parser):
        parser.add_argument("--status", type=int, default=0)

    def handle(self, *args, **options):
        print("partial output before failing")
        if options["status"]:
            sys.stderr.write("exiting with %d\n" % options["status"])
            sys.exit(options["status"])
        raise CommandError("the command failed on purpose")
