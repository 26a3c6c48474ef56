"""At most as many requests inside the app at once as the database pool can serve.

A request holds its session's connection from its first query until its commit, across several trips
to the thread pool (the user's lookup, the route, the commit), awaiting a thread between them. Under
more concurrent requests than connections, the threads fill up with new requests waiting for a
connection while the requests holding the connections wait for a thread to commit in: nothing moves
until the pool's timeout (30 s) turns the waiting ones into 500s. bench/load.py found it with 200
users on two processes (every process stalled, the health check too).

:class:`PoolGate` lets a request in only while fewer than the pool's connections (less two for the
jobs that run in the process) are in use by requests; the others wait on the event loop, holding
neither a thread nor a connection, and are served in turn. Static files pass.
"""

from __future__ import annotations

import asyncio
import weakref

from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

JOBS_RESERVE = 2
"""Connections left to the periodic jobs running in the same process (where the pool is big enough)."""


def pool_capacity(engine: Engine) -> int | None:
    """How many requests may be inside at once: the pool's size plus its overflow, less
    :data:`JOBS_RESERVE` when that leaves at least three; None when the pool has no limit."""
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return None
    overflow = pool._max_overflow  # public only as a create_engine argument
    if overflow < 0:
        return None
    capacity = pool.size() + overflow
    return capacity - JOBS_RESERVE if capacity - JOBS_RESERVE >= 3 else capacity


class PoolGate:
    """ASGI middleware: see the module's docstring. One semaphore per event loop (tests run an app on
    several)."""

    def __init__(self, app, *, engine: Engine) -> None:
        self.app = app
        self.limit = pool_capacity(engine)
        self._gates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    async def __call__(self, scope, receive, send):
        if self.limit is None or scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        async with gate:
            await self.app(scope, receive, send)
