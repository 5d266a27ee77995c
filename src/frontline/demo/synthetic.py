"""Deterministic synthetic people for the demo and the benchmarks.

Everything comes from one seeded `random.Random`, so the same seed and the same day give the same
community. Nothing here touches the database; `frontline.demo.loader` turns the people into rows.

What is generated:
- names: surname by rough national frequency (including the polyphonic surnames 曾 单 解 仇 区 朴 查
  and a few compound ones), a given name of one or two characters in the style of the person's
  generation; 2-3 characters in all;
- resident ID numbers: a real 6-digit address code (one that python-stdnum knows), the birth date,
  a 3-digit sequence whose parity follows the sex (odd male, even female) and the GB 11643 check
  character from `frontline.core.identity.check_digit`; unique within one generator;
- mobile numbers: a real mobile prefix and 8 digits from an affine permutation of a counter, so they
  are unique without remembering them;
- households of 1-5 people (a person living alone, couples, parents and children, three
  generations) with a residence type, statuses (mostly present, some away, few moved out) and stored
  vulnerability tags. `senior` is derived from the birth date and never produced here; `infant` is
  stored for everyone aged 3 and under.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from stdnum import numdb

from frontline.core.identity import check_digit

# (surname, weight per mille, roughly the national frequency).
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 22),
    ("赵", 20), ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 13), ("朱", 12),
    ("胡", 12), ("郭", 11), ("何", 10), ("高", 10), ("林", 10), ("罗", 9), ("郑", 9),
    ("梁", 8), ("谢", 7), ("宋", 6), ("唐", 6), ("许", 6), ("韩", 6), ("冯", 6), ("邓", 5),
    ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 4), ("袁", 4), ("潘", 4),
    ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 3),
    ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2),
    ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2),
    ("覃", 1), ("武", 2), ("戴", 2), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("翟", 1),
    # Surnames pypinyin reads by their everyday sound: search must still find them.
    ("单", 0.8), ("解", 0.6), ("仇", 0.5), ("区", 0.4), ("朴", 0.5), ("查", 0.5), ("盖", 0.3),
    ("缪", 0.3), ("乐", 0.3),
    # Compound surnames (the name stays at most 3 characters: one given character).
    ("欧阳", 0.4), ("司马", 0.1), ("诸葛", 0.05), ("上官", 0.05),
)  # fmt: skip

# Given names by generation: born before 1965, 1965-1999, from 2000.
OLD_MALE = (
    "建国", "建华", "国强", "志强", "德明", "永福", "文斌", "福生", "长林", "德胜", "国庆", "卫东",
    "红兵", "建军", "振华", "金海", "桂林", "树林", "光明", "春生", "庆丰", "保国", "继红", "爱国",
    "军", "强", "勇", "刚", "平", "明", "华", "忠", "斌", "林",
)  # fmt: skip
OLD_FEMALE = (
    "秀英", "桂英", "秀兰", "淑珍", "玉兰", "桂兰", "凤英", "秀珍", "素芬", "美华", "桂芳", "玉珍",
    "翠花", "春梅", "爱华", "淑英", "惠芳", "丽华", "月娥", "金凤", "小红", "玉梅", "淑华", "秀梅",
    "英", "兰", "芳", "霞", "珍", "梅", "萍", "琴",
)  # fmt: skip
MID_MALE_CHARS = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "辉", "鹏", "华", "飞", "鑫",
    "波", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "阳", "建", "峰", "亮", "成", "志",
    "海", "东", "文", "博", "晓", "永", "国", "小",
)  # fmt: skip
MID_FEMALE_CHARS = (
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "红", "梅", "琳", "莉", "婷", "雪",
    "慧", "颖", "琴", "兰", "萍", "洁", "晶", "欣", "佳", "倩", "丹", "媛", "瑶", "晓", "春", "小",
)  # fmt: skip
YOUNG_MALE = (
    "子轩", "浩宇", "宇轩", "梓睿", "俊熙", "一鸣", "皓轩", "沐宸", "浩然", "子墨", "宇航", "思远",
    "博文", "天佑", "嘉豪", "家乐", "铭泽", "睿", "哲", "昊", "宸", "轩", "航", "奕辰", "景行",
    "梓豪", "明轩", "俊杰", "雨泽", "晨阳",
)  # fmt: skip
YOUNG_FEMALE = (
    "梓涵", "一诺", "欣怡", "诗涵", "雨桐", "可馨", "梓萱", "语桐", "若汐", "思琪", "佳怡", "雨欣",
    "紫涵", "依诺", "芷若", "子涵", "梦瑶", "心怡", "晓彤", "嘉怡", "悦", "萱", "彤", "琪", "瑶",
    "安琪", "沐晴", "婉清", "雨萱", "静怡",
)  # fmt: skip

# Address codes (GB/T 2260) that python-stdnum's database knows. A code is only used for people
# born while it was in force (stdnum checks this): Wuhan's districts date from 1983, before that
# the city's people were registered under 420120 "市区".
LOCAL_ADDRESS_CODES = ("420106", "420102", "420103", "420111", "420120")  # Wuhan: Wuchang, ...
OTHER_ADDRESS_CODES = (
    "110101", "110102", "110105", "110108", "120101", "120104", "310101", "310104", "310105",
    "310110", "110108", "110102", "120101", "120104", "210102", "230103", "310104", "310115",
    "310107", "320106", "330106", "340104", "350203", "360102", "370102", "370202", "410105",
    "420117", "421002", "422801", "429004", "430104", "440106", "440305", "440304", "450103",
    "500103", "500106", "510104", "510107", "520102", "530102", "610113", "620102", "130102",
    "140105", "150102",
)  # fmt: skip

# Mobile prefixes that `phonenumbers` classes as mobile for every following 8 digits.
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180",
    "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip
PHONE_SPACE = 10**8
PHONE_MULTIPLIER = 73_939_133  # odd and not a multiple of 5: a bijection modulo 10**8

RESIDENCE_WEIGHTS = (("registered", 58), ("long_term", 14), ("tenant", 20), ("floating", 8))
HOUSEHOLD_SIZE_WEIGHTS = ((1, 22), (2, 30), (3, 25), (4, 14), (5, 9))


@dataclass
class Person:
    """One synthetic resident, with the editable fields of `Resident` and its stored tags."""

    name: str
    sex: str  # "M" / "F"
    birth_date: dt.date
    document_number: str
    phone: str = ""
    residence_type: str = "registered"
    status: str = "present"
    emergency_contact_name: str = ""
    emergency_contact_phone: str = ""
    tags: list[str] = field(default_factory=list)


def age_on(birth_date: dt.date, today: dt.date) -> int:
    """Whole years, as `Resident.age` counts them."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


