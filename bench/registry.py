"""The register at scale: importing N people, finding one by ID number, listing a grid's people.

A freshly migrated database (a temporary SQLite file unless ``--database-url`` names an empty one)
gets the demo city of the ``zhenjiang`` profile (``--grids`` grids, territory only), then:

* ``import_s``: N synthetic people (valid GB 11643 ID numbers, phones, names, spread over every
  village/community of the city) imported through :func:`gridgov.registry.importing.import_rows`,
  what the import route runs after reading the file: every row checked (check digit, birth date and
  gender against the number, codes, area known and inside the jurisdiction, duplicates in the file
  and in the database), ID number and phone sealed (AES-GCM), the ID number's blind index (HMAC),
  batched multi-row INSERTs, the audit entry, the commit. ``rows_per_s`` is N over it.
* ``bare_s``: the same N rows inserted with no check, no encryption and no blind index (the number
  stored as it is), same batches, into the same table emptied first, in the same run;
  ``ratio`` = ``bare_s / import_s`` (target ≥ 0.3).
* ``id_search_p50_ms`` / ``id_search_p99_ms``: an exact ID-number search over N people as the city's
  administrator: blind index of the typed number + the scoped query on ``id_number_index`` + the
  mask; ``--searches`` random registered numbers (target p99 < 20 ms).
* ``grid_list_p95_ms``: a grid's people list as its worker sees it: the scoped count and the first
  page of 50 by name, for ``--lists`` random grids (people are spread over the grids of their
  village first); target p95 < 100 ms.

Usage: ``python bench/registry.py [--people 1000000] [--grids 1000] [--database-url URL]``.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select, update

from gridgov.authz.principal import Principal
from gridgov.authz.scope import SYSTEM, scoped
from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.clock import utc_now
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.masking import mask_id_number
from gridgov.migrate import upgrade
from gridgov.models import Area, Grid
from gridgov.models.registry import Person
from gridgov.models.territory import AreaLevel, GridStatus
from gridgov.policy.loader import load_profile
from gridgov.registry import importing
from gridgov.registry.rules import id_check_digit
from gridgov.territory.demo import demo_city_of
from gridgov.territory.demo_loader import load_demo_city

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑"
GIVEN = ["建国", "晓梅", "志强", "丽华", "海峰", "秀英", "文杰", "春燕", "国华", "玉兰"]


def number_of(i: int, county: str) -> str:
    born = date(1930, 1, 1) + timedelta(days=i % 33_000)
    first17 = f"{county[:6]}{born:%Y%m%d}{i // 33_000 % 1000:03d}"
    return first17 + id_check_digit(first17)


def make_rows(n: int, villages: list[str]) -> list[importing.Row]:
    rng = random.Random(15)
    return [importing.Row(i + 2, {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN), "id_number": number_of(i, villages[i % len(villages)]),
        "phone": f"139{i:08d}", "residence_kind": "户籍人口", "area_code": villages[i % len(villages)]})
        for i in range(n)]


def bare_insert(factory, rows: list[importing.Row], now) -> float:
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        values = [{"name": r.values["name"], "id_number_enc": r.values["id_number"].encode(),
                   "id_number_index": r.values["id_number"], "id_number_mask": "", "phone_enc":
                   r.values["phone"].encode(), "residence_kind": "registered", "status": "active",
                   "scope_code": r.values["area_code"], "source": "bench", "created_at": now, "updated_at": now}
                  for r in rows]
        for s in range(0, len(values), importing.BATCH):
            session.execute(insert(Person), values[s:s + importing.BATCH])
    return time.perf_counter() - start


def percentile(samples: list[float], p: float) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(len(samples) * p))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--grids", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=2000)
    parser.add_argument("--lists", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="gridgov-bench-registry-")
    url = args.database_url or f"sqlite:///{os.path.join(tmp, 'registry.db')}"
    engine = make_engine(url)
    upgrade(engine)
    factory = make_sessionmaker(engine)
    profile, now = load_profile("zhenjiang"), utc_now()
    with unit_of_work(factory) as session:
        load_demo_city(session, profile, grids=args.grids, now=now)
    city = demo_city_of(profile).area_code
    with factory() as session:
        villages = session.scalars(scoped(select(Area.code).where(Area.level == AreaLevel.VILLAGE)
                                          .order_by(Area.code), SYSTEM, Area)).all()
        grids = session.scalars(scoped(select(Grid.code).where(Grid.status == GridStatus.ACTIVE)
                                       .order_by(Grid.code), SYSTEM, Grid)).all()
    admin = Principal(user_id=0, username="bench", display_name="基准测试", role="agency_admin", scope_code=city)
    cipher = FieldCipher("bench-secret-" + "x" * 40)

    rows = make_rows(args.people, villages)
    bare_s = bare_insert(factory, rows, now)
    with unit_of_work(factory) as session:
        session.execute(scoped(delete(Person), SYSTEM, Person))

    rows = make_rows(args.people, villages)
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        importing.import_rows(session, admin, "people", rows, cipher=cipher, now=now)
    import_s = time.perf_counter() - start

    # spread each village's people over its grids (a worker's list is a grid's)
    by_village: dict[str, list[str]] = {}
    for g in grids:
        by_village.setdefault(g[:12], []).append(g)
    with unit_of_work(factory) as session:
        for village, own in by_village.items():
            for k, grid in enumerate(own):
                session.execute(scoped(update(Person).where(Person.scope_code == village,
                                                            Person.id % len(own) == k)
                                       .values(scope_code=grid), SYSTEM, Person))

    rng = random.Random(7)
    search_ms = []
    with factory() as session:
        for _ in range(args.searches):
            i = rng.randrange(args.people)
            typed = number_of(i, villages[i % len(villages)])
            t = time.perf_counter()
            person = session.scalar(scoped(select(Person).where(
                Person.id_number_index == cipher.blind_index(typed)), admin, Person))
            mask_id_number(typed) if person is not None else None
            search_ms.append((time.perf_counter() - t) * 1000)
            assert person is not None
    list_ms = []
    with factory() as session:
        for _ in range(args.lists):
            grid = rng.choice(grids)
            worker = Principal(user_id=0, username="w", display_name="网格员", role="fulltime", scope_code=grid)
            t = time.perf_counter()
            total = session.scalar(scoped(select(func.count(Person.id)).where(Person.archived_at.is_(None)),
                                          worker, Person))
            page = session.execute(scoped(select(Person.id, Person.name, Person.id_number_mask, Person.phone_mask)
                                          .where(Person.archived_at.is_(None)).order_by(Person.name, Person.id)
                                          .limit(50), worker, Person)).all()
            list_ms.append((time.perf_counter() - t) * 1000)
            assert total is not None and len(page) <= 50
    print(json.dumps({
        "people": args.people, "grids": len(grids), "database": engine.url.get_backend_name(),
        "import_s": round(import_s, 2), "rows_per_s": round(args.people / import_s),
        "bare_s": round(bare_s, 2), "ratio": round(bare_s / import_s, 3), "ratio_target": 0.3,
        "id_search_p50_ms": round(percentile(search_ms, 0.5), 3),
        "id_search_p99_ms": round(percentile(search_ms, 0.99), 3), "id_search_target_ms": 20,
        "grid_list_p50_ms": round(percentile(list_ms, 0.5), 2),
        "grid_list_p95_ms": round(percentile(list_ms, 0.95), 2), "grid_list_target_ms": 100,
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
