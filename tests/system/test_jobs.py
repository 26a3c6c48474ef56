"""Periodic jobs: each in its own transaction, one failure stops neither the others nor the loop."""

from typer.testing import CliRunner

from gridgov import jobs
from gridgov.cli import app as cli
from gridgov.db import make_engine, make_sessionmaker
from gridgov.models import Counter
from gridgov.policy.loader import load_profile


def test_a_failing_job_neither_stops_nor_rolls_back_the_others(fresh_url, monkeypatch):
    def boom(session, now, profile):
        session.add(Counter(name="from_the_failing_job", value=1))
        raise RuntimeError("boom")

    def ok(session, now, profile):
        session.add(Counter(name="from_the_good_job", value=1))
        return "做了一件事"

    monkeypatch.setattr(jobs, "JOBS", (jobs.Job("boom", "失败的任务", boom), jobs.Job("ok", "正常的任务", ok)))
    engine = make_engine(fresh_url)
    done = jobs.run_jobs_once(make_sessionmaker(engine), load_profile("zhenjiang"))
    with make_sessionmaker(engine)() as session:
        names = {c.name for c in session.query(Counter)}
    engine.dispose()
    assert done == [("boom", "失败：RuntimeError"), ("ok", "做了一件事")]
    assert "from_the_good_job" in names and "from_the_failing_job" not in names


def test_gridgov_jobs_says_when_nothing_was_due(fresh_url, cli_env):
    cli_env(fresh_url)
    result = CliRunner().invoke(cli, ["jobs"])
    assert result.exit_code == 0, result.output
    assert "没有到期的任务" in result.output
