import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print N lines on stdout and stderr, interleaved."

    def add_arguments(self, parser):
        parser.add_argument("lines", type=int)

    def handle(self, *args, **options):
        for i in range(options["lines"]):
            stream = sys.stdout if i % 2 == 0 else sys.stderr
            stream.write("line %06d %s\n" % (i, "x" * 90))
            stream.flush()
