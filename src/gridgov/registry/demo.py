"""The demo town's synthetic register (一标三实): about :data:`DEMO_PEOPLE` people in houses at
standard addresses inside the town's comprehensive grids, units with valid unified social credit
codes, special-group tags and visit histories. Every row has ``source='demo'`` (pages show a
演示数据 badge).

Everything is fictional: ID numbers carry the demo county's area code, a birth date and a sequence
number in the 950–999 block with a valid GB 11643 check digit (no real person's number is meant);
phones are in the unused ``1992xxxxxxx`` block; names are drawn from common surnames and given
names. Personal values are sealed with the deployment's cipher exactly as real data is (the privacy
test searches the raw database for them). Deterministic (a fixed seed) and idempotent: a second
run finds the demo rows and adds nothing. Rows go in through multi-row INSERTs, so the 20,000 people
take seconds (``gridgov demo`` prints the time).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import numpy as np
import shapely
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from gridgov.authz.scope import SYSTEM, scoped
from gridgov.kit.crypto import FieldCipher
from gridgov.kit.masking import mask_id_number, mask_phone
from gridgov.models import Area, Grid
from gridgov.models.registry import Address, House, Person, PersonTag, Unit, Visit
from gridgov.models.territory import GridKind, GridStatus
from gridgov.registry import import_lookup, importing, layout
from gridgov.registry.rules import USCC_CHARSET, gender_of, id_check_digit, uscc_check_char

DEMO_PEOPLE = 20_000
PEOPLE_PER_HOUSE = 2.8
UNITS_PER_GRID = 5
SEED = 15

DEMO_TAGS = [("elderly_alone", "独居老人"), ("left_behind_child", "留守儿童"), ("disabled", "残疾人"),
             ("low_income", "低保对象")]
"""The special-group tag codes the demo uses. The care engineer defines the profile's tag codes
(registry tags, their sensitivity, visit frequency and roles) at the same time; these four codes
are meant to be among them (the integrator checks they match)."""

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = ["建国", "晓梅", "志强", "丽华", "海峰", "秀英", "文杰", "春燕", "国华", "玉兰", "军", "静", "磊", "敏", "涛",
         "芳", "明", "婷", "斌", "丹", "俊杰", "雪梅", "立新", "美玲", "永刚", "慧敏", "宏伟", "小红", "子涵", "浩然",
         "欣怡", "宇轩", "梓萱", "一诺", "桂兰", "德福", "淑珍", "福生"]
ROADS = ["幸福路", "人民路", "建设路", "和平街", "解放路", "新华街", "朝阳路", "文化路", "光明街", "长江路"]
UNIT_NAMES = ["便民超市", "五金店", "餐馆", "物流站", "服装厂", "维修部", "药店", "幼儿园", "诊所", "快递点"]
VISIT_NOTES = ["身体状况良好，生活能自理", "家中整洁，无安全隐患", "反映用水不便，已登记需求", "需要代购药品",
               "提醒注意用电安全", "子女每周来电", "已落实低保待遇"]
FIRST_BORN = date(1935, 1, 1)
BIRTH_SPAN_DAYS = 32_000
SEQ_BASE = 950
"""ID sequence numbers 950–999: a block no other demo data uses."""


def demo_id_number(i: int, county: str) -> str:
    """Demo person ``i``'s fictional ID number: distinct for i < 50 × :data:`BIRTH_SPAN_DAYS`."""
    born = FIRST_BORN + timedelta(days=(i * 7919) % BIRTH_SPAN_DAYS)
    seq = SEQ_BASE + (i // BIRTH_SPAN_DAYS) % 50
    first17 = f"{county[:6]}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def demo_phone(i: int) -> str:
    return f"1992{i:07d}"


def demo_uscc(i: int, county: str) -> str:
    digits, n = [], i + 31 ** 6  # i in base 31, nine characters: distinct for every i
    for _ in range(9):
        n, d = divmod(n, len(USCC_CHARSET))
        digits.append(USCC_CHARSET[d])
    first17 = "91" + county[:6] + "".join(reversed(digits))
    return first17 + uscc_check_char(first17)


def _points(geom_wkb: bytes, n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    """``n`` points inside the grid's polygon (rejection sampling in its bounding box)."""
    geom = shapely.from_wkb(geom_wkb)
    x0, y0, x1, y1 = geom.bounds
    out: list[tuple[float, float]] = []
    shapely.prepare(geom)
    while len(out) < n:
        xs, ys = rng.uniform(x0, x1, 4 * n), rng.uniform(y0, y1, 4 * n)
        inside = shapely.contains_xy(geom, xs, ys)
        out.extend((round(float(x), 6), round(float(y), 6)) for x, y in zip(xs[inside], ys[inside], strict=True))
    return out[:n]


def _ids(session: Session, model, key, values) -> dict:
    out: dict = {}
    values = list(values)
    for start in range(0, len(values), 500):
        out |= dict(session.execute(scoped(select(key, model.id).where(key.in_(values[start:start + 500])),
                                           SYSTEM, model)).all())
    return out


def build_demo_register(session: Session, town: str, *, cipher: FieldCipher, now: datetime,
                        people: int = DEMO_PEOPLE) -> str:
    """Builds the demo register of ``town`` (an area code) unless it is there; says what it did."""
    if people <= 0:
        return "演示基础信息：未建立（人数为 0）"
    prefix = town[:9]
    existing = session.scalar(scoped(select(func.count(Person.id)).where(
        Person.scope_code.startswith(prefix), Person.source == "demo"), SYSTEM, Person))
    if existing:
        return f"演示基础信息已存在（{existing} 人），沿用现有数据"
    grids = session.execute(scoped(select(Grid.code, Grid.geom_wkb, Grid.population).where(
        Grid.code.startswith(prefix), Grid.status == GridStatus.ACTIVE,
        Grid.kind.in_([GridKind.URBAN, GridKind.RURAL])).order_by(Grid.code), SYSTEM, Grid)).all()
    if not grids:
        return "演示基础信息：演示街道没有综合网格，未建立"
    villages = {g.code[:12] for g in grids}
    names = dict(session.execute(scoped(select(Area.code, Area.name).where(Area.code.in_(villages)),
                                        SYSTEM, Area)).all())
    places = import_lookup.villages(session, villages)  # county, town and village names
    rng, nrng = random.Random(SEED), np.random.default_rng(SEED)
    weights = [max(g.population, 1) for g in grids]
    share = [round(people * w / sum(weights)) for w in weights]
    share[-1] += people - sum(share)
    today = now.date()

    addresses, house_plan, unit_plan = [], [], []
    for g, n_people in zip(grids, share, strict=True):
        n_houses = max(1, round(n_people / PEOPLE_PER_HOUSE))
        n_units = UNITS_PER_GRID
        points = _points(g.geom_wkb, (n_houses + 11) // 12 + n_units, nrng)
        village, seq = g.code[:12], int(g.code[12:15])
        place = places.get(village, "")
        road = ROADS[seq % len(ROADS)]
        for h in range(n_houses + n_units):
            b = h // 12 if h < n_houses else (n_houses + 11) // 12 + (h - n_houses)
            building, unit, room = (str(b + 1), str(h % 12 // 6 + 1), f"{h % 6 // 2 + 1}0{h % 2 + 1}") \
                if h < n_houses else ("", "", "")
            house_no = f"{seq}{b:02d}" if h < n_houses else f"{seq}{b:02d}-{h - n_houses + 1}"
            canonical = layout.canonical_address(place, road, house_no, building, unit, room)
            lon, lat = points[b]
            addresses.append({"code": "", "area_code": village, "road": road,
                              "house_no": house_no, "building": building, "unit": unit, "room": room,
                              "canonical": canonical, "lon": lon, "lat": lat, "grid_code": g.code,
                              "scope_code": g.code, "source": "demo", "created_at": now, "updated_at": now})
            (house_plan if h < n_houses else unit_plan).append((canonical, g.code))
    importing.number_addresses(session, addresses)
    session.execute(insert(Address), addresses)
    address_ids = _ids(session, Address, Address.canonical, [a["canonical"] for a in addresses])

    usages = ["own"] * 6 + ["rented"] * 3 + ["vacant", "business", "other"]
    houses = [{"address_id": address_ids[c], "usage": rng.choice(usages), "owner_name": "", "area_m2":
               float(rng.randrange(45, 160)), "note": "", "scope_code": grid, "source": "demo", "created_at": now,
               "updated_at": now} for c, grid in house_plan]
    session.execute(insert(House), houses)
    house_ids = _ids(session, House, House.address_id, [h["address_id"] for h in houses])

    county = town[:6] + "000000"
    rows, slots = [], [(house_ids[h["address_id"]], h["scope_code"]) for h in houses if h["usage"] != "vacant"]
    for i in range(people):
        number, phone = demo_id_number(i, county), demo_phone(i)
        house_id, grid = slots[i % len(slots)]
        born = FIRST_BORN + timedelta(days=(i * 7919) % BIRTH_SPAN_DAYS)
        kind = rng.choices(["registered", "floating", "overseas"], [80, 18, 2])[0]
        rows.append({"name": SURNAMES[rng.randrange(len(SURNAMES))] + rng.choice(GIVEN), "id_kind": "resident",
                     "id_number_enc": cipher.encrypt(number), "id_number_index": cipher.blind_index(number),
                     "id_number_mask": mask_id_number(number), "gender": gender_of(number),
                     "ethnicity": "01" if rng.random() < 0.92 else rng.choice(["03", "08", "11", "06", "15"]),
                     "birth_date": born, "phone_enc": cipher.encrypt(phone), "phone_mask": mask_phone(phone),
                     "residence_kind": kind, "house_id": house_id, "status": "active", "scope_code": grid,
                     "source": "demo", "created_at": now, "updated_at": now})
    for start in range(0, len(rows), 5000):
        session.execute(insert(Person), rows[start:start + 5000])
    person_ids = _ids(session, Person, Person.id_number_index, [r["id_number_index"] for r in rows])

    units = []
    for j, (canonical, grid) in enumerate(unit_plan):
        phone = f"1993{j:07d}"
        name = f"{names.get(grid[:12], '')}{UNIT_NAMES[j % len(UNIT_NAMES)]}{j // len(UNIT_NAMES) + 1}号"
        units.append({"name": name,
                      "uscc": demo_uscc(j, county), "kind": rng.choice(["enterprise", "individual", "social"]),
                      "address_id": address_ids[canonical], "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                      "contact_phone_enc": cipher.encrypt(phone), "contact_phone_mask": mask_phone(phone),
                      "status": "active", "scope_code": grid, "source": "demo", "created_at": now, "updated_at": now})
    session.execute(insert(Unit), units)

    tags, visits = [], []
    tag_seal = {code: cipher.blind_index("tag:" + code) for code, _ in DEMO_TAGS}
    for r in rows:
        age = (today - r["birth_date"]).days // 365
        chosen = [code for code, p in (("elderly_alone", 0.25 if age >= 70 else 0), ("left_behind_child",
                  0.12 if age < 16 else 0), ("disabled", 0.02), ("low_income", 0.03)) if rng.random() < p]
        pid = person_ids[r["id_number_index"]]
        for code in chosen:
            last = today - timedelta(days=rng.randrange(5, 60))
            for v in range(rng.randrange(1, 4)):
                at = datetime.combine(last - timedelta(days=30 * v), datetime.min.time(), tzinfo=now.tzinfo) \
                    + timedelta(hours=9 + v)
                visits.append({"kind": "visit", "person_id": pid, "house_id": r["house_id"], "visited_at": at,
                               "note": rng.choice(VISIT_NOTES), "needs": "", "services": "", "photos": [],
                               "scope_code": r["scope_code"], "source": "demo", "created_at": at})
            tags.append({"person_id": pid, "tag_enc": cipher.encrypt(code), "tag_index": tag_seal[code],
                         "since": today - timedelta(days=rng.randrange(90, 900)), "until": None,
                         "visit_due_on": last + timedelta(days=30), "scope_code": r["scope_code"], "created_at": now})
    if tags:
        session.execute(insert(PersonTag), tags)
    if visits:
        session.execute(insert(Visit), visits)
    return (f"演示基础信息：{len(addresses)} 个标准地址、{len(houses)} 处房屋、{people} 名实有人口、"
            f"{len(units)} 个单位、{len(tags)} 个特殊人群标签、{len(visits)} 次走访（均为虚构的演示数据）")
