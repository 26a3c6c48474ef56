"""Log lines: ``GRIDGOV_LOG_FORMAT=text`` (default, for a terminal) or ``json`` (production: one JSON
object per line, for a log collector).

Every line carries the request id of the request it was written in (``-`` outside a request). A JSON
line has ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``request_id``; the access lines
(logger ``gridgov.access``, written by :class:`gridgov.observability.context.RequestContextMiddleware`)
add ``method``, ``route`` (the route's template), ``status``, ``duration_ms`` and ``client_ip``: no
query string, no body, no personal data. uvicorn's own access log (which would print the raw path with
its query string) is turned off: see :func:`uvicorn_log_options`.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from gridgov.observability.context import current_request_id

ACCESS_FIELDS = ("method", "route", "status", "duration_ms", "client_ip")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on each record (``record.request_id``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id() or None,
        }
        for key in ACCESS_FIELDS:
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def make_handler(fmt: str, stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(RequestIdFilter())
    handler.gridgov_handler = True  # marks ours, to replace on a second call
    return handler


def configure_logging(fmt: str = "text", level: int | str = logging.INFO, stream=None) -> logging.Handler:
    """Sends every logger (gridgov's, uvicorn's, SQLAlchemy's warnings…) through one handler on the
    root logger, in ``fmt`` (``json`` or ``text``). Call it once per process, before serving (``gridgov
    serve`` does; a worker process started by a process manager calls it in its factory)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "gridgov_handler", False)]:
        root.removeHandler(old)
    handler = make_handler(fmt, stream)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request's full URL at INFO: a webhook target's query string may hold its secret
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()  # through the root's handler, in the chosen format
        logger.propagate = True
    return handler


def uvicorn_log_options() -> dict:
    """What ``uvicorn.run`` needs after :func:`configure_logging`: keep our logging set-up, and no
    access log of its own (ours is ``gridgov.access``, by route template without the query string)."""
    return {"log_config": None, "access_log": False}
