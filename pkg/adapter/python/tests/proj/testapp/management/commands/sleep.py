import os
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Sleep (timeout tests); --child also starts a grandchild that sleeps."

    def add_arguments(self, parser):
        parser.add_argument("seconds", type=float)
        parser.add_argument("--child", action="store_true")

    def handle(self, *args, **options):
        if options["child"]:
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(%f)" % options["seconds"]])
            with open(os.environ["TESTAPP_PIDFILE"], "w") as f:
                f.write(str(child.pid))
        print("sleeping", flush=True)
        time.sleep(options["seconds"])
        print("woke up")
