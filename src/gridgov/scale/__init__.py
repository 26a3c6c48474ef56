"""``gridgov demo --scale province|city``: a demo at the size of a province (100,000 grids, 10,000,000
cases over three years, 3,000,000 people; PostgreSQL) or of a city (a tenth; SQLite will do).

Phases, each with its progress bar on stderr: the demo city through the ordinary demo
(:func:`gridgov.demo.build_demo`: territory import, departments, accounts, the list of grid work), the
people (:mod:`.people`), the cases (:mod:`.cases`, paths taken from the real services by :mod:`.templates`),
then the finish (sequences, the case-number counters, the statistics' pre-aggregates, ANALYZE).
Rows go in by COPY on PostgreSQL and executemany on SQLite (:mod:`.writer`), one transaction per chunk,
with the tables' indexes in place (building them afterwards saved little here and would leave a
half-built database without them). A second run goes on where the first stopped. Deterministic for a
seed and ``now``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from gridgov.db import make_sessionmaker, unit_of_work
from gridgov.models import Case, Grid
from gridgov.models.registry import Person
from gridgov.models.territory import GridStatus


@dataclass(frozen=True)
class Scale:
    grids: int
    cases: int
    people: int
    years: int = 3


SCALES = {
    "province": Scale(100_000, 10_000_000, 3_000_000),
    "city": Scale(10_000, 1_000_000, 300_000),
    "test": Scale(50, 2_000, 300),  # the tests' tiny one (hidden option)
}
CHUNK = 20_000


class _NoBar:
    def add_task(self, *_a, **_k):
        return 0

    def update(self, *_a, **_k):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _progress(show: bool):
    if not show:
        return _NoBar()
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=Console(stderr=True))


def build(engine: Engine, profile, size: Scale, *, now: datetime, cipher, seed: int = 19, chunk: int = CHUNK,
          progress: bool = True, say: Callable[[str], None] = print, stop_after: float | None = None) -> dict[str, int]:
    """Builds (or completes) the scale demo on a migrated database; returns the counts. ``stop_after``:
    seconds after which the cases stop (then the finish runs; a second build goes on from there)."""
    from gridgov.cases import rollup
    from gridgov.demo import build_demo
    from gridgov.scale.cases import ORDER, TABLES, CaseGenerator
    from gridgov.scale.people import PeopleGenerator
    from gridgov.scale.templates import capture
    from gridgov.scale.writer import Writer

    factory = make_sessionmaker(engine)
    writer = Writer(engine)
    with _progress(progress) as bars:
        task = bars.add_task("演示城市（区划、网格、部门、账号）", total=1)
        with unit_of_work(factory) as session:
            if session.scalar(select(func.count(Case.id))):  # a resumed build: the demo is there (and its
                say("演示城市已存在，接着建事件与人口")  # statistics rebuild would walk every case again)
            else:
                for line in build_demo(session, profile, grids=size.grids, now=now, cipher=cipher, people=0):
                    say(line)
        bars.update(task, completed=1)

        task = bars.add_task("路径模板（真实服务走一遍）", total=1)
        templates = capture(profile)
        bars.update(task, completed=1)
        with factory() as session:
            gen = CaseGenerator(session, templates, profile, now=now, cipher=cipher, years=size.years, seed=seed)
            have = session.scalar(select(func.count(Case.id))) or 0
            grids = list(session.scalars(select(Grid.code).where(Grid.status == GridStatus.ACTIVE)
                                         .order_by(Grid.code)))
            people = PeopleGenerator(grids, cipher=cipher, now=now, seed=seed,
                                     start=session.scalar(select(func.count(Person.id))) or 0)
        # people go in alongside the cases, in proportion: a build stopped early is a thinner province
        cases_bar = bars.add_task("事件、档案、时限、统计", total=size.cases, completed=min(have, size.cases))
        people_bar = bars.add_task("实有人口（加密个人信息）", total=size.people,
                                   completed=min(people.next, size.people))
        started, log_every = time.monotonic(), max(1, size.cases // chunk // 200)
        while have < size.cases or people.next < size.people:
            if have < size.cases:
                n = min(chunk, size.cases - have)
                rows = gen.rows(n)
                writer.write([(TABLES[name], rows[name]) for name in ORDER])
                with unit_of_work(factory) as session:
                    gen.save_numbers(session)
                have += n
                bars.update(cases_bar, completed=have)
            due = size.people if have >= size.cases else size.people * have // size.cases
            while people.next < due:
                writer.write([(Person.__table__, people.rows(min(chunk, due - people.next)))])
            bars.update(people_bar, completed=people.next)
            if not sys.stderr.isatty() and (have // chunk) % log_every == 0:  # a log file gets a line now and then
                print(f"事件 {have:,}/{size.cases:,}，人口 {people.next:,}/{size.people:,}，"
                      f"{time.monotonic() - started:.0f} 秒", file=sys.stderr, flush=True)
            if stop_after is not None and time.monotonic() - started > stop_after:
                say(f"已到时限：停在 {have:,} 件事件、{people.next:,} 人（再次运行即接着建）")
                break

        task = bars.add_task("收尾（序列、统计汇总、ANALYZE）", total=1)
        writer.fix_sequences(["cases", "supervision_orders"])
        with unit_of_work(factory) as session:
            rollup.rebuild_cells(session)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
        bars.update(task, completed=1)
    return counts(engine)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                for name in ("grids", "cases", "case_log", "case_clocks", "case_facts", "registry_people")}


def day_of(now: datetime) -> datetime:
    """The build's ``now``: the start of the current hour (the same data for a build started within it)."""
    return now.replace(minute=0, second=0, microsecond=0)
