"""Generated people for the register (实有人口) at scale: spread over every grid, each with a fictional
ID number (the county's area code, a birth date, a sequence number in the 900–949 block no other demo
data uses, a valid GB 11643 check digit) and phone, both sealed with the deployment's
:class:`gridgov.kit.crypto.FieldCipher` and masked, the ID number's blind index for the exact search,
exactly as the import writes them. ``source='demo'`` (the pages show the 演示数据 badge)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from gridgov.kit.masking import mask_id_number, mask_phone
from gridgov.registry.rules import gender_of, id_check_digit
from gridgov.scale.cases import SURNAMES

GIVEN = ["建国", "晓梅", "志强", "丽华", "海峰", "秀英", "文杰", "春燕", "国华", "玉兰", "军", "静", "磊", "敏", "涛",
         "芳", "明", "婷", "斌", "丹", "俊杰", "雪梅", "立新", "美玲", "永刚", "慧敏", "宏伟", "小红", "子涵", "浩然"]
FIRST_BORN = date(1935, 1, 1)
BIRTH_SPAN_DAYS = 32_000
SEQ_BASE = 900


def id_number(j: int, county: str) -> str:
    """The ``j``-th generated person of ``county``: distinct for j < 50 × :data:`BIRTH_SPAN_DAYS`."""
    born = FIRST_BORN + timedelta(days=(j * 7919) % BIRTH_SPAN_DAYS)
    first17 = f"{county[:6]}{born:%Y%m%d}{SEQ_BASE + (j // BIRTH_SPAN_DAYS) % 50:03d}"
    return first17 + id_check_digit(first17)


class PeopleGenerator:
    def __init__(self, grids: list[str], *, cipher, now: datetime, seed: int = 19, start: int = 0) -> None:
        self.grids, self.cipher, self.now, self.seed = grids, cipher, now, seed
        self.next = start
        self.per_county: dict[str, int] = {}
        for i in range(start):  # the counters of the people already written (a resumed build)
            county = grids[i % len(grids)][:6]
            self.per_county[county] = self.per_county.get(county, 0) + 1

    def rows(self, n: int) -> list[dict[str, Any]]:
        rng = random.Random(self.seed * 7_000_003 + self.next)
        out = []
        enc, index = self.cipher.encrypt, self.cipher.blind_index
        for i in range(self.next, self.next + n):
            grid = self.grids[i % len(self.grids)]
            j = self.per_county.get(grid[:6], 0)
            self.per_county[grid[:6]] = j + 1
            number, phone = id_number(j, grid[:6]), f"1991{i:07d}"
            out.append({"name": SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice(GIVEN), "id_kind": "resident",
                        "id_number_enc": enc(number), "id_number_index": index(number),
                        "id_number_mask": mask_id_number(number), "gender": gender_of(number),
                        "ethnicity": "01" if rng.random() < 0.92 else "03",
                        "birth_date": FIRST_BORN + timedelta(days=(j * 7919) % BIRTH_SPAN_DAYS),
                        "phone_enc": enc(phone), "phone_mask": mask_phone(phone),
                        "residence_kind": rng.choices(["registered", "floating", "overseas"], [80, 18, 2])[0],
                        "house_id": None, "status": "active", "scope_code": grid, "source": "demo",
                        "created_at": self.now, "updated_at": self.now})
        self.next += n
        return out
