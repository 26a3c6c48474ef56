"""The case file: a hash chain in which any change, removal or reordering shows at its entry."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from gridgov.cases.file import GENESIS, HASHED_FIELDS, append, entry_hash, verify_chain
from gridgov.kit.clock import SHANGHAI

T0 = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
STEPS = [
    ("verify", "fulltime", "reported", "verified", "现场确认属实"),
    ("escalate", "fulltime", "verified", "escalated", "无法现场处置"),
    ("accept", "agency_dispatcher", "escalated", "accepted", ""),
    ("dispatch", "agency_dispatcher", "accepted", "dispatched", "交城管局办理"),
    ("sign", "dept_receiver", "dispatched", "in_progress", ""),
]


def build_file() -> list[dict]:
    entries: list[dict] = []
    for i, (action, role, before, after, note) in enumerate(STEPS):
        entries.append(
            append(
                entries,
                {
                    "case_no": "321102-20260930-00001",
                    "action": action,
                    "actor_id": 10 + i,
                    "actor": f"user{i}",
                    "role": role,
                    "at": T0 + timedelta(hours=i),
                    "from_state": before,
                    "to_state": after,
                    "note": note,
                    "data": {"lead_department": "321102-cg"} if action == "dispatch" else None,
                    "attachments": ["ab" * 32] if action == "verify" else [],
                },
            )
        )
    return entries


@pytest.mark.req("D8")
def test_an_intact_file_verifies():
    entries = build_file()
    assert verify_chain(entries) == []
    assert entries[0]["prev_hash"] == GENESIS
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert verify_chain(entries, head=entries[-1]["hash"]) == []


def test_the_hash_is_sha256_over_the_canonical_json_of_the_entry_and_the_previous_hash():
    entry = build_file()[0]
    body = {name: entry[name] for name in HASHED_FIELDS} | {"prev_hash": GENESIS}
    body["at"] = "2026-09-30T10:00:00.000000+08:00"
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert entry["hash"] == hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_the_same_instant_in_utc_or_shanghai_hashes_the_same():
    entry = build_file()[0]
    local = entry | {"at": entry["at"].astimezone(SHANGHAI)}
    assert entry_hash(GENESIS, local) == entry["hash"]


CHANGES = {
    "case_no": "321102-20260930-00002",
    "seq": 9,
    "action": "reject",
    "actor_id": 99,
    "actor": "someone",
    "role": "agency_admin",
    "at": T0 + timedelta(days=1),
    "from_state": "reported",
    "to_state": "rejected",
    "note": "改过的说明",
    "data": {"lead_department": "321102-sc"},
    "attachments": ["cd" * 32],
}


@pytest.mark.req("D8")
@pytest.mark.parametrize("field", HASHED_FIELDS)
def test_altering_any_field_is_detected_at_that_entry(field):
    entries = build_file()
    entries[2] = entries[2] | {field: CHANGES[field]}
    problems = verify_chain(entries)
    assert problems and problems[0].index == 2
    assert "content" in {p.kind for p in problems if p.index == 2}
    assert "改动" in problems[0].message


def test_an_altered_entry_whose_hash_was_recomputed_breaks_the_link_of_the_next():
    entries = build_file()
    forged = entries[2] | {"note": "伪造"}
    forged["hash"] = entry_hash(forged["prev_hash"], forged)
    entries[2] = forged
    problems = verify_chain(entries)
    assert problems[0].index == 3 and problems[0].kind == "link" and problems[0].seq == 4


def test_a_removed_entry_is_detected_where_it_was():
    entries = build_file()
    del entries[2]
    problems = verify_chain(entries)
    assert problems[0].index == 2 and problems[0].seq == 4
    assert {p.kind for p in problems} >= {"sequence", "link"}
    assert all(p.index == 2 for p in problems)


def test_removing_the_first_entry_is_detected():
    problems = verify_chain(build_file()[1:])
    assert problems[0].index == 0 and problems[0].seq == 2


def test_swapped_entries_are_detected_at_the_first_of_them():
    entries = build_file()
    entries[1], entries[2] = entries[2], entries[1]
    problems = verify_chain(entries)
    assert problems[0].index == 1 and problems[0].seq == 3


def test_a_cut_off_tail_shows_only_against_the_recorded_head():
    entries = build_file()
    head = entries[-1]["hash"]
    assert verify_chain(entries[:-1]) == []
    problems = verify_chain(entries[:-1], head=head)
    assert [p.kind for p in problems] == ["head"]


def test_database_rows_without_the_case_number_verify_with_it_given():
    rows = [SimpleNamespace(**{k: v for k, v in e.items() if k != "case_no"}) for e in build_file()]
    assert verify_chain(rows, case_no="321102-20260930-00001") == []
    problems = verify_chain(rows, case_no="321102-20260930-00009")
    assert problems[0].index == 0 and problems[0].kind == "content"


def test_an_entry_missing_a_required_field_cannot_be_hashed():
    entry = build_file()[0]
    del entry["action"]
    with pytest.raises(KeyError):
        entry_hash(GENESIS, entry)
    broken = build_file()
    del broken[1]["role"]
    assert verify_chain(broken)[0].kind == "unreadable"
