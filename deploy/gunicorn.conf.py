"""gunicorn settings for cop in production: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`."""
import multiprocessing
import os
import sys
from pathlib import Path

# cop itself, for the logger below (gunicorn may be started from the virtualenv's bin/).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

bind = os.environ.get("COP_BIND", "127.0.0.1:8000")
# Processes rather than threads for the CPU: threads of one worker share its GIL, and a thread
# holding an event's row lock waits for the GIL after every database round trip while the others
# render pages. A few threads still cover requests waiting on the database. Each thread holds one
# connection from the worker's SQLAlchemy pool (5, plus 10 overflow), so keep threads <= 5.
workers = int(os.environ.get("COP_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("COP_WEB_THREADS", "2"))
worker_class = "gthread"
# Long work (print packs, big imports and invitations, big plans) runs on the jobs queue, not here; this
# only stops a worker process that stopped answering (with gthread it does not cut a slow request short).
timeout = 120
# A worker that served this many requests is replaced by a fresh one (jitter: not all at once), so memory a
# worker grew to for one large page is given back (issue 19: nothing recycled workers before).
max_requests = int(os.environ.get("COP_WEB_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
graceful_timeout = 20
# Each worker opens its own database pool after the fork, never sharing sockets.
preload_app = False
accesslog = "-"
# The access log (request lines and Referers) and the error log without the tokens in links (cop/logs.py).
logger_class = "cop.logs.RedactingGunicornLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
