"""The metrics ``/metrics`` exposes, in Prometheus' text format (prometheus-client).

In-process metrics (each process counts its own; in multiprocess mode prometheus-client adds them up):

- ``gridgov_http_request_duration_seconds{method,route,status}``: a histogram of request latency, by
  the matched route's template (``/api/v1/cases/{case_id}``), never the raw path: ids and query strings
  never become labels. A request that matched no route is ``route="<unmatched>"``; static files are
  ``/static/{path}``.
- ``gridgov_job_duration_seconds{job,outcome}`` (outcome ``ok`` or ``failed``) and
  ``gridgov_job_last_success_timestamp_seconds{job}`` (Unix time; the newest over all processes).
- ``gridgov_sweep_marks_total{mark}``: what the cases sweep marked (``warned``, ``overdue``,
  ``supervision_overdue``) and the notices it stored (``notices``).

Figures read at scrape time by the process that answers it:

- ``gridgov_db_pool_size``, ``gridgov_db_pool_checked_out``, ``gridgov_db_pool_overflow`` with
  ``database="primary"`` (``app.state.engine``) and ``database="replica"`` (``app.state.replica_engine``,
  when there is one). Each process has its own pool: in multiprocess mode these are the figures of the
  process that answered the scrape.
- ``gridgov_outbox_pending`` (outbound messages not yet sent) and ``gridgov_webhook_deliveries_pending``,
  counted in the database; ``gridgov_metrics_database_up`` is 0 when those counts could not be read.

**Several processes.** prometheus-client keeps each process's values in memory-mapped files under the
folder named by ``PROMETHEUS_MULTIPROC_DIR`` when that variable is set before the process starts;
``/metrics`` then adds up the files of all processes. :func:`prepare_multiprocess` sets it up for
``gridgov serve --workers N``.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from gridgov.observability import repository

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

REGISTRY = CollectorRegistry(auto_describe=True)
"""The process's own metrics (not prometheus-client's global registry: nothing else lands in it)."""

REQUEST_SECONDS = Histogram(
    "gridgov_http_request_duration_seconds", "请求耗时（秒），按方法、路由模板和状态码",
    ["method", "route", "status"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5, 5.0, 10.0),
)
JOB_SECONDS = Histogram(
    "gridgov_job_duration_seconds", "定时任务耗时（秒），按任务名和结果", ["job", "outcome"], registry=REGISTRY,
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0),
)
JOB_LAST_SUCCESS = Gauge(
    "gridgov_job_last_success_timestamp_seconds", "定时任务最近一次成功完成的时间（Unix 秒）", ["job"],
    registry=REGISTRY, multiprocess_mode="max",
)
SWEEP_MARKS = Counter(
    "gridgov_sweep_marks", "事件时限扫描标记的数量：预警、超期、督办超期，及发出的提醒", ["mark"], registry=REGISTRY,
)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


_request_children: dict[tuple[str, str, int], object] = {}
"""(method, route, status) → its histogram child: a dict lookup instead of ``labels()`` per request.
Bounded: the routes are the app's templates, the methods a fixed set, statuses a few dozen."""


def request_finished(method: str, route: str, status: int, seconds: float) -> None:
    key = (method, route, status)
    child = _request_children.get(key)
    if child is None:
        child = _request_children[key] = REQUEST_SECONDS.labels(method, route, str(status))
    child.observe(seconds)


def job_finished(name: str, seconds: float, ok: bool, *, now: float | None = None) -> None:
    """Called by :func:`gridgov.jobs.run_jobs_once` after each job."""
    JOB_SECONDS.labels(name, "ok" if ok else "failed").observe(seconds)
    if ok:
        JOB_LAST_SUCCESS.labels(name).set(time.time() if now is None else now)


def sweep_marked(result) -> None:
    """Counts what one cases sweep marked (a :class:`gridgov.cases.sweep.SweepResult`)."""
    for mark in ("warned", "overdue", "supervision_overdue", "notices"):
        SWEEP_MARKS.labels(mark).inc(getattr(result, mark))


def prepare_multiprocess(var_dir: Path, workers: int) -> Path | None:
    """Sets ``PROMETHEUS_MULTIPROC_DIR`` for ``gridgov serve --workers N`` (N > 1): a folder
    ``var_dir/prometheus`` emptied of an earlier run's files. Call it in the parent before the workers
    start (they inherit the environment). A folder the operator set already is kept as it is (empty it
    between runs yourself); with one worker nothing is set. Returns the folder in use, or None."""
    if os.environ.get(MULTIPROC_ENV):
        return Path(os.environ[MULTIPROC_ENV])
    if workers <= 1:
        return None
    folder = Path(var_dir) / "prometheus"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


class _ScrapeTimeCollector:
    """The pools of the app's engines and the backlogs, read when Prometheus scrapes."""

    def __init__(self, state) -> None:
        self.state = state

    def collect(self):
        size = GaugeMetricFamily("gridgov_db_pool_size", "数据库连接池大小", labels=["database"])
        out = GaugeMetricFamily("gridgov_db_pool_checked_out", "连接池中正在使用的连接", labels=["database"])
        over = GaugeMetricFamily("gridgov_db_pool_overflow", "连接池超出大小的连接", labels=["database"])
        for name, engine in (("primary", getattr(self.state, "engine", None)),
                             ("replica", getattr(self.state, "replica_engine", None))):
            pool = getattr(engine, "pool", None)
            if pool is None or not hasattr(pool, "checkedout"):
                continue  # e.g. SQLite in memory: a pool that keeps no count
            size.add_metric([name], pool.size())
            out.add_metric([name], pool.checkedout())
            over.add_metric([name], max(pool.overflow(), 0))
        yield from (size, out, over)
        up = GaugeMetricFamily("gridgov_metrics_database_up", "采集时能否读取数据库中的积压数量（1 能，0 不能）")
        try:
            with self.state.sessionmaker() as session:
                messages, deliveries = repository.pending_messages(session), repository.pending_deliveries(session)
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("gridgov_outbox_pending", "待发送的短信（发件箱积压）", value=messages)
        yield GaugeMetricFamily("gridgov_webhook_deliveries_pending", "待推送的 Webhook", value=deliveries)


def exposition(state) -> bytes:
    """The text ``/metrics`` answers: this process's metrics (all processes' in multiprocess mode),
    then the figures read now from ``state`` (the app's ``app.state``)."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(REGISTRY)
    now = CollectorRegistry(auto_describe=False)
    now.register(_ScrapeTimeCollector(state))
    return counted + generate_latest(now)
