"""The simulated users of bench/load.py: what each role does, timed request by request.

* **worker** (专职网格员, bound to a grid of one of the towns taken): reports a case in its grid and
  escalates it in the same request (``next_action``; one report in ten carries a photo uploaded
  first), lists its grid's cases, opens one, reads its notices.
* **dispatcher** (调度员 of a town): its inbox (escalated cases), opens one, accepts it, dispatches it
  to the county department of the run; then the handled cases: checks one and closes it with the
  agency's feedback. The dispatchers of a town share its cases by case number (a hash), so two rarely
  act on one case; when they do, the 409 is counted as ``conflicts``, not as an error.
* **department** (受理员 of a county department): its queue of dispatched cases, signs one; its cases in
  progress, handles one (the result). Shared among the department's receivers like the dispatchers'.
* **leader** (county 网格化机构管理员 and town 总网格长): the statistics, the open and the overdue case
  lists, the warnings, the governance index.
* **probe**: ``GET /api/v1/health`` on each process every second: the floor of an answer under the
  same load.
"""

from __future__ import annotations

import collections
import io
import random
import time
import zlib
from dataclasses import dataclass, field

import httpx
import numpy as np

# ---------------------------------------------------------------------------------------------
# Figures


class SetupError(Exception):
    """The run could not be set up (accounts, servers): said in Chinese, exit status 2."""


class Stats:
    """Latencies and outcomes by (role, operation)."""

    def __init__(self) -> None:
        self.lat: dict[tuple[str, str], list[float]] = collections.defaultdict(list)
        self.errors: collections.Counter = collections.Counter()
        self.conflicts: collections.Counter = collections.Counter()
        self.samples: list[str] = []

    def note(self, key: tuple[str, str], seconds: float, status: int | str, text: str = "") -> str:
        self.lat[key].append(seconds)
        if isinstance(status, int) and 200 <= status < 300:
            return "ok"
        if status == 409:
            self.conflicts[key] += 1
            return "conflict"
        self.errors[key] += 1
        if len(self.samples) < 20:
            self.samples.append(f"{key[0]}/{key[1]}: {status} {text[:300]}")
        return "error"

    def figures(self, key: tuple[str, str], seconds: float) -> dict:
        lat = np.array(self.lat[key]) * 1000
        out = {"count": len(lat), "per_s": round(len(lat) / seconds, 2)}
        for q in (50, 95, 99):
            out[f"p{q}_ms"] = round(float(np.percentile(lat, q)), 1) if len(lat) else None
        out["errors"] = self.errors[key]
        out["conflicts"] = self.conflicts[key]
        return out


@dataclass
class User:
    role: str
    username: str
    base: str
    place: str = ""                    # worker: its grid; dispatcher: its town; department: its dept code
    lead: str = ""                     # dispatcher: the department it dispatches to
    share: tuple[int, int] = (0, 1)    # (my index, how many) among the users sharing a queue
    token: str = ""
    seen: list[str] = field(default_factory=list)


class Session:
    """One user's connection and its timed requests."""

    def __init__(self, user: User, stats: Stats, timeout: float) -> None:
        self.user, self.stats = user, stats
        self.http = httpx.AsyncClient(base_url=user.base, timeout=timeout,
                                      headers={"Authorization": f"Bearer {user.token}"})

    async def call(self, op: str, method: str, path: str, **kw) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            r = await self.http.request(method, path, **kw)
        except httpx.HTTPError as exc:
            self.stats.note((self.user.role, op), time.perf_counter() - started, type(exc).__name__)
            return None
        outcome = self.stats.note((self.user.role, op), time.perf_counter() - started, r.status_code, r.text)
        return r if outcome == "ok" else None

    def mine(self, r: httpx.Response | None) -> list[str]:
        """The case numbers of a list answer that fall to this user among those sharing the queue."""
        if r is None:
            return []
        index, count = self.user.share
        return [c["case_no"] for c in r.json()["items"] if zlib.crc32(c["case_no"].encode()) % count == index]


# ---------------------------------------------------------------------------------------------
# What each role does


def _png(rng: random.Random) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (rng.randrange(256), rng.randrange(256), rng.randrange(256))).save(buf, "PNG")
    return buf.getvalue()


