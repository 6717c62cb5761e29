"""Scale out on one machine: two app processes on two ports behind a local
round-robin proxy, and two Huey consumers — what a city runs on N machines
(docs/deploy.md), in one command, to see that nothing needs sticky sessions
and no job runs twice.

    DATABASE_URL=postgresql://... REDIS_URL=redis://... \\
        .venv/bin/python -m tools.scale_out [--port 8000] [--workers 2]

Serves at http://127.0.0.1:<port>/ until Ctrl+C; the apps listen on <port>+1
and <port>+2. Every response carries ``X-Upstream`` (which app answered). The
proxy is a small threaded one written here so that the script needs nothing
beyond the project (a city uses nginx: docs/deploy/nginx.conf). SQLite works
too (all processes share the file) but is not what a city runs."""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}


class Proxy:
    """Round-robin HTTP proxy to ``upstreams`` ("127.0.0.1:8001", ...): no
    stickiness, a failed upstream (connection refused) is skipped for that
    request. ``served`` counts answers per upstream."""

    def __init__(self, upstreams: list[str], port: int = 0, host: str = "127.0.0.1"):
        self.upstreams = upstreams
        self.served = dict.fromkeys(upstreams, 0)
        self._next = itertools.cycle(range(len(upstreams)))
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet: the apps log every request
                pass

            def _forward(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                headers["X-Forwarded-For"] = self.client_address[0]
                for upstream in proxy._order():
                    conn = http.client.HTTPConnection(upstream, timeout=120)
                    try:
                        conn.request(self.command, self.path, body=body, headers=headers)
                        response = conn.getresponse()
                        data = response.read()
                    except ConnectionRefusedError:
                        conn.close()
                        continue
                    conn.close()
                    with proxy._lock:
                        proxy.served[upstream] += 1
                    self.send_response(response.status, response.reason)
                    for key, value in response.getheaders():
                        if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                            self.send_header(key, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("X-Upstream", upstream)
                    self.end_headers()
                    self.wfile.write(data)
                    return
                self.send_error(502, "no app process answered")

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _order(self) -> list[str]:
        with self._lock:
            first = next(self._next)
        return self.upstreams[first:] + self.upstreams[:first]

    def start(self) -> Proxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _gunicorn(port: int, workers: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "wanjia.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            "4",
            "--access-logfile",
            "-",
            "--logger-class",
            "wanjia.core.gunicorn_logging.MaskingLogger",
        ],
        cwd=ROOT,
        env=env,
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if not env.get("DATABASE_URL") or not env.get("REDIS_URL"):
        print("note: without DATABASE_URL and REDIS_URL this runs on SQLite and its file queue")
    procs = [_gunicorn(args.port + n, args.workers, env) for n in (1, 2)]
    procs += [
        subprocess.Popen([sys.executable, "manage.py", "run_huey", "--quiet"], cwd=ROOT, env=env)
        for _ in range(2)
    ]
    proxy = Proxy([f"127.0.0.1:{args.port + n}" for n in (1, 2)], port=args.port).start()
    print(f"Wanjia at http://127.0.0.1:{args.port}/ — two apps, two workers (Ctrl+C stops all)")
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        proxy.stop()
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        print("served:", proxy.served)


if __name__ == "__main__":
    main()
