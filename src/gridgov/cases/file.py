"""The tamper-evident file (电子档案) of a case: every action is one entry in a hash chain.

Each entry's ``hash`` is SHA-256 over a canonical JSON of its fields *and the previous entry's
hash*; the first entry chains to :data:`GENESIS`. Changing a field, removing an entry or reordering
entries therefore breaks the chain at a definite entry, which :func:`verify_chain` names. The
database refuses UPDATE and DELETE on ``case_log`` as well; the chain is what lets anyone *check*
afterwards, from an export, that nothing was changed.

Canonical form (stable across SQLite, PostgreSQL and exports):

- keys sorted, no spaces, UTF-8 without escaping (``ensure_ascii=False``);
- ``at`` in ISO 8601 on the Asia/Shanghai clock with microseconds, e.g.
  ``2026-09-30T10:00:00.000000+08:00`` (the database hands back UTC; the instant is what counts);
- ``attachments`` as the list of content hashes in the order given (the order is part of the entry);
- ``data`` (the action's payload, e.g. the lead department or the evaluation) as JSON, ``null`` when
  absent; it must be JSON-serialisable (dates as strings).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gridgov.kit.clock import SHANGHAI

GENESIS = "0" * 64
"""The ``prev_hash`` of a case's first entry."""

HASHED_FIELDS = (
    "case_no",
    "seq",
    "action",
    "actor_id",
    "actor",
    "role",
    "at",
    "from_state",
    "to_state",
    "note",
    "data",
    "attachments",
)
"""The fields an entry's hash covers, besides ``prev_hash``. ``actor_id`` and ``data`` may be None."""

_MISSING = object()
_OPTIONAL = frozenset({"actor_id", "data", "attachments", "note", "from_state", "to_state"})


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            raise ValueError("at must be an aware datetime")
        return value.astimezone(SHANGHAI).isoformat(timespec="microseconds")
    if isinstance(value, str):
        return _iso(datetime.fromisoformat(value))
    raise TypeError(f"at must be a datetime, got {type(value).__name__}")


def _get(entry: Any, name: str, default: Any = None) -> Any:
    if isinstance(entry, Mapping):
        return entry.get(name, default)
    return getattr(entry, name, default)


def canonical(fields: Mapping[str, Any] | Any, prev_hash: str) -> bytes:
    """The exact bytes hashed for an entry: its :data:`HASHED_FIELDS` plus ``prev_hash``.

    ``fields`` is a mapping or an object with those attributes (e.g. a ``CaseLogEntry`` row with
    ``case_no`` set on it or passed through :func:`verify_chain`). A missing required field raises
    KeyError rather than hashing a default.
    """
    body: dict[str, Any] = {}
    for name in HASHED_FIELDS:
        value = _get(fields, name, _MISSING)
        if value is _MISSING:
            if name not in _OPTIONAL:
                raise KeyError(name)
            value = None
        body[name] = value
    body["at"] = _iso(body["at"])
    body["seq"] = int(body["seq"])
    body["note"] = body["note"] or ""
    body["from_state"] = str(body["from_state"] or "")
    body["to_state"] = str(body["to_state"] or "")
    body["action"], body["role"], body["actor"] = str(body["action"]), str(body["role"]), str(body["actor"])
    body["attachments"] = [str(h) for h in (body["attachments"] or [])]
    body["prev_hash"] = str(prev_hash)
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def entry_hash(prev_hash: str, fields: Mapping[str, Any] | Any) -> str:
    """SHA-256 (hex) of an entry chained to ``prev_hash`` (:data:`GENESIS` for the first entry)."""
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """One break in a case's file: the entry (its position and ``seq``) and what is wrong there."""

    index: int
    seq: int | None
    kind: str
    message: str


def verify_chain(
    entries: Iterable[Mapping[str, Any] | Any], *, case_no: str | None = None, head: str | None = None
) -> list[ChainProblem]:
    """Every break in the chain, in order; an empty list means the file is intact.

    ``entries`` are in file order (as stored, by ``seq``), each with the hashed fields, ``prev_hash``
    and ``hash``. ``case_no`` fills in entries that do not carry it (database rows carry the case's
    id, not its number). Per entry: ``seq`` follows the previous one (1 first), so a removed or
    moved entry shows; ``prev_hash`` is the previous entry's ``hash`` (GENESIS first); ``hash`` is the
    hash of the entry's own content, so an altered field shows. The first problem names the first
    broken entry.

    A chain cannot show that its *last* entries were cut off; pass ``head`` (the hash the case
    recorded for its latest entry, kept elsewhere, e.g. in an export) to check that too.
    """
    problems: list[ChainProblem] = []
    expected_prev, expected_seq, last_hash = GENESIS, 1, None

    def problem(index: int, seq: Any, kind: str, text: str) -> None:
        problems.append(ChainProblem(index, seq, kind, f"第 {index + 1} 条记录（序号 {seq}）{text}"))

    for index, entry in enumerate(entries):
        fields: Any = entry
        if case_no is not None and _get(entry, "case_no") is None:
            found = {name: _get(entry, name, _MISSING) for name in HASHED_FIELDS}
            fields = {k: v for k, v in found.items() if v is not _MISSING} | {"case_no": case_no}
        seq = _get(entry, "seq")
        stored_prev, stored_hash = _get(entry, "prev_hash"), _get(entry, "hash")
        if seq != expected_seq:
            problem(index, seq, "sequence", f"序号应为 {expected_seq}：之前的记录被删除或顺序被改动")
        if stored_prev != expected_prev:
            problem(index, seq, "link", "与前一条记录的哈希链接不符：之前的记录被删除、插入、移动或改动")
        try:
            actual: str | None = entry_hash(stored_prev or "", fields)
        except (KeyError, TypeError, ValueError) as exc:
            problem(index, seq, "unreadable", f"缺少或无法读取字段：{exc}")
            actual = None
        if actual is not None and actual != stored_hash:
            problem(index, seq, "content", "的内容与其哈希不符：记录被改动")
        expected_prev = stored_hash or ""
        expected_seq = (seq + 1) if isinstance(seq, int) else expected_seq + 1
        last_hash = stored_hash
    if head is not None and last_hash != head:
        problems.append(ChainProblem(-1, None, "head", "档案的最后一条记录与登记的不符：末尾的记录被删除或改动"))
    return problems


def append(entries: list[Mapping[str, Any]], fields: Mapping[str, Any]) -> dict[str, Any]:
    """The next entry of a file held in memory: ``seq``, ``prev_hash`` and ``hash`` filled in.

    A helper for tests, exports and the service (which reads the last entry's ``seq`` and ``hash``
    from the database and calls :func:`entry_hash` the same way).
    """
    prev = _get(entries[-1], "hash") if entries else GENESIS
    entry = dict(fields)
    entry["seq"] = len(entries) + 1
    entry["prev_hash"] = prev
    entry["hash"] = entry_hash(prev, entry)
    return entry