class _Weighted:
    """A fast weighted choice over a fixed table (random.choices with precomputed cum_weights)."""

    def __init__(self, pairs: Sequence[tuple[object, float]]) -> None:
        self.values = [value for value, _ in pairs]
        self.cum = list(accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random) -> object:
        return rng.choices(self.values, cum_weights=self.cum)[0]


_SURNAMES = _Weighted(SURNAMES)
_RESIDENCE = _Weighted(RESIDENCE_WEIGHTS)
_HOUSEHOLD_SIZE = _Weighted(HOUSEHOLD_SIZE_WEIGHTS)


class Synthesizer:
    """Seeded source of names, IDs, phones and whole households.

    IDs and phones are unique per instance: IDs by remembering the first 17 digits as integers
    (about 60 MB at a million people), phones by construction.
    """

    def __init__(
        self,
        seed: int,
        *,
        today: dt.date,
        local_codes: Sequence[str] = LOCAL_ADDRESS_CODES,
        other_codes: Sequence[str] = OTHER_ADDRESS_CODES,
    ) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.local_codes = tuple(local_codes)
        self.other_codes = tuple(other_codes)
        self._ids: set[int] = set()
        self._phone_counter = 0
        self._phone_offset = self.rng.randrange(PHONE_SPACE)

    # --- atoms -------------------------------------------------------------------------------

    def surname(self) -> str:
        return str(_SURNAMES.pick(self.rng))

    def given_name(self, sex: str, birth_year: int) -> str:
        rng = self.rng
        if birth_year < 1965:
            return rng.choice(OLD_MALE if sex == "M" else OLD_FEMALE)
        if birth_year >= 2000:
            return rng.choice(YOUNG_MALE if sex == "M" else YOUNG_FEMALE)
        chars = MID_MALE_CHARS if sex == "M" else MID_FEMALE_CHARS
        if rng.random() < 0.3:
            return rng.choice(chars)
        first, second = rng.choice(chars), rng.choice(chars)
        while second == first:
            second = rng.choice(chars)
        return first + second

    def name(self, sex: str, birth_year: int, surname: str | None = None) -> str:
        surname = surname or self.surname()
        given = self.given_name(sex, birth_year)
        if len(surname) + len(given) > 3:
            given = given[-1]
        return surname + given

    def birth_date(self, age: int) -> dt.date:
        """A real date on which someone is exactly `age` today."""
        latest = _years_before(self.today, age)
        earliest = _years_before(self.today, age + 1) + dt.timedelta(days=1)
        span = (latest - earliest).days
        return earliest + dt.timedelta(days=self.rng.randint(0, span))

    def address_code(self, residence_type: str, birth_year: int) -> str:
        """A code in force in the birth year: mostly local for registered and long-term people."""
        local_share = 0.85 if residence_type in ("registered", "long_term") else 0.25
        local = _codes_in_force(self.local_codes, birth_year)
        if local and self.rng.random() < local_share:
            return self.rng.choice(local)
        return self.rng.choice(_codes_in_force(self.other_codes, birth_year) or local)

    def resident_id(self, *, birth_date: dt.date, sex: str, address_code: str) -> str:
        """A valid, unique 18-character resident ID."""
        head = f"{address_code}{birth_date:%Y%m%d}"
        parity = 1 if sex == "M" else 0
        while True:
            sequence = self.rng.randrange(1, 500) * 2 - 1 + (1 - parity)  # odd for M, even for F
            first17 = f"{head}{sequence:03d}"
            key = int(first17)
            if key not in self._ids:
                self._ids.add(key)
                return first17 + check_digit(first17)

    def mobile(self) -> str:
        """A unique 11-digit mobile number."""
        self._phone_counter += 1
        if self._phone_counter >= PHONE_SPACE:
            raise OverflowError("synthetic phone numbers exhausted")
        suffix = (PHONE_MULTIPLIER * self._phone_counter + self._phone_offset) % PHONE_SPACE
        return f"{self.rng.choice(MOBILE_PREFIXES)}{suffix:08d}"

    # --- people ------------------------------------------------------------------------------

    def person(
        self, *, sex: str, age: int, residence_type: str, surname: str | None = None
    ) -> Person:
        rng = self.rng
        birth_date = self.birth_date(max(age, 0))
        age = age_on(birth_date, self.today)
        person = Person(
            name=self.name(sex, birth_date.year, surname),
            sex=sex,
            birth_date=birth_date,
            document_number=self.resident_id(
                birth_date=birth_date,
                sex=sex,
                address_code=self.address_code(residence_type, birth_date.year),
            ),
            residence_type=residence_type,
        )
        has_phone = (age >= 12 and rng.random() < 0.96) if age < 80 else rng.random() < 0.6
        if has_phone:
            person.phone = self.mobile()
        roll = rng.random()
        away_share = 0.08 if residence_type in ("registered", "long_term") else 0.14
        if roll < 0.025:
            person.status = "moved_out"
        elif roll < 0.025 + away_share:
            person.status = "away"
        person.tags = self._tags(person, age)
        return person

    def _tags(self, person: Person, age: int) -> list[str]:
        rng = self.rng
        tags: list[str] = []
        chronic_share = 0.35 if age >= 60 else 0.12 if age >= 40 else 0.02
        if rng.random() < chronic_share:
            tags.append("chronic")
        if age >= 40 and rng.random() < 0.003:
            tags.append("dialysis")
        if person.sex == "F" and 20 <= age <= 40 and rng.random() < 0.05:
            tags.append("pregnant")
        if rng.random() < 0.02:
            tags.append("disabled")
        if rng.random() < (0.04 if age >= 75 else 0.001):
            tags.append("bedridden")
        if age <= 3:
            tags.append("infant")
        if age >= 14 and rng.random() < 0.01:
            tags.append("mental_health")
        return tags

    def household_size(self) -> int:
        return int(_HOUSEHOLD_SIZE.pick(self.rng))  # type: ignore[call-overload]

    def household(self, size: int) -> list[Person]:
        """1-5 people who plausibly live together; the first is the head of the household."""
        rng = self.rng
        residence = str(_RESIDENCE.pick(rng))
        family = self.surname()

        def member(sex: str, age: int, surname: str | None = None) -> Person:
            return self.person(
                sex=sex, age=max(0, min(age, 103)), residence_type=residence, surname=surname
            )

        def couple(low: int, high: int) -> list[Person]:
            husband_age = rng.randint(low, high)
            wife_age = husband_age - rng.randint(-2, 5)
            return [member("M", husband_age, family), member("F", wife_age)]

        def child_of(mother_age: int) -> Person:
            age = mother_age - rng.randint(22, max(22, min(38, mother_age)))
            return member(rng.choice("MF"), max(0, age), family)

        people: list[Person]
        if size == 1:
            age = rng.randint(60, 96) if rng.random() < 0.6 else rng.randint(22, 59)
            people = [member(rng.choice("MF"), age)]
            if age >= 60:
                people[0].tags.insert(0, "living_alone")
                if rng.random() < 0.8:  # a child elsewhere to call
                    head = people[0]
                    people[0].emergency_contact_name = self.name(
                        rng.choice("MF"), head.birth_date.year + 28, head.name[:1]
                    )
                    people[0].emergency_contact_phone = self.mobile()
        elif size == 2:
            kind = rng.random()
            if kind < 0.45:
                people = couple(58, 90)
            elif kind < 0.8:
                people = couple(24, 57)
            else:
                parent_age = rng.randint(38, 68)
                people = [member(rng.choice("MF"), parent_age, family), child_of(parent_age)]
        else:
            young = size in (3, 4) and rng.random() < 0.75
            people = couple(26, 58) if young else couple(30, 50)
            mother_age = age_on(people[1].birth_date, self.today)
            for _ in range(size - 2 if young else size - 3):
                people.append(child_of(mother_age))
            if not young:  # three generations: a grandparent or two
                grand_age = age_on(people[0].birth_date, self.today) + rng.randint(22, 34)
                people.append(member(rng.choice("MF"), grand_age, family))
        while len(people) < size:  # size 5 without grandparents' room: one more grandparent
            people.append(member("F", age_on(people[0].birth_date, self.today) + 25))
        return people[:size]


@cache
def _years_in_force(code: str) -> tuple[tuple[int, int], ...]:
    """The year ranges in which an address code was assigned, from python-stdnum's database."""
    results = numdb.get("cn/loc").info(code)
    county = next((props["county"] for _, props in results if "county" in props), "")
    ranges = []
    for part in county.split(","):
        if not part.startswith("["):
            ranges.append((0, 9999))
            continue
        start, end = part[1:].split("]", 1)[0].split("-")
        ranges.append((int(start or 0), int(end or 9999)))
    return tuple(ranges)


@cache
def _codes_in_force(codes: tuple[str, ...], year: int) -> tuple[str, ...]:
    return tuple(
        code for code in codes if any(start <= year <= end for start, end in _years_in_force(code))
    )


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)