async def worker(s: Session, rng: random.Random, ctx: dict) -> None:
    u, r = s.user, rng.random()
    if r < 0.35:
        photos = []
        if rng.random() < 0.1:
            got = await s.call("photo", "POST", "/api/v1/case-photos",
                               files={"file": ("photo.png", _png(rng), "image/png")})
            if got is None:
                return
            photos = [got.json()["sha256"]]
        body = {"title": rng.choice(("占道经营堵塞通道", "路灯不亮", "井盖缺失", "垃圾堆放未清运")),
                "description": "巡查发现，需协调处理", "category": ctx["category"], "source": "patrol",
                "grid_code": u.place, "address": f"解放路 {rng.randrange(1, 300)} 号", "photos": photos,
                "next_action": "escalate"}
        got = await s.call("report", "POST", "/api/v1/cases", json=body)
        if got is not None:
            u.seen = (u.seen + [got.json()["case_no"]])[-20:]
    elif r < 0.65:
        got = await s.call("my_cases", "GET", "/api/v1/cases", params={"grid": u.place, "page_size": 20})
        if got is not None:
            u.seen = [c["case_no"] for c in got.json()["items"]] or u.seen
    elif r < 0.85 and u.seen:
        await s.call("case", "GET", f"/api/v1/cases/{rng.choice(u.seen)}")
    else:
        await s.call("notifications", "GET", "/api/v1/notifications")


async def dispatcher(s: Session, rng: random.Random, ctx: dict) -> None:
    u = s.user
    if rng.random() < 0.6:
        todo = s.mine(await s.call("inbox", "GET", "/api/v1/cases", params={"state": "escalated", "page_size": 20}))
        if todo:
            no = todo[0]
            await ctx["think"](0.5)
            if await s.call("case", "GET", f"/api/v1/cases/{no}") is None:
                return
            await ctx["think"](0.5)
            if await s.call("accept", "POST", f"/api/v1/cases/{no}/actions/accept", json={}) is None:
                return
            await ctx["think"](0.5)
            await s.call("dispatch", "POST", f"/api/v1/cases/{no}/actions/dispatch", json={"lead_department": u.lead})
    else:
        todo = s.mine(await s.call("handled", "GET", "/api/v1/cases", params={"state": "handled", "page_size": 20}))
        if todo:
            no = todo[0]
            await ctx["think"](0.5)
            if await s.call("check", "POST", f"/api/v1/cases/{no}/actions/check", json={}) is None:
                return
            await ctx["think"](0.5)
            await s.call("close", "POST", f"/api/v1/cases/{no}/actions/feedback",
                         json={"evaluation": "satisfied", "note": "电话回访，群众满意"})


async def department(s: Session, rng: random.Random, ctx: dict) -> None:
    u = s.user
    if rng.random() < 0.5:
        todo = s.mine(await s.call("queue", "GET", "/api/v1/cases",
                                   params={"state": "dispatched", "lead": u.place, "page_size": 20}))
        if todo:
            await ctx["think"](0.5)
            await s.call("sign", "POST", f"/api/v1/cases/{todo[0]}/actions/sign", json={})
    else:
        todo = s.mine(await s.call("in_progress", "GET", "/api/v1/cases",
                                   params={"state": "in_progress", "lead": u.place, "page_size": 20}))
        if todo:
            await ctx["think"](0.5)
            await s.call("handle", "POST", f"/api/v1/cases/{todo[0]}/actions/handle",
                         json={"result": "已到现场处理完毕，恢复正常"})


LEADER_READS = (
    (0.20, "list_open", "/api/v1/cases", {"state": "open", "page_size": 20}),
    (0.15, "list_overdue", "/api/v1/cases", {"overdue": "true", "page_size": 20}),
    (0.25, "stats", "/api/v1/stats/cases", {"group_by": "area"}),
    (0.15, "stats_type", "/api/v1/stats/cases", {"group_by": "type"}),
    (0.15, "warnings", "/api/v1/warnings", {}),
    (0.10, "index", "/api/v1/index", {}),
)


async def leader(s: Session, rng: random.Random, ctx: dict) -> None:
    _w, op, path, params = rng.choices(LEADER_READS, weights=[x[0] for x in LEADER_READS])[0]
    await s.call(op, "GET", path, params=params)


ROLES = {"worker": worker, "dispatcher": dispatcher, "department": department, "leader": leader}
MIX = {"worker": 0.5, "dispatcher": 0.15, "department": 0.15, "leader": 0.2}
