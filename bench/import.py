"""How long importing a large demo city takes, through the ordinary territory import service.

The file is the deterministic demo city of the ``zhenjiang`` profile (``gridgov.territory.demo``),
100,000 grids by default with every area above them, mapped from the profile the same way the demo
loader does (its dedicated types, maritime and household norms). It is written to a temporary
GeoJSON file, then imported into a freshly migrated database (a temporary SQLite file unless
``--database-url`` names another one, which must be empty).

Figures (one JSON line on stdout):

* ``build_s``: ``build_demo_city`` alone.
* ``write_s``: ``json.dump`` of the FeatureCollection to the temporary file; ``file_mb`` its size.
* ``import_s``: what a user waits for: ``json.load`` of that file + ``import_feature_collection``
  (validation of every feature, geometry checks, inserts) + the commit.
* ``grids_per_s``: grids over ``import_s``.
* ``baseline_s``: the same file loaded and written with no validation at all (``json.load``,
  ``shapely.geometry.shape`` + WKB, one bulk ``INSERT`` per table) into a second fresh database of
  the same kind, in the same run; ``ratio`` is ``baseline_s / import_s`` (1.0 = validation is free).

Usage: ``python bench/import.py [--grids 100000] [--database-url URL] [--profile zhenjiang]``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import insert

from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.clock import utc_now
from gridgov.migrate import upgrade
from gridgov.models import Area, Grid
from gridgov.policy.loader import load_profile
from gridgov.territory import rules
from gridgov.territory.demo_loader import demo_feature_collection
from gridgov.territory.transfer import import_feature_collection


def bare_insert(factory, path: Path, now) -> float:
    """json.load + parse + one bulk INSERT per table, no validation: the floor an import can reach."""
    start = time.perf_counter()
    with path.open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    areas = [f for f in features if f["properties"]["layer"] == "area"]
    grids = [f for f in features if f["properties"]["layer"] == "grid"]
    geoms = np.array([shape(f["geometry"]) for f in grids], dtype=object)
    wkbs, bounds = shapely.to_wkb(geoms), shapely.bounds(geoms)
    with unit_of_work(factory) as session:
        session.execute(
            insert(Area),
            [
                {"code": (p := f["properties"])["code"], "name": p["name"], "level": p["level"],
                 "parent_code": rules.parent_area_code(p["code"]) if p["level"] != "city" else None,
                 "boundary_wkb": shapely.to_wkb(shape(f["geometry"])), "created_at": now, "updated_at": now}
                for f in areas
            ],
        )
        session.execute(
            insert(Grid),
            [
                {"code": (p := f["properties"])["code"], "area_code": p["code"][:12], "name": p["name"],
                 "kind": p["kind"], "dedicated_type": p["dedicated_type"], "households": p["households"],
                 "population": p["population"], "geom_wkb": wkb, "min_lon": b[0], "min_lat": b[1],
                 "max_lon": b[2], "max_lat": b[3], "status": "active", "created_at": now, "updated_at": now}
                for f, wkb, b in zip(grids, wkbs, bounds, strict=True)
            ],
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grids", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="an empty database; default: a temporary SQLite file")
    parser.add_argument("--profile", default="zhenjiang")
    args = parser.parse_args()

    profile = load_profile(args.profile)
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-import-") as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        engine = make_engine(url)
        upgrade(engine)
        factory = make_sessionmaker(engine)

        start = time.perf_counter()
        data = demo_feature_collection(profile, grids=args.grids)
        build_s = time.perf_counter() - start
        grids = sum(1 for f in data["features"] if f["properties"]["layer"] == "grid")
        areas = len(data["features"]) - grids

        path = Path(tmp) / "demo.geojson"
        start = time.perf_counter()
        with path.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        write_s = time.perf_counter() - start
        del data

        start = time.perf_counter()
        with path.open(encoding="utf-8") as fh:
            loaded = json.load(fh)
        with unit_of_work(factory) as session:
            result = import_feature_collection(session, None, loaded, profile=profile, now=utc_now())
        import_s = time.perf_counter() - start
        engine.dispose()

        if args.database_url:
            baseline_s = float("nan")  # a second empty database of that server is not ours to make
        else:
            bare = make_engine(f"sqlite:///{Path(tmp) / 'bare.db'}")
            upgrade(bare)
            baseline_s = bare_insert(make_sessionmaker(bare), path, utc_now())
            bare.dispose()

        print(
            json.dumps(
                {
                    "bench": "import",
                    "profile": profile.name,
                    "database": engine.url.get_backend_name(),
                    "grids": grids,
                    "areas": areas,
                    "grids_created": result.grids_created,
                    "file_mb": round(os.path.getsize(path) / 1e6, 1),
                    "build_s": round(build_s, 2),
                    "write_s": round(write_s, 2),
                    "import_s": round(import_s, 2),
                    "grids_per_s": round(grids / import_s),
                    "baseline_s": round(baseline_s, 2),
                    "ratio": round(baseline_s / import_s, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
