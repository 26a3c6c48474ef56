"""Observability (issue 19): ``/metrics`` for Prometheus, structured logs, a request id per request.

- :mod:`.context`: the pure ASGI middleware that gives each request its id (``X-Request-ID``, taken
  from the request when it is a sane token, else made), times it, counts it by route template and
  writes its access line; the id lives in a context variable that every log record of the request
  carries.
- :mod:`.logs`: ``GRIDGOV_LOG_FORMAT=json|text`` (one JSON object per line, or a text line).
- :mod:`.metrics`: the in-process metrics (requests, jobs, sweep marks), the figures read at scrape time
  (database pools, the outbox and webhook backlogs), and prometheus-client's multiprocess mode.
- :mod:`.api`: ``GET /metrics``, open to the networks of ``GRIDGOV_METRICS_ALLOW`` and to a scraper
  holding ``GRIDGOV_METRICS_TOKEN``.

Nothing here may put a query string, a body or personal data in a label or a log line: requests are
labelled by their route's template (``/api/v1/cases/{case_id}``), never by their path.
"""

from __future__ import annotations

from gridgov.observability.context import RequestContextMiddleware, current_request_id
from gridgov.observability.logs import configure_logging, uvicorn_log_options
from gridgov.observability.metrics import job_finished, prepare_multiprocess, sweep_marked

__all__ = ["RequestContextMiddleware", "configure_logging", "current_request_id", "job_finished",
           "prepare_multiprocess", "sweep_marked", "uvicorn_log_options"]
