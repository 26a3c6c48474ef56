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

Usage: ``python bench/import.py [--grids 100000] [--database-url URL] [--profile zhenjiang]``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from gridgov.db import make_engine, make_sessionmaker, unit_of_work
from gridgov.kit.clock import utc_now
from gridgov.migrate import upgrade
from gridgov.policy.loader import load_profile
from gridgov.territory.demo import DEMO_CITIES, build_demo_city
from gridgov.territory.service import allowed_dedicated_types, household_norms, import_feature_collection


def demo_for(profile, grids: int) -> dict:
    """The profile's demo city, with the grid kinds and norms its policy allows (as the demo loader)."""
    kinds = allowed_dedicated_types(profile)
    norms = {k: {"min": lo, "max": hi} for k, (lo, hi) in household_norms(profile).items()}
    return build_demo_city(
        DEMO_CITIES[profile.name],
        grids=grids,
        allow_dedicated=kinds - {"maritime"},
        allow_maritime="maritime" in kinds,
        household_norms=norms or None,
    )


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
        data = demo_for(profile, args.grids)
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
            result = import_feature_collection(session, loaded, profile=profile, now=utc_now())
        import_s = time.perf_counter() - start
        engine.dispose()

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
                }
            )
        )


if __name__ == "__main__":
    main()
