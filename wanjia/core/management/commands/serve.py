"""Serve the site and the background worker together (what `make run` calls).

gunicorn serves HTTP; a Huey consumer runs beside it as a child process and is
stopped when the server stops. At city scale run them separately instead
(see README, "Scaling out")."""

import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Wanjia at 127.0.0.1:8000 with its Huey worker."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("WANJIA_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3"))
        )

    def handle(self, *args, bind, workers, **options):
        manage = [sys.executable, "manage.py"]
        worker = subprocess.Popen([*manage, "run_huey", "--quiet"])
        self.stdout.write(f"Wanjia at http://{bind}/  (worker pid {worker.pid}; Ctrl+C stops both)")
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wanjia.wsgi",
                "--bind",
                bind,
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--timeout",
                "120",
                "--access-logfile",
                "-",
                # phone and ID numbers in URLs (a search by GET) are masked
                "--logger-class",
                "wanjia.core.gunicorn_logging.MaskingLogger",
            ]
        )
        try:
            server.wait()
        except KeyboardInterrupt:
            server.send_signal(signal.SIGTERM)
            server.wait()
        finally:
            worker.terminate()
            worker.wait(timeout=30)
