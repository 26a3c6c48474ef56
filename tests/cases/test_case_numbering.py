"""Case numbers are unique and gap-free per county, even when cases are created at once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from gridgov.cases.numbering import next_case_no
from gridgov.db import make_engine, make_sessionmaker, unit_of_work

NOON = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai


def test_numbers_count_per_county_and_local_day(fresh_url):
    engine = make_engine(fresh_url)
    with unit_of_work(make_sessionmaker(engine)) as session:
        got = [next_case_no(session, "321102000000", NOON) for _ in range(3)]
        other = next_case_no(session, "321111000000", NOON)
        # 17:00 UTC is already the next day in Shanghai: the sequence starts again.
        tomorrow = next_case_no(session, "321102000000", NOON.replace(hour=17))
    engine.dispose()
    assert got == ["321102000000-20261124-00001", "321102000000-20261124-00002", "321102000000-20261124-00003"]
    assert other == "321111000000-20261124-00001"
    assert tomorrow == "321102000000-20261125-00001"


def test_a_rolled_back_creation_gives_its_number_back(fresh_url):
    engine = make_engine(fresh_url)
    make = make_sessionmaker(engine)
    try:
        with unit_of_work(make) as session:
            next_case_no(session, "321102000000", NOON)
            raise RuntimeError("the case could not be saved")
    except RuntimeError:
        pass
    with unit_of_work(make) as session:
        assert next_case_no(session, "321102000000", NOON) == "321102000000-20261124-00001"
    engine.dispose()


def test_concurrent_creations_get_consecutive_numbers_without_gaps(fresh_url):
    engine = make_engine(fresh_url, pool_size=10) if fresh_url.startswith("postgresql") else make_engine(fresh_url)
    make = make_sessionmaker(engine)

    def take(i: int) -> str:
        with unit_of_work(make) as session:
            return next_case_no(session, "321102000000", NOON + timedelta(seconds=i))

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(take, range(40)))
    engine.dispose()
    assert sorted(numbers) == [f"321102000000-20261124-{i:05d}" for i in range(1, 41)]
