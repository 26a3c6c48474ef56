"""Synthetic case fact rows over a province-like territory, for bench/analysis.py.

The territory: one province (``32``), ``cities`` cities, 10 counties each, 15 towns per county,
4 villages per town, 5 grids per village (the defaults: 10 cities, 100 counties, 1,500 towns,
6,000 villages, 30,000 grids). Cases: ``n`` fact rows (``case_facts`` columns) reported over
``months`` months from ``start``, spread over the grids with a skew (busy towns), with counters
that follow the case's path (verified ⊂ valid, closed ⊂ verified, satisfied ⊂ evaluated …) and stage
durations where the stage ended. Deterministic for a seed. Columns are numpy arrays, so the same
rows go to DuckDB (a dict of arrays), SQLite (executemany) and PostgreSQL (COPY).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np

from gridgov.models.analysis import FACT_COUNTERS, FACT_DURATIONS

COLUMNS = ("case_id", "reported_day", "grid_code", "town_code", "county_code", "type_code", "matter_code",
           "department_code", "worker_id", "source", "state", *FACT_COUNTERS, *FACT_DURATIONS,
           "case_version", "log_length", "computed_at")


def territory(cities: int = 10) -> tuple[list[tuple[str, str, str, str | None]], np.ndarray]:
    """(area rows (code, name, level, parent), grid codes): the areas of the province top first."""
    rows: list[tuple[str, str, str, str | None]] = [("320000000000", "模拟省", "province", None)]
    grids: list[str] = []
    for c in range(cities):
        city = f"32{c + 2:02d}"
        rows.append((city.ljust(12, "0"), f"模拟市{c + 1}", "city", "320000000000"))
        for k in range(1, 11):
            county = f"{city}{k:02d}"
            rows.append((county.ljust(12, "0"), f"模拟县{c + 1}-{k}", "county", city.ljust(12, "0")))
            for t in range(1, 16):
                town = f"{county}{t:03d}"
                rows.append((town.ljust(12, "0"), f"模拟镇{c + 1}-{k}-{t}", "town", county.ljust(12, "0")))
                for v in range(1, 5):
                    village = f"{town}{v:03d}"
                    rows.append((village, f"模拟村{c + 1}-{k}-{t}-{v}", "village", town.ljust(12, "0")))
                    grids += [f"{village}{g:03d}" for g in range(1, 6)]
    return rows, np.array(grids)


def month_starts(start: date, months: int) -> list[date]:
    out, y, m = [], start.year, start.month
    for _ in range(months):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def generate(n: int, grids: np.ndarray, *, start: date = date(2023, 1, 1), months: int = 36,
             seed: int = 16) -> dict[str, np.ndarray]:
    """``n`` fact rows as column arrays (strings as numpy unicode, missing values as None objects)."""
    rng = np.random.default_rng(seed)
    end = np.datetime64(month_starts(start, months + 1)[-1])
    first = np.datetime64(start)
    weight = rng.pareto(1.5, len(grids)) + 1.0  # some grids far busier than others
    g = rng.choice(len(grids), size=n, p=weight / weight.sum())
    days = first + rng.integers(0, int((end - first).astype(int)), size=n).astype("timedelta64[D]")
    grid = grids[g]
    out: dict[str, np.ndarray] = {
        "case_id": np.arange(1, n + 1, dtype=np.int64),
        "reported_day": days.astype("datetime64[D]"),
        "grid_code": grid,
        "town_code": np.char.ljust(np.char.asarray(grid).astype("<U9"), 12, "0"),
        "county_code": np.char.ljust(np.char.asarray(grid).astype("<U6"), 12, "0"),
    }

    def pick(prefix: str, k: int, width: int, none_share: float) -> np.ndarray:
        codes = np.array([f"{prefix}{i:0{width}d}" for i in range(1, k + 1)] + [None], dtype=object)
        p = np.full(k + 1, (1 - none_share) / k)
        p[-1] = none_share
        return codes[rng.choice(k + 1, size=n, p=p)]

    def bern(p: float, within: np.ndarray | None = None) -> np.ndarray:
        x = (rng.random(n) < p).astype(np.int16)
        return x if within is None else x * within

    out["type_code"] = pick("T", 20, 2, 0.05)
    out["matter_code"] = pick("M", 200, 3, 0.0)
    valid = bern(0.95)
    verified = bern(0.97, valid)
    dispatched = bern(0.8, verified)
    handled = bern(0.9, dispatched)
    closed = bern(0.9, verified)
    evaluated = bern(0.6, closed)
    dept = pick("D", 60, 2, 0.0)
    dept[dispatched == 0] = None
    out["department_code"] = dept
    worker = (g + 1).astype(object)
    worker[rng.random(n) < 0.3] = None
    out["worker_id"] = worker
    out["source"] = np.array(["hotline", "worker", "app"], dtype=object)[rng.integers(0, 3, n)]
    out["state"] = np.where(closed == 1, "closed", "handling").astype(object)
    counters = {
        "reported": np.ones(n, dtype=np.int16), "valid": valid, "verified": verified,
        "verified_on_time": bern(0.9, verified), "dispatched": dispatched, "returned": bern(0.05, dispatched),
        "handled": handled, "handled_on_time": bern(0.85, handled), "closed": closed,
        "closed_on_time": bern(0.8, closed), "reworked": bern(0.03, handled), "reopened": bern(0.01, closed),
        "extended": bern(0.05, dispatched), "overdue": bern(0.07, verified), "evaluated": evaluated,
        "satisfied": bern(0.9, evaluated), "supervised": bern(0.02, verified),
    }
    out.update(counters)
    ended = {"verify_days": (verified, 3), "dispatch_days": (dispatched, 2), "handle_days": (handled, 10),
             "close_days": (closed, 15)}
    for name in FACT_DURATIONS:
        mask, top = ended[name]
        values = rng.integers(0, top + 1, n).astype(object)
        values[mask == 0] = None
        out[name] = values
    out["case_version"] = np.ones(n, dtype=np.int32)
    out["log_length"] = np.ones(n, dtype=np.int32)
    return out


COMPUTED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def rows(cols: dict[str, np.ndarray], lo: int, hi: int, *, iso_dates: bool):
    """Rows ``lo``…``hi`` as tuples in :data:`COLUMNS` order, for executemany or COPY."""
    at = COMPUTED_AT.isoformat(sep=" ") if iso_dates else COMPUTED_AT
    parts = []
    for name in COLUMNS[:-1]:
        a = cols[name][lo:hi]
        if name == "reported_day":
            a = a.astype(str) if iso_dates else a.astype(object)
        parts.append(a.tolist())
    return [(*r, at) for r in zip(*parts, strict=True)]
