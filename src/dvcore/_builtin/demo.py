"""The demo data set: Hai Phong's 9-month report of 2023 (seed 001) as events.

:func:`hai_phong_events` returns the events, in the JSON Lines shape of DESIGN.md §6, whose
recording reproduces the figures that the city's Ban Dân vận published in its 9-month
report of 2023 (``shared/seeds/001_510918a779580fcd.txt``); :data:`GOLDEN` lists those
figures. :func:`late_entries` adds a few facts of the same period that are recorded after
the report was generated (to show "as known at"), and :func:`merge_2025_events` plays the
2025 reorganisation in miniature (three wards merged into one).

Everything is deterministic: the only randomness comes from :class:`random.Random`
instances with fixed seeds, one per domain block, so that changing one block does not
shift the others. Each call returns fresh dicts that the caller may mutate.

Where the seed gives a figure, the comment next to it quotes the Vietnamese phrase. Where
the events need a detail that the seed does not give (names of models, dates, how a city
total splits over the districts, the number of dossiers filed…), the value is invented
and plausible; such values never change a published figure.

Unit codes: ``HP`` (the city); ``HP.<XX>`` for the 15 districts (``HP.HB`` Hồng Bàng …
``HP.BLV`` Bạch Long Vĩ); ``HP.<XX>.<NN>`` for the 217 commune-level units, numbered
within their district (townships first, then communes or wards, in the listed order);
``HP.S…`` and a few other short codes for the 20 departments; ``HP.MTTQ`` (the Fatherland
Front committee) and ``HP.BDBP`` (the border guard command).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

__all__ = [
    "CITY",
    "DEMO_FIGURES",
    "GOLDEN",
    "MERGED_WARD",
    "MERGED_WARD_SOURCES",
    "hai_phong_events",
    "late_entries",
    "merge_2025_events",
]

Event = dict[str, Any]

CITY: Final = "HP"
"""Code of the city, the root of the demo unit tree."""

MERGED_WARD: Final = "HP.HONGBANG"
"""Code of the ward that :func:`merge_2025_events` creates on 2025-07-01."""

MERGED_WARD_SOURCES: Final = ("HP.HB.02", "HP.HB.04", "HP.HB.05")
"""The three wards of quận Hồng Bàng merged into :data:`MERGED_WARD`."""

_REF: Final = "demo:hp2023"
_REGISTERED_ON: Final = "2020-01-01"  # the 2019 merger of communes took effect on 1/1/2020
_Y2023: Final = dt.date(2023, 1, 1)
_NINE_MONTHS_LAST: Final = dt.date(2023, 9, 14)  # also inside 9M under the decree-09 cut-off
_CUTOFF: Final = dt.date(2023, 9, 15)  # "Tính đến ngày 15/9/2023"
_RECEPTION_WINDOW: Final = ("2023-01-01", "2023-08-31")  # "Trong 8 tháng năm 2023"

# --------------------------------------------------------------------------------------
# The published figures
# --------------------------------------------------------------------------------------

GOLDEN: Final[Mapping[str, int]] = MappingProxyType(
    {
        # "35/35 sở, ban, ngành, quận, huyện, 217/217 xã, phường, thị trấn"
        "units.department_and_district": 35,
        "units.commune_level": 217,
        # "cho tối thiểu 10% số cơ sở tôn giáo … (tổng số 239 cơ sở)"; "12/222 cơ sở tôn giáo"
        "establishment.using_land@2022-12-06": 239,
        "establishment.using_land@2023-09-15": 222,
        # "2.035 mô hình … 367 mô hình trong xây dựng nông thôn mới kiểu mẫu, 296 mô hình
        # trong chỉnh trang, hiện đại hóa đô thị"
        "model.registered": 2035,
        "model.registered.ntm_model": 367,
        "model.registered.urban": 296,
        # "470 cuộc đối thoại … (06 cuộc cấp thành phố; 112 cuộc cấp quận, huyện;
        # 352 cuộc cấp xã, phường)"
        "dialogue.count": 470,
        "dialogue.count.city": 6,
        "dialogue.count.district": 112,
        "dialogue.count.commune": 352,
        # "đã trình Ủy ban nhân dân thành phố hồ sơ của 12/222 cơ sở tôn giáo (đạt 54,5% kế
        # hoạch năm); 07 cơ sở tôn giáo đã được … ban hành quyết định công nhận quyền sử
        # dụng đất": plan = 10% × 222 = 22.2 → 22, completion 12/22 = 54.5%
        "land.dossier_submitted": 12,
        "land.right_recognized": 7,
        "target.08-NQ/TU.3b.plan": 22,
        "target.08-NQ/TU.3b.plan_completion_per_mille": 545,
        # footnote 8: "tiếp 2.746 lượt công dân với 2.300 vụ việc (khiếu nại 155 vụ việc, tố
        # cáo 64 vụ việc, kiến nghị 2.081 vụ việc). Trong đó, số đoàn đông người 158 đoàn
        # với 152 vụ việc; tiếp nhận và xử lý 7.337 đơn thư các loại; đơn đủ điều kiện xử
        # lý 5.765 đơn; đơn khiếu nại, tố cáo thuộc thẩm quyền giải quyết 466 đơn"
        "reception.visits": 2746,
        "reception.cases": 2300,
        "reception.cases.complaint": 155,
        "reception.cases.denunciation": 64,
        "reception.cases.petition": 2081,
        "reception.mass_groups": 158,
        "reception.mass_group_cases": 152,
        "letters.received": 7337,
        "letters.eligible": 5765,
        "letters.in_jurisdiction": 466,
        # footnote 15: "15/15 Quận ủy, Huyện ủy đã xác định các chỉ tiêu cụ thể về công tác
        # dân vận trong nghị quyết"
        "document.sets_targets.district": 15,
        # footnote 16: "14/15 quận, huyện đã ban hành Kế hoạch đối thoại trực tiếp"
        "dialogue_plan.district": 14,
        # "đã tổ chức trên 75 cuộc kiểm tra, giám sát về công tác dân vận": 76 here
        "inspection.count": 76,
        # footnote 9: "1.468 tổ, đội tuần tra với 4.782 hội viên" (a stock: latest values)
        "veterans.patrol_teams": 1468,
        "veterans.patrol_members": 4782,
        # "Phối hợp vận động 1.446 gia đình cam kết “Không buôn bán, vận chuyển, tàng trữ
        # trái phép pháo nổ, …”" (Bộ đội Biên phòng)
        "border.families_pledged": 1446,
    }
)
"""The figures of seed 001 that recording :func:`hai_phong_events` must reproduce."""

DEMO_FIGURES: Final[Mapping[str, int]] = MappingProxyType(
    {
        "units.ntm_model": 71,  # communes with attribute ntm_model (invented subset)
        "land.dossier_filed": 96,  # not in the seed; >= 89 = 40% of 222, so 3a is met
        "target.08-NQ/TU.3a.plan": 89,
        "land.certificate_issued": 1,  # footnote 14: Giáo xứ My Sơn, xã Ngũ Lão
        "letters.resolved": 398,  # not in the seed
        "target.08-NQ/TU.1.numerator": 137,  # 66 wards + 71 ntm communes: all have a model
        "target.08-NQ/TU.1.denominator": 137,
        "target.08-NQ/TU.2.numerator": 228,  # 5 communes held no dialogue by 15/9
        "target.08-NQ/TU.2.denominator": 233,  # city + 15 districts + 217 commune-level
        "task.assigned": 8,
        "task.open@2023-09-30": 6,
        "task.overdue@2023-09-30": 2,
        "late.dialogue.count": 473,  # with late_entries()
        "late.land.dossier_submitted": 13,  # with late_entries()
        "late.target.08-NQ/TU.2.numerator": 231,
    }
)
"""Figures the demo implies but the seed does not publish (invented, for tests and demos)."""


# --------------------------------------------------------------------------------------
# The unit tree
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _DistrictSpec:
    """One district of 2023 and its commune-level units."""

    abbr: str
    name: str  # without "quận"/"huyện"
    urban: bool  # quận (wards) or huyện (communes and townships)
    weight: int  # rough population in thousands: how city totals split over districts
    members: tuple[str, ...]  # wards of a quận, communes of a huyện
    townships: tuple[str, ...] = ()
    ntm: int = 0  # how many of its communes build model new-style rural areas


# The 2023 map (after the 2019 merger, effective 1/1/2020): 66 wards, 141 communes,
# 10 townships = 217. Names follow that map as far as the author knows; they are
# illustrative, the counts are what the golden figures need.
_DISTRICTS: Final = (
    _DistrictSpec(
        "HB",
        "Hồng Bàng",
        True,
        115,
        (
            "Hạ Lý",
            "Hoàng Văn Thụ",
            "Hùng Vương",
            "Minh Khai",
            "Phan Bội Châu",
            "Quán Toan",
            "Sở Dầu",
            "Thượng Lý",
            "Trại Chuối",
        ),
    ),
    _DistrictSpec(
        "NQ",
        "Ngô Quyền",
        True,
        170,
        (
            "Cầu Đất",
            "Cầu Tre",
            "Đằng Giang",
            "Đông Khê",
            "Đổng Quốc Bình",
            "Gia Viên",
            "Lạc Viên",
            "Lạch Tray",
            "Lê Lợi",
            "Máy Chai",
            "Máy Tơ",
            "Vạn Mỹ",
        ),
    ),
    _DistrictSpec(
        "LC",
        "Lê Chân",
        True,
        230,
        (
            "An Biên",
            "An Dương",
            "Cát Dài",
            "Dư Hàng",
            "Dư Hàng Kênh",
            "Đông Hải",
            "Hàng Kênh",
            "Hồ Nam",
            "Kênh Dương",
            "Lam Sơn",
            "Nghĩa Xá",
            "Niệm Nghĩa",
            "Trại Cau",
            "Trần Nguyên Hãn",
            "Vĩnh Niệm",
        ),
    ),
    _DistrictSpec(
        "HA",
        "Hải An",
        True,
        145,
        (
            "Cát Bi",
            "Đằng Hải",
            "Đằng Lâm",
            "Đông Hải 1",
            "Đông Hải 2",
            "Nam Hải",
            "Thành Tô",
            "Tràng Cát",
        ),
    ),
    _DistrictSpec(
        "KA",
        "Kiến An",
        True,
        120,
        (
            "Bắc Sơn",
            "Đồng Hòa",
            "Lãm Hà",
            "Nam Sơn",
            "Ngọc Sơn",
            "Phù Liễn",
            "Quán Trữ",
            "Tràng Minh",
            "Trần Thành Ngọ",
            "Văn Đẩu",
        ),
    ),
    _DistrictSpec(
        "DS",
        "Đồ Sơn",
        True,
        50,
        ("Bàng La", "Hải Sơn", "Hợp Đức", "Minh Đức", "Ngọc Xuyên", "Vạn Hương"),
    ),
    _DistrictSpec(
        "DK",
        "Dương Kinh",
        True,
        60,
        ("Anh Dũng", "Đa Phúc", "Hải Thành", "Hòa Nghĩa", "Hưng Đạo", "Tân Thành"),
    ),
    _DistrictSpec(
        "TN",
        "Thủy Nguyên",
        False,
        340,
        (
            "An Lư",
            "An Sơn",
            "Cao Nhân",
            "Chính Mỹ",
            "Dương Quan",
            "Đông Sơn",
            "Gia Đức",
            "Gia Minh",
            "Hòa Bình",
            "Hoa Động",
            "Hoàng Động",
            "Hợp Thành",
            "Kênh Giang",
            "Kiền Bái",
            "Kỳ Sơn",
            "Lại Xuân",
            "Lâm Động",
            "Lập Lễ",
            "Liên Khê",
            "Lưu Kiếm",
            "Lưu Kỳ",
            "Minh Tân",
            "Mỹ Đồng",
            "Ngũ Lão",
            "Phả Lễ",
            "Phù Ninh",
            "Phục Lễ",
            "Quảng Thanh",
            "Tam Hưng",
            "Tân Dương",
            "Thiên Hương",
            "Thủy Đường",
            "Thủy Sơn",
            "Thủy Triều",
            "Trung Hà",
        ),
        ("Núi Đèo", "Minh Đức"),
        18,
    ),
    _DistrictSpec(
        "AD",
        "An Dương",
        False,
        200,
        (
            "An Đồng",
            "An Hòa",
            "An Hồng",
            "An Hưng",
            "Bắc Sơn",
            "Đại Bản",
            "Đặng Cương",
            "Đồng Thái",
            "Hồng Phong",
            "Hồng Thái",
            "Lê Lợi",
            "Lê Thiện",
            "Nam Sơn",
            "Quốc Tuấn",
            "Tân Tiến",
        ),
        ("An Dương",),
        8,
    ),
    _DistrictSpec(
        "AL",
        "An Lão",
        False,
        150,
        (
            "An Thắng",
            "An Thái",
            "An Thọ",
            "An Tiến",
            "Bát Trang",
            "Chiến Thắng",
            "Mỹ Đức",
            "Quang Hưng",
            "Quang Trung",
            "Quốc Tuấn",
            "Tân Dân",
            "Tân Viên",
            "Thái Sơn",
            "Trường Thành",
            "Trường Thọ",
        ),
        ("An Lão", "Trường Sơn"),
        8,
    ),
    _DistrictSpec(
        "KT",
        "Kiến Thụy",
        False,
        145,
        (
            "Đại Đồng",
            "Đại Hà",
            "Đại Hợp",
            "Đoàn Xá",
            "Đông Phương",
            "Du Lễ",
            "Hữu Bằng",
            "Kiến Quốc",
            "Minh Tân",
            "Ngũ Đoan",
            "Ngũ Phúc",
            "Tân Phong",
            "Tân Trào",
            "Thanh Sơn",
            "Thụy Hương",
            "Thuận Thiên",
            "Tú Sơn",
        ),
        ("Núi Đối",),
        9,
    ),
    _DistrictSpec(
        "TL",
        "Tiên Lãng",
        False,
        160,
        (
            "Bắc Hưng",
            "Bạch Đằng",
            "Cấp Tiến",
            "Đại Thắng",
            "Đoàn Lập",
            "Đông Hưng",
            "Hùng Thắng",
            "Khởi Nghĩa",
            "Kiến Thiết",
            "Nam Hưng",
            "Quang Phục",
            "Quyết Tiến",
            "Tân Minh",
            "Tây Hưng",
            "Tiên Cường",
            "Tiên Minh",
            "Tiên Thắng",
            "Tiên Tiến",
            "Toàn Thắng",
            "Tự Cường",
            "Vinh Quang",
        ),
        ("Tiên Lãng",),
        11,
    ),
    _DistrictSpec(
        "VB",
        "Vĩnh Bảo",
        False,
        185,
        (
            "An Hòa",
            "Cao Minh",
            "Cổ Am",
            "Cộng Hiền",
            "Đồng Minh",
            "Dũng Tiến",
            "Giang Biên",
            "Hiệp Hòa",
            "Hòa Bình",
            "Hưng Nhân",
            "Hùng Tiến",
            "Liên Am",
            "Lý Học",
            "Nhân Hòa",
            "Tam Cường",
            "Tam Đa",
            "Tân Hưng",
            "Tân Liên",
            "Thanh Lương",
            "Thắng Thủy",
            "Tiền Phong",
            "Trấn Dương",
            "Trung Lập",
            "Việt Tiến",
            "Vĩnh An",
            "Vĩnh Long",
            "Vĩnh Phong",
            "Vinh Quang",
        ),
        ("Vĩnh Bảo",),
        14,
    ),
    _DistrictSpec(
        "CH",
        "Cát Hải",
        False,
        35,
        (
            "Đồng Bài",
            "Gia Luận",
            "Hiền Hào",
            "Hoàng Châu",
            "Nghĩa Lộ",
            "Phù Long",
            "Trân Châu",
            "Văn Phong",
            "Việt Hải",
            "Xuân Đám",
        ),
        ("Cát Bà", "Cát Hải"),
        3,
    ),
    # The island district has no commune-level units.
    _DistrictSpec("BLV", "Bạch Long Vĩ", False, 1, ()),
)

# 20 departments: seed 001 counts "35/35 sở, ban, ngành, quận, huyện" on the one-stop
# system, that is 20 departments + 15 districts (its footnote 7 ranks 22 "sở, ngành" for
# 2022; the demo follows the 35/35 figure).
_DEPARTMENTS: Final = (
    ("HP.VPUB", "Văn phòng Ủy ban nhân dân thành phố"),
    ("HP.SNV", "Sở Nội vụ"),
    ("HP.STP", "Sở Tư pháp"),
    ("HP.SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("HP.STC", "Sở Tài chính"),
    ("HP.SCT", "Sở Công Thương"),
    ("HP.SNN", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("HP.SGTVT", "Sở Giao thông vận tải"),
    ("HP.SXD", "Sở Xây dựng"),
    ("HP.STNMT", "Sở Tài nguyên và Môi trường"),
    ("HP.STTTT", "Sở Thông tin và Truyền thông"),
    ("HP.SLDTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("HP.SVHTT", "Sở Văn hóa và Thể thao"),
    ("HP.SDL", "Sở Du lịch"),
    ("HP.SKHCN", "Sở Khoa học và Công nghệ"),
    ("HP.SGDDT", "Sở Giáo dục và Đào tạo"),
    ("HP.SYT", "Sở Y tế"),
    ("HP.SNGV", "Sở Ngoại vụ"),
    ("HP.TTTP", "Thanh tra thành phố"),
    ("HP.BQLKKT", "Ban Quản lý Khu kinh tế Hải Phòng"),
)

_OTHER_UNITS: Final = (
    ("HP.MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố", "mass_org"),
    ("HP.BDBP", "Bộ Chỉ huy Bộ đội Biên phòng thành phố", "armed_force"),
)


@dataclass(frozen=True)
class _Unit:
    """A unit of the demo tree, with what the generators need to know about it."""

    code: str
    prefix: str  # "thành phố", "quận", "huyện", "phường", "xã", "thị trấn" or ""
    proper: str  # the name without its prefix
    kind: str
    parent: str | None
    district: str | None = None  # code of the district it lies in (commune level)
    ntm_model: bool = False

    @property
    def name(self) -> str:
        """The unit's full name, e.g. ``Phường Hạ Lý``."""
        if not self.prefix:
            return self.proper
        return f"{self.prefix.capitalize()} {self.proper}"

    @property
    def lower_name(self) -> str:
        """The name as it reads inside a sentence, e.g. ``phường Hạ Lý``."""
        return f"{self.prefix} {self.proper}" if self.prefix else self.proper


@dataclass
class _Tree:
    """The demo unit tree of 2023, by role."""

    city: _Unit
    districts: list[_Unit] = field(default_factory=list)
    departments: list[_Unit] = field(default_factory=list)
    others: list[_Unit] = field(default_factory=list)
    communes: list[_Unit] = field(default_factory=list)  # commune level: all 217
    specs: dict[str, _DistrictSpec] = field(default_factory=dict)  # district code → spec

    def all_units(self) -> list[_Unit]:
        """Every unit, parents before children."""
        return [self.city, *self.districts, *self.departments, *self.others, *self.communes]

    def in_district(self, code: str) -> list[_Unit]:
        """The commune-level units of one district."""
        return [u for u in self.communes if u.district == code]


def _build_tree() -> _Tree:
    """Build the unit tree; the subset of ``ntm_model`` communes is drawn with a fixed seed."""
    rng = random.Random(20230101)
    tree = _Tree(city=_Unit(CITY, "thành phố", "Hải Phòng", "city", None))
    for spec in _DISTRICTS:
        code = f"{CITY}.{spec.abbr}"
        prefix = "quận" if spec.urban else "huyện"
        tree.districts.append(_Unit(code, prefix, spec.name, "district", CITY))
        tree.specs[code] = spec
        ntm = set(rng.sample(spec.members, spec.ntm)) if not spec.urban else set()
        members: list[tuple[str, str, str]] = [("thị trấn", n, "township") for n in spec.townships]
        for name in spec.members:
            members.append(("phường", name, "ward") if spec.urban else ("xã", name, "commune"))
        for number, (unit_prefix, name, kind) in enumerate(members, start=1):
            tree.communes.append(
                _Unit(
                    f"{code}.{number:02d}",
                    unit_prefix,
                    name,
                    kind,
                    code,
                    district=code,
                    ntm_model=kind == "commune" and name in ntm,
                )
            )
    tree.departments = [_Unit(c, "", n, "department", CITY) for c, n in _DEPARTMENTS]
    tree.others = [_Unit(c, "", n, k, CITY) for c, n, k in _OTHER_UNITS]
    return tree


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _event(kind: str, occurred_on: str, unit: str, data: dict[str, Any], ref: str) -> Event:
    """One event in the JSON Lines shape."""
    return {
        "type": kind,
        "occurred_on": occurred_on,
        "unit": unit,
        "data": data,
        "source_ref": f"{_REF}:{ref}",
    }


def _day(rng: random.Random, first: dt.date, last: dt.date) -> str:
    """A day drawn between ``first`` and ``last`` inclusive, as an ISO string."""
    return (first + dt.timedelta(days=rng.randint(0, (last - first).days))).isoformat()


def _apportion(total: int, weights: Sequence[int], minimum: int = 0) -> list[int]:
    """Split ``total`` over ``weights`` (largest remainder, ties to the first ones).

    Every share is at least ``minimum``; the shares always sum to ``total``.
    """
    rest = total - minimum * len(weights)
    if rest < 0:
        raise ValueError("total too small for the minimum")
    wsum = sum(weights)
    quotas = [rest * w for w in weights]
    shares = [q // wsum for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] % wsum), i))
    for i in order[: rest - sum(shares)]:
        shares[i] += 1
    return [minimum + s for s in shares]


def _scatter(total: int, slots: int, rng: random.Random, minimum: int = 0) -> list[int]:
    """Split ``total`` over ``slots`` at random, each slot getting at least ``minimum``."""
    counts = [minimum] * slots
    for _ in range(total - minimum * slots):
        counts[rng.randrange(slots)] += 1
    return counts


def _seq(prefix: str) -> Iterator[str]:
    """Numbered source-reference suffixes: ``prefix:0001``, ``prefix:0002``…"""
    number = 0
    while True:
        number += 1
        yield f"{prefix}:{number:04d}"


# --------------------------------------------------------------------------------------
# Domain blocks
# --------------------------------------------------------------------------------------


def _unit_events(tree: _Tree) -> list[Event]:
    """UnitRegistered for every unit, parents first."""
    events: list[Event] = []
    for unit in tree.all_units():
        attributes = {"ntm_model": True} if unit.ntm_model else {}
        events.append(
            _event(
                "UnitRegistered",
                _REGISTERED_ON,
                unit.parent or unit.code,
                {
                    "code": unit.code,
                    "name": unit.name,
                    "kind": unit.kind,
                    "parent": unit.parent,
                    "attributes": attributes,
                },
                f"unit:{unit.code}",
            )
        )
    return events


_ALL_LEVELS: Final = ("city", "district", "town", "commune", "ward", "township")


def _targets_08() -> list[dict[str, Any]]:
    """The four targets of 08-NQ/TU (target 3 is two), in the shape of DESIGN.md §5."""
    return [
        {
            "code": "08-NQ/TU.1",
            "title": "100% các xã xây dựng nông thôn mới kiểu mẫu và 100% các phường có mô hình "
            "“Dân vận khéo” trong triển khai xây dựng xã nông thôn mới kiểu mẫu; chỉnh trang, "
            "hiện đại hóa đô thị",
            "indicator": "model.registered",
            "measure": "units_with",
            "population": "units",
            "population_filter": [
                {"kinds": ["commune"], "attributes": {"ntm_model": True}},
                {"kinds": ["ward"]},
            ],
            "threshold": 1.0,
            "period": "2023",
            "rounding": "ceil",
        },
        {
            "code": "08-NQ/TU.2",
            "title": "100% người đứng đầu cấp ủy, chính quyền các cấp đối thoại trực tiếp với "
            "Nhân dân theo quy định",
            "indicator": "dialogue.count",
            "measure": "units_with",
            "population": "units",
            "population_filter": [{"kinds": list(_ALL_LEVELS), "attributes": {}}],
            "threshold": 1.0,
            "period": "2023",
            "rounding": "ceil",
        },
        {
            "code": "08-NQ/TU.3a",
            "title": "Thực hiện lập hồ sơ đăng ký đất đai cho tối thiểu 40% số cơ sở tôn giáo "
            "đang sử dụng đất",
            "indicator": "land.dossier_filed",
            "measure": "count",
            "population": "establishments_using_land",
            "population_filter": [],
            "threshold": 0.40,
            "period": "2023",
            "rounding": "half_up",
        },
        {
            "code": "08-NQ/TU.3b",
            "title": "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với "
            "đất cho tối thiểu 10% số cơ sở tôn giáo đang sử dụng đất ở các quận, huyện",
            "indicator": "land.dossier_submitted",
            "measure": "count",
            "population": "establishments_using_land",
            "population_filter": [],
            "threshold": 0.10,
            "period": "2023",
            "rounding": "half_up",
        },
    ]


def _resolution_events() -> list[Event]:
    """Resolution 08-NQ/TU of 06/12/2022 and its targets for 2023."""
    # "Nghị quyết số 08-NQ/TU, ngày 06/12/2022 về “Mục tiêu, nhiệm vụ, giải pháp năm 2023”"
    title = "Nghị quyết về “Mục tiêu, nhiệm vụ, giải pháp năm 2023”"
    targets = _targets_08()
    return [
        _event(
            "DocumentIssued",
            "2022-12-06",
            CITY,
            {"number": "08-NQ/TU", "kind": "resolution", "title": title, "sets_targets": True},
            "document:08-NQ-TU",
        ),
        _event(
            "TargetSetAdopted",
            "2022-12-06",
            CITY,
            {"resolution": "08-NQ/TU", "targets": targets},
            "targets:08-NQ-TU",
        ),
    ]


# Documents of the city committee in 2023 that seed 001 names with number and date.
_CITY_DOCUMENTS: Final = (
    (
        "08-TT/TU",
        "circular",
        "2023-01-03",
        (
            "Thông tri thực hiện Chỉ thị số 18-CT/TW về “Phát huy vai trò, nâng cao chất lượng, "
            "hiệu quả công tác giám sát, phản biện xã hội của Mặt trận Tổ quốc Việt Nam và các tổ "
            "chức chính trị - xã hội”"
        ),
    ),
    (
        "809-CV/TU",
        "official_letter",
        "2023-02-06",
        (
            "Công văn về thực hiện Kết luận số 44-KL/TW về công tác của Hội Chữ thập đỏ Việt Nam "
            "trong tình hình mới"
        ),
    ),
    (
        "824-CV/TU",
        "official_letter",
        "2023-02-27",
        "Công văn về đẩy mạnh thực hiện Chỉ thị số 35-CT/TW và Quy định số 11-QĐi/TW",
    ),
    (
        "984-QĐ/TU",
        "decision",
        "2023-04-24",
        (
            "Quy chế phối hợp giữa Đảng ủy Công an thành phố với quận ủy, huyện ủy về lãnh đạo "
            "công tác đảng, công tác chính trị và công tác quần chúng trong công an huyện"
        ),
    ),
    (
        "1462-TB/TU",
        "notice",
        "2023-04-27",
        (
            "Thông báo về “Chương trình giám sát, phản biện xã hội của Mặt trận Tổ quốc Việt Nam, "
            "các tổ chức chính trị - xã hội thành phố năm 2023”"
        ),
    ),
    (
        "874-CV/TU",
        "official_letter",
        "2023-05-04",
        "Công văn về “Thực hiện Tháng Nhân đạo năm 2023”",
    ),
    (
        "875-CV/TU",
        "official_letter",
        "2023-05-04",
        "Công văn về “Thực hiện Tháng hành động vì nạn nhân chất độc da cam năm 2023”",
    ),
    (
        "289-KH/TU",
        "plan",
        "2023-08-24",
        "Kế hoạch thực hiện Kết luận số 54-KL/TW về tiếp tục thực hiện Quyết định số 99-QĐ/TW",
    ),
)


def _document_events(tree: _Tree) -> list[Event]:
    """The city's 2023 documents and the 15 district resolutions that set dân vận targets."""
    events = [
        _event(
            "DocumentIssued",
            issued,
            CITY,
            {"number": number, "kind": kind, "title": title, "sets_targets": False},
            f"document:{number.replace('/', '-')}",
        )
        for number, kind, issued, title in _CITY_DOCUMENTS
    ]
    # Footnote 15: "15/15 Quận ủy, Huyện ủy đã xác định các chỉ tiêu cụ thể về công tác dân
    # vận trong nghị quyết, chương trình công tác năm 2023". Numbers and dates invented.
    rng = random.Random(20230102)
    for district in tree.districts:
        suffix = "QU" if district.prefix == "quận" else "HU"
        number = f"{rng.randint(20, 60)}-NQ/{suffix}"
        events.append(
            _event(
                "DocumentIssued",
                _day(rng, dt.date(2023, 1, 3), dt.date(2023, 2, 15)),
                district.code,
                {
                    "number": number,
                    "kind": "resolution",
                    "title": "Nghị quyết về mục tiêu, nhiệm vụ, giải pháp năm 2023",
                    "sets_targets": True,
                },
                f"document:{district.code}:resolution-2023",
            )
        )
    return events


def _dialogue_plan_events(tree: _Tree) -> list[Event]:
    """Footnote 16: "14/15 quận, huyện đã ban hành Kế hoạch đối thoại trực tiếp"."""
    rng = random.Random(20230103)
    events = []
    for district in tree.districts:
        if district.code == "HP.BLV":  # the one without a plan (invented choice)
            continue
        suffix = "QU" if district.prefix == "quận" else "HU"
        events.append(
            _event(
                "DialoguePlanIssued",
                _day(rng, dt.date(2023, 1, 10), dt.date(2023, 3, 20)),
                district.code,
                {"year": 2023, "document": f"{rng.randint(100, 180)}-KH/{suffix}"},
                f"dialogue-plan:{district.code}",
            )
        )
    return events


# ---- religious establishments and the land pipeline ----------------------------------

_PAGODAS: Final = (
    "Phúc Lâm",
    "Linh Quang",
    "Thiên Phúc",
    "Hoa Nghiêm",
    "Long Hoa",
    "Phổ Chiếu",
    "Quang Minh",
    "Diên Phúc",
    "Hưng Long",
    "Sùng Ân",
    "Thắng Phúc",
    "Bảo Quang",
    "Kim Sơn",
    "Phúc Khánh",
    "Linh Sơn",
    "Đông Lâm",
    "Vĩnh Phúc",
    "Hồng Phúc",
    "Thanh Lương",
    "Phúc Hưng",
)
_PATRONS: Final = (
    "Thánh Giuse",
    "Thánh Phêrô",
    "Thánh Antôn",
    "Đức Mẹ Mân Côi",
    "Thánh Tâm",
    "Thánh Gioan Baotixita",
)
_CATHOLIC_DISTRICTS: Final = frozenset({"HP.TN", "HP.TL", "HP.KT", "HP.VB", "HP.AL", "HP.AD"})


@dataclass(frozen=True)
class _Establishment:
    """A religious establishment and where it stands."""

    id: str
    name: str
    religion: str
    unit: str


@dataclass
class _Land:
    """Which establishments stop using land and which reach each stage, and when."""

    establishments: list[_Establishment]
    stopped: dict[str, str]  # id → day it stopped using land
    filed: dict[str, str]
    submitted: dict[str, str]
    recognized: dict[str, str]
    certified: dict[str, str]
    late_submitted: tuple[str, str]  # (id, day) recorded after the report


# Seed 001 names these three (footnotes 13 and 14).
_NAMED_ESTABLISHMENTS: Final = (
    ("Nhà thờ Giáo xứ My Sơn", "Công giáo", "HP.TN", "Ngũ Lão"),
    ("Chùa An Lạc Thiền Tự (chùa Đa)", "Phật giáo", "HP.VB", "Vĩnh Phong"),
    ("Chùa An Đà", "Phật giáo", "HP.NQ", "Đằng Giang"),
)


def _establishments(tree: _Tree) -> list[_Establishment]:
    """The 239 establishments using land at adoption (invented but for the three named)."""
    rng = random.Random(20221101)
    by_name = {(u.district, u.proper): u for u in tree.communes}
    result: list[_Establishment] = []
    parishes: set[str] = set()
    for number, (name, religion, district, proper) in enumerate(_NAMED_ESTABLISHMENTS, 1):
        unit = by_name[(district, proper)]
        result.append(_Establishment(f"CS{number:03d}", name, religion, unit.code))
        if religion == "Công giáo":
            parishes.add(unit.code)
    # 172 Buddhist, 61 Catholic, 6 Protestant in all (counts invented).
    religions = ["Phật giáo"] * 170 + ["Công giáo"] * 60 + ["Tin lành"] * 6
    rng.shuffle(religions)
    buddhist_w = [
        3 if u.kind == "commune" else 2 if u.kind == "township" else 1 for u in tree.communes
    ]
    catholic_w = [4 if u.district in _CATHOLIC_DISTRICTS else 1 for u in tree.communes]
    protestant = [u for u in tree.communes if u.kind in {"ward", "township"}]
    for number, religion in enumerate(religions, start=len(result) + 1):
        if religion == "Phật giáo":
            unit = rng.choices(tree.communes, weights=buddhist_w)[0]
            name = f"Chùa {rng.choice(_PAGODAS)}"
        elif religion == "Công giáo":
            unit = rng.choices(tree.communes, weights=catholic_w)[0]
            if unit.code in parishes:
                name = f"Nhà thờ Giáo họ {rng.choice(_PATRONS)}"
            else:
                name = f"Nhà thờ Giáo xứ {unit.proper}"
                parishes.add(unit.code)
        else:
            unit = rng.choice(protestant)
            name = f"Chi hội Tin lành {unit.proper}"
        result.append(_Establishment(f"CS{number:03d}", name, religion, unit.code))
    return result


def _plan_land(tree: _Tree) -> _Land:
    """Decide the land pipeline as of 15/9/2023: 17 stop, 96 filed, 12 submitted, 7 recognized."""
    rng = random.Random(20230915)
    establishments = _establishments(tree)
    named = [e.id for e in establishments[: len(_NAMED_ESTABLISHMENTS)]]
    generated = [e.id for e in establishments[len(_NAMED_ESTABLISHMENTS) :]]
    # 239 at adoption, 222 as of 15/9/2023 ("12/222 cơ sở tôn giáo"): 17 stop using land.
    stopped_ids = sorted(rng.sample(generated, 17))
    stopped = {i: _day(rng, dt.date(2023, 2, 1), dt.date(2023, 8, 31)) for i in stopped_ids}
    using = [i for i in generated if i not in stopped]
    my_son = named[0]  # footnote 14: certificate issued to Giáo xứ My Sơn
    recognized_ids = [my_son, *sorted(rng.sample(using, 6))]
    rest = [i for i in using if i not in recognized_ids]
    submitted_only = sorted(rng.sample(rest, 5))
    rest = [i for i in rest if i not in submitted_only] + named[1:]
    filed_only = sorted(rng.sample(rest, 96 - 12))
    filed: dict[str, str] = {}
    submitted: dict[str, str] = {}
    recognized: dict[str, str] = {}
    for i in recognized_ids:
        filed[i] = _day(rng, dt.date(2023, 1, 5), dt.date(2023, 2, 28))
        submitted[i] = _day(rng, dt.date(2023, 3, 15), dt.date(2023, 5, 31))
        recognized[i] = _day(rng, dt.date(2023, 6, 15), dt.date(2023, 8, 25))
    for i in submitted_only:
        filed[i] = _day(rng, dt.date(2023, 1, 5), dt.date(2023, 4, 30))
        submitted[i] = _day(rng, dt.date(2023, 6, 1), _NINE_MONTHS_LAST)
    for i in filed_only:
        filed[i] = _day(rng, dt.date(2023, 1, 5), _NINE_MONTHS_LAST)
    late = min((i for i in filed_only if filed[i] <= "2023-08-31"), key=lambda i: filed[i])
    return _Land(
        establishments=establishments,
        stopped=stopped,
        filed=filed,
        submitted=submitted,
        recognized=recognized,
        certified={my_son: "2023-09-08"},
        late_submitted=(late, "2023-09-12"),
    )


def _land_events(land: _Land) -> list[Event]:
    """EstablishmentRegistered/Changed and the pipeline stages, each at its establishment."""
    where = {e.id: e.unit for e in land.establishments}
    events = [
        # registered before the resolution of 06/12/2022 counted them: "tổng số 239 cơ sở"
        _event(
            "EstablishmentRegistered",
            "2022-11-01",
            e.unit,
            {"id": e.id, "name": e.name, "religion": e.religion, "uses_land": True},
            f"establishment:{e.id}",
        )
        for e in land.establishments
    ]
    events += [
        _event(
            "EstablishmentChanged",
            day,
            where[i],
            {"id": i, "uses_land": False},
            f"establishment-changed:{i}",
        )
        for i, day in sorted(land.stopped.items())
    ]
    stages = (
        ("LandDossierFiled", land.filed, "land-filed"),
        ("LandDossierSubmitted", land.submitted, "land-submitted"),
        ("LandUseRightRecognized", land.recognized, "land-recognized"),
    )
    for kind, days, ref in stages:
        events += [
            _event(kind, day, where[i], {"establishment_id": i}, f"{ref}:{i}")
            for i, day in sorted(days.items())
        ]
    events += [
        _event(
            "LandCertificateIssued",
            day,
            where[i],
            {"establishment_id": i, "certificate_no": "DL 842371"},  # number invented
            f"land-certificate:{i}",
        )
        for i, day in sorted(land.certified.items())
    ]
    return events


# ---- dialogues ------------------------------------------------------------------------

_TOPICS: Final = (
    "công tác giải phóng mặt bằng",
    "xây dựng nông thôn mới kiểu mẫu",
    "chỉnh trang, hiện đại hóa đô thị",
    "phân loại, xử lý rác thải và vệ sinh môi trường",
    "phòng cháy, chữa cháy tại khu dân cư",
    "bảo đảm an ninh, trật tự",
    "cải cách thủ tục hành chính, dịch vụ công trực tuyến",
    "quản lý đất đai, cấp giấy chứng nhận quyền sử dụng đất",
    "vệ sinh an toàn thực phẩm",
    "cấp điện, cấp nước sinh hoạt",
    "thực hiện chính sách an sinh xã hội",
)
_AUDIENCES: Final = (
    "Nhân dân {where}",
    "cán bộ, đảng viên và Nhân dân {where}",
    "đoàn viên, hội viên {where}",
    "các hộ dân bị ảnh hưởng bởi dự án trên địa bàn {where}",
    "người cao tuổi, người có uy tín {where}",
)

# City level, footnotes 2-4 of seed 001: three conferences of the Thường trực Thành ủy with
# their dates ("14 nhóm ý kiến, kiến nghị" for the youth). The other three city-level
# dialogues, and every participant count, are illustrative.
_CITY_DIALOGUES: Final = (
    (
        "2023-02-20",
        "chairman",
        "các hộ kinh doanh chợ Tam Bạc",
        180,
        9,
        (
            "Đối thoại giữa Chủ tịch Ủy ban nhân dân thành phố với các hộ kinh doanh chợ Tam Bạc "
            "sau vụ cháy ngày 12/02/2023"
        ),
    ),
    (
        "2023-03-30",
        "standing_committee",
        "đoàn viên, thanh niên thành phố",
        500,
        14,
        "Hội nghị gặp gỡ, đối thoại với đoàn viên, thanh niên thành phố năm 2023",
    ),
    (
        "2023-05-27",
        "standing_committee",
        "công nhân, viên chức lao động thành phố",
        450,
        12,
        "Hội nghị gặp gỡ, đối thoại với công nhân, viên chức lao động năm 2023",
    ),
    (
        "2023-06-28",
        "chairman",
        "Nhân dân các khu chung cư cũ xuống cấp",
        220,
        8,
        (
            "Đối thoại giữa Chủ tịch Ủy ban nhân dân thành phố với Nhân dân về cải tạo, xây mới "
            "các khu chung cư cũ"
        ),
    ),
    (
        "2023-07-14",
        "party_secretary",
        "hội viên nông dân thành phố",
        300,
        10,
        ("Đối thoại giữa Bí thư Thành ủy với hội viên nông dân về xây dựng nông thôn mới kiểu mẫu"),
    ),
    (
        "2023-08-19",
        "standing_committee",
        "doanh nghiệp thành phố",
        400,
        11,
        "Hội nghị gặp gỡ, đối thoại với doanh nghiệp thành phố năm 2023",
    ),
)


def _host_title(unit: _Unit, host: str) -> str:
    """How the report names the head who held a dialogue at ``unit``."""
    if host == "party_secretary":
        if unit.kind == "city":
            return "Bí thư Thành ủy"
        if unit.kind == "district":
            return "Bí thư Quận ủy" if unit.prefix == "quận" else "Bí thư Huyện ủy"
        return "Bí thư Đảng ủy"
    return f"Chủ tịch Ủy ban nhân dân {unit.prefix}"


def _dialogue(unit: _Unit, day: str, rng: random.Random, ref: str) -> Event:
    """A district- or commune-level dialogue with invented details."""
    host = "party_secretary" if rng.random() < 0.6 else "chairman"
    topic = rng.choice(_TOPICS)
    audience = rng.choice(_AUDIENCES).format(where=unit.lower_name)
    if unit.kind == "district":
        participants, issues = rng.randint(120, 400), rng.randint(6, 25)
    else:
        participants, issues = rng.randint(40, 200), rng.randint(3, 15)
    title = f"Đối thoại giữa {_host_title(unit, host)} với {audience} về {topic}"
    return _event(
        "DialogueHeld",
        day,
        unit.code,
        {
            "host": host,
            "audience": audience,
            "participants": participants,
            "issues_raised": issues,
            "title": title,
        },
        ref,
    )


def _without_dialogue(tree: _Tree) -> list[_Unit]:
    """The five commune-level units that held no dialogue by 15/9/2023 (invented)."""
    rng = random.Random(20230916)
    return sorted(rng.sample(tree.communes, 5), key=lambda u: u.code)


def _dialogue_events(tree: _Tree) -> list[Event]:
    """470 dialogues: 06 city, 112 district, 352 commune level (seed 001)."""
    rng = random.Random(20230914)
    refs = _seq("dialogue")
    events = [
        _event(
            "DialogueHeld",
            day,
            CITY,
            {
                "host": host,
                "audience": audience,
                "participants": participants,
                "issues_raised": issues,
                "title": title,
            },
            next(refs),
        )
        for day, host, audience, participants, issues, title in _CITY_DIALOGUES
    ]
    for unit, count in zip(tree.districts, _scatter(112, len(tree.districts), rng, 4), strict=True):
        for _ in range(count):
            day = _day(rng, dt.date(2023, 1, 10), _NINE_MONTHS_LAST)
            events.append(_dialogue(unit, day, rng, next(refs)))
    skip = {u.code for u in _without_dialogue(tree)}
    holders = [u for u in tree.communes if u.code not in skip]
    for unit, count in zip(holders, _scatter(352, len(holders), rng, 1), strict=True):
        for _ in range(count):
            day = _day(rng, dt.date(2023, 1, 10), _NINE_MONTHS_LAST)
            events.append(_dialogue(unit, day, rng, next(refs)))
    return events


# ---- "Dân vận khéo" models ------------------------------------------------------------

_MODEL_NAMES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "ntm_model": (
            "Tuyến đường hoa kiểu mẫu",
            "Khu dân cư nông thôn mới kiểu mẫu",
            "Vườn mẫu, khu dân cư mẫu",
            "Hiến đất mở rộng đường giao thông nông thôn",
            "Thôn sáng - xanh - sạch - đẹp",
            "Ngõ xóm văn minh, sạch đẹp",
        ),
        "urban": (
            "Tuyến phố văn minh đô thị",
            "Chỉnh trang vỉa hè, lòng đường",
            "Tổ dân phố xanh - sạch - đẹp",
            "Vận động giải phóng mặt bằng chỉnh trang đô thị",
            "Ngõ phố không rác thải",
            "Điểm đỗ xe văn minh",
        ),
        "digital": (
            "Tổ công nghệ số cộng đồng",
            "Chợ 4.0 thanh toán không dùng tiền mặt",
            "Hướng dẫn Nhân dân sử dụng dịch vụ công trực tuyến",
            "Kích hoạt tài khoản định danh điện tử",
            "Nhóm Zalo tổ dân phố",
        ),
        "security": (
            "Camera an ninh khu dân cư",
            "Tổ tự quản an ninh trật tự",
            "Khu dân cư an toàn về phòng cháy, chữa cháy",
            "Tổ liên gia an toàn",
            "Cựu chiến binh tham gia tuần tra",
        ),
        "economy": (
            "Tổ hợp tác sản xuất rau an toàn",
            "Chi hội nghề nghiệp giúp nhau phát triển kinh tế",
            "Vốn vay giúp hội viên thoát nghèo",
            "Liên kết tiêu thụ sản phẩm OCOP",
        ),
        "culture_society": (
            "Mái ấm Công đoàn",
            "Nhà nhân ái",
            "Tủ sách khu dân cư",
            "Câu lạc bộ gia đình 5 không, 3 sạch",
            "Bữa cơm yêu thương",
            "Nâng bước em tới trường",
        ),
        "other": (
            "Dân vận khéo trong công tác tôn giáo",
            "Cải cách thủ tục hành chính, phục vụ Nhân dân",
            "Phát triển đảng viên trong doanh nghiệp",
            "Giải quyết đơn thư từ cơ sở",
        ),
    }
)
# 2,035 - 367 - 296 = 1,372 models in the other fields; the split is invented.
_OTHER_FIELDS: Final = (
    ("digital", 310),
    ("security", 352),
    ("economy", 268),
    ("culture_society", 301),
    ("other", 141),
)


def _model_hosts(tree: _Tree) -> list[tuple[_Unit, str]]:
    """Decide where each of the 2,035 models is registered and in which field."""
    rng = random.Random(20230201)
    hosts: list[tuple[_Unit, str]] = []
    # 367 in model new-style rural areas: 2 at each huyện with such communes, the rest
    # at the ntm_model communes, at least one each (target 08-NQ/TU.1).
    ntm_communes = [u for u in tree.communes if u.ntm_model]
    huyen = [d for d in tree.districts if tree.specs[d.code].ntm > 0]
    hosts += [(d, "ntm_model") for d in huyen for _ in range(2)]
    counts = _scatter(367 - 2 * len(huyen), len(ntm_communes), rng, 1)
    hosts += [(u, "ntm_model") for u, n in zip(ntm_communes, counts, strict=True) for _ in range(n)]
    # 296 in urban embellishment: 3 at each quận, 1 at each township, the rest at the
    # wards, at least one each (target 08-NQ/TU.1).
    quan = [d for d in tree.districts if d.prefix == "quận"]
    townships = [u for u in tree.communes if u.kind == "township"]
    wards = [u for u in tree.communes if u.kind == "ward"]
    hosts += [(d, "urban") for d in quan for _ in range(3)]
    hosts += [(u, "urban") for u in townships]
    counts = _scatter(296 - 3 * len(quan) - len(townships), len(wards), rng, 1)
    hosts += [(u, "urban") for u, n in zip(wards, counts, strict=True) for _ in range(n)]
    # The other fields: one at each department first, then anywhere, weighted.
    fields = [f for f, n in _OTHER_FIELDS for _ in range(n)]
    rng.shuffle(fields)
    hosts += list(zip(tree.departments, fields[: len(tree.departments)], strict=True))
    pool = [*tree.communes, *tree.districts, *tree.departments, *tree.others]
    weights = (
        [1] * len(tree.communes)
        + [3] * len(tree.districts)
        + [2] * len(tree.departments)
        + [3] * len(tree.others)
    )
    for model_field in fields[len(tree.departments) :]:
        hosts.append((rng.choices(pool, weights=weights)[0], model_field))
    return hosts


def _model_events(tree: _Tree) -> list[Event]:
    """2,035 ModelRegistered in 2023, before 14/9."""
    rng = random.Random(20230202)
    events = []
    for number, (unit, model_field) in enumerate(_model_hosts(tree), start=1):
        model_id = f"DVK-2023-{number:04d}"
        name = f"{rng.choice(_MODEL_NAMES[model_field])} ({unit.name})"
        # most registrations come early in the year
        last = dt.date(2023, 4, 30) if rng.random() < 0.8 else _NINE_MONTHS_LAST
        events.append(
            _event(
                "ModelRegistered",
                _day(rng, dt.date(2023, 1, 15), last),
                unit.code,
                {"model_id": model_id, "name": name, "field": model_field, "year": 2023},
                f"model:{model_id}",
            )
        )
    return events


# ---- citizen reception and letters (8 months) ------------------------------------------

_CITY_RECEPTION_WEIGHT: Final = 400  # the city's own reception office (invented share)
_LETTERS_RESOLVED: Final = 398  # not in the seed: about 85% of the 466 in jurisdiction


def _reception_events(tree: _Tree) -> list[Event]:
    """Footnote 8: the 8-month totals, split over the city and its 15 districts."""
    units = [tree.city, *tree.districts]
    weights = [_CITY_RECEPTION_WEIGHT, *(tree.specs[d.code].weight for d in tree.districts)]

    def split(total: int) -> list[int]:
        return _apportion(total, weights)

    columns = {
        "visits": split(2746),
        "cases_complaint": split(155),
        "cases_denunciation": split(64),
        "cases_petition": split(2081),
        "mass_groups": split(158),
        "mass_group_cases": split(152),
    }
    letters = {
        "received": split(7337),
        "eligible": split(5765),
        "in_jurisdiction": split(466),
        "resolved": split(_LETTERS_RESOLVED),
    }
    window = list(_RECEPTION_WINDOW)
    events = []
    for i, unit in enumerate(units):
        events.append(
            _event(
                "CitizenReceptionReported",
                _RECEPTION_WINDOW[1],
                unit.code,
                {"window": list(window), **{k: v[i] for k, v in columns.items()}},
                f"reception:{unit.code}:2023-8M",
            )
        )
        events.append(
            _event(
                "LettersReported",
                _RECEPTION_WINDOW[1],
                unit.code,
                {"window": list(window), **{k: v[i] for k, v in letters.items()}},
                f"letters:{unit.code}:2023-8M",
            )
        )
    return events


# ---- inspections ---------------------------------------------------------------------

_INSPECTION_TOPICS: Final = (
    "Việc thực hiện Quy chế công tác dân vận của hệ thống chính trị",
    "Việc thực hiện Quy định số 11-QĐi/TW về tiếp dân, đối thoại trực tiếp với dân",
    "Việc thực hiện Chỉ thị số 18-CT/TW về giám sát, phản biện xã hội",
    "Việc triển khai phong trào thi đua “Dân vận khéo”",
    "Việc thực hiện dân chủ ở cơ sở",
)


def _inspection_events(tree: _Tree) -> list[Event]:
    """ "trên 75 cuộc kiểm tra, giám sát về công tác dân vận": 76 by the district committees."""
    rng = random.Random(20230301)
    weights = [max(2, len(tree.in_district(d.code))) for d in tree.districts]
    events = []
    refs = _seq("inspection")
    for district, count in zip(tree.districts, _apportion(76, weights, minimum=1), strict=True):
        subjects = [f"Đảng ủy {u.lower_name}" for u in tree.in_district(district.code)]
        subjects = subjects or [f"Ủy ban nhân dân {district.lower_name}"]
        for _ in range(count):
            events.append(
                _event(
                    "InspectionConducted",
                    _day(rng, dt.date(2023, 2, 1), _NINE_MONTHS_LAST),
                    district.code,
                    {
                        "kind": "inspection" if rng.random() < 0.55 else "supervision",
                        "subject": rng.choice(subjects),
                        "topic": rng.choice(_INSPECTION_TOPICS),
                    },
                    next(refs),
                )
            )
    return events


# ---- figures reported through IndicatorDefined ----------------------------------------

# How the veterans' patrol teams split over the districts (invented; rural ones weigh more).
_VETERANS_WEIGHTS: Final = {
    "HB": 60,
    "NQ": 70,
    "LC": 90,
    "HA": 70,
    "KA": 70,
    "DS": 40,
    "DK": 45,
    "TN": 200,
    "AD": 120,
    "AL": 110,
    "KT": 110,
    "TL": 130,
    "VB": 160,
    "CH": 30,
    "BLV": 1,
}


def _indicator_events() -> list[Event]:
    """IndicatorDefined for the stock and sum figures that FigureReported carries."""
    definitions = (
        ("veterans.patrol_teams", "Tổ, đội tuần tra của Hội Cựu chiến binh", "last", "tổ"),
        (
            "veterans.patrol_members",
            "Hội viên Cựu chiến binh tham gia tổ, đội tuần tra",
            "last",
            "người",
        ),
        (
            "border.families_pledged",
            (
                "Gia đình cam kết không buôn bán, vận chuyển, tàng trữ trái phép pháo nổ, vũ khí, "
                "vật liệu nổ, công cụ hỗ trợ"
            ),
            "sum",
            "gia đình",
        ),
        (
            "one_stop.units",
            "Đơn vị triển khai Hệ thống Một cửa điện tử và Dịch vụ công trực tuyến",
            "last",
            "đơn vị",
        ),
    )
    return [
        _event(
            "IndicatorDefined",
            "2023-01-01",
            CITY,
            {"code": code, "title": title, "aggregation": aggregation, "unit_label": label},
            f"indicator:{code}",
        )
        for code, title, aggregation, label in definitions
    ]


def _figure(unit: str, indicator: str, value: int, window: tuple[str, str]) -> Event:
    """One FigureReported, occurring at its window's end."""
    return _event(
        "FigureReported",
        window[1],
        unit,
        {"indicator": indicator, "value": value, "window": list(window), "by": {}},
        f"figure:{indicator}:{unit}:{window[1]}",
    )


def _figure_events(tree: _Tree) -> list[Event]:
    """Veterans' patrols (a stock: two reports per district) and border families (a sum)."""
    rng = random.Random(20230831)
    weights = [_VETERANS_WEIGHTS[tree.specs[d.code].abbr] for d in tree.districts]
    teams = _apportion(1468, weights, minimum=1)
    members = _apportion(4782, weights, minimum=4)
    q1 = ("2023-01-01", "2023-03-31")
    m8 = ("2023-01-01", "2023-08-31")
    events = []
    for district, t, m in zip(tree.districts, teams, members, strict=True):
        # The first-quarter values differ: mostly fewer teams, a few disbanded since.
        delta = rng.randint(-2, 8)
        t_q1 = max(1, t - delta)
        m_q1 = max(2 * t_q1, m - 3 * delta + rng.randint(-3, 3))
        events.append(_figure(district.code, "veterans.patrol_teams", t_q1, q1))
        events.append(_figure(district.code, "veterans.patrol_members", m_q1, q1))
        events.append(_figure(district.code, "veterans.patrol_teams", t, m8))
        events.append(_figure(district.code, "veterans.patrol_members", m, m8))
    # "Phối hợp vận động 1.446 gia đình cam kết": the split over two reports is invented.
    events.append(_figure("HP.BDBP", "border.families_pledged", 1012, ("2023-01-01", "2023-06-30")))
    events.append(_figure("HP.BDBP", "border.families_pledged", 434, ("2023-07-01", "2023-09-14")))
    # "Hệ thống Một cửa điện tử … thống nhất cho 35/35 sở, ban, ngành, quận, huyện, 217/217
    # xã, phường, thị trấn": a stock the city reports, by group; the denominators are the
    # units of the tree.
    for group, value in (("departments_districts", 35), ("communes", 217)):
        event = _figure(CITY, "one_stop.units", value, m8)
        event["data"]["by"] = {"group": group}
        event["source_ref"] += f":{group}"
        events.append(event)
    return events


# ---- a conclusion with tasks (shaped as seed 004's) ------------------------------------

_CONCLUSION: Final = "565-KL/TU"  # number and date invented
_CONCLUSION_DAY: Final = "2023-07-25"

#: The titles of the conclusion's groups, by the first part of its task numbers.
_TASK_GROUPS: Final = {"1": "Nhiệm vụ chung", "2": "Nhiệm vụ cụ thể"}


@dataclass(frozen=True)
class _Task:
    """One task of the demo's conclusion, numbered as the conclusion numbers it."""

    number: str
    owners: tuple[str, ...]  # unit codes, or a unit's body: "HP:people_committee"
    text: str
    due: str | None = None
    recurrence: str | None = None
    # (day, reporting unit, status, note)
    reports: tuple[tuple[str, str, str, str], ...] = ()


# The tasks are written for the demo, in the shape of seed 004's conclusion: general tasks
# (1.x) for the committee's own bodies, specific ones (2.x) for the council, the people's
# committee and the Front; collective owners, and one report due every month.
_TASKS: Final = (
    _Task(
        "1.1",
        ("HP:mass_mobilization",),
        "Cụ thể hóa, hướng dẫn thực hiện các văn bản mới của Trung ương và Thành ủy về công "
        "tác dân vận trong các cấp ủy trực thuộc",
        due="2023-09-15",
        reports=(("2023-09-05", "HP", "in_progress", "Đã dự thảo văn bản hướng dẫn"),),
    ),
    _Task(
        "1.2",
        ("HP.TN:party_committee", "HP.KT:party_committee"),
        "Rà soát các văn bản thực hiện chủ trương của Thành ủy về công tác dân vận đã ban "
        "hành ở cấp huyện",
        due="2023-08-31",
        reports=(
            ("2023-08-10", "HP.TN", "in_progress", "Đang tổng hợp danh mục văn bản"),
            ("2023-08-22", "HP.KT", "done", "Đã hoàn thành rà soát, báo cáo Thành ủy"),
        ),
    ),
    _Task(
        "1.3",
        ("HP.MTTQ",),
        "Đổi mới nội dung, phương thức hoạt động của Mặt trận và các đoàn thể; chuẩn bị Đại "
        "hội Mặt trận Tổ quốc các cấp nhiệm kỳ 2024-2029",
        due="2023-12-31",
        reports=(
            ("2023-08-30", "HP.MTTQ", "in_progress", "Đã ban hành kế hoạch chuẩn bị Đại hội"),
        ),
    ),
    _Task(
        "1.4",
        ("HP:mass_mobilization",),
        "Tổng kết 10 năm thực hiện Nghị quyết số 25-NQ/TW về công tác dân vận trên địa bàn "
        "thành phố",
        due="2023-08-31",
        reports=(("2023-09-06", "HP", "done", "Đã tổ chức hội nghị tổng kết"),),
    ),
    _Task(
        "1.5",
        ("HP:standing_committee", "HP.BLV:party_committee"),
        "Tổ chức đối thoại trực tiếp giữa người đứng đầu cấp ủy với Nhân dân theo kế hoạch "
        "năm 2023, báo cáo kết quả theo quý",
        recurrence="quarterly",
        reports=(("2023-08-19", "HP", "in_progress", "Đã đối thoại với Nhân dân ngày 19/8/2023"),),
    ),
    _Task(
        "2.1",
        ("HP:people_council",),
        "Giám sát việc thực hiện công tác dân vận chính quyền và dân chủ ở cơ sở của các cơ "
        "quan nhà nước",
        due="2023-12-31",
    ),
    _Task(
        "2.2",
        ("HP:people_committee", "HP.SNV", "HP.STNMT"),
        "Chỉ đạo công tác dân vận trong các cơ quan hành chính; tiếp công dân, giải quyết "
        "đơn thư; báo cáo kết quả trước ngày 10 hằng tháng",
        recurrence="monthly:10",
        reports=(("2023-08-08", "HP", "in_progress", "Đã báo cáo kết quả tháng 7/2023"),),
    ),
    _Task(
        "2.3",
        ("HP:front_and_unions",),
        "Tuyên truyền, vận động Nhân dân đồng thuận với các dự án trọng điểm; nâng cao chất "
        "lượng giám sát, phản biện xã hội",
        due="2023-12-31",
        reports=(("2023-09-20", "HP", "in_progress", "Đang triển khai Chương trình giám sát"),),
    ),
)


def _task_events() -> list[Event]:
    """The conclusion, its eight tasks in two groups and the owners' reports (on 30/9: six
    open, two overdue — 1.1 past its date, 2.2's report due before 10/9 not sent)."""
    events = [
        _event(
            "DocumentIssued",
            _CONCLUSION_DAY,
            CITY,
            {
                "number": _CONCLUSION,
                "kind": "conclusion",
                "title": "Kết luận của Ban Thường vụ Thành ủy tại Hội nghị đánh giá kết quả "
                "thực hiện Quy chế công tác dân vận của hệ thống chính trị 6 tháng đầu năm "
                "2023",
                "sets_targets": False,
            },
            "document:565-KL-TU",
        ),
    ]
    for task in _TASKS:
        data: dict[str, Any] = {
            "task_id": task.number,
            "conclusion": _CONCLUSION,
            "owner": task.owners[0],
            "co_owners": list(task.owners[1:]),
            "due": task.due,
            "recurrence": task.recurrence,
            "group": _TASK_GROUPS[task.number.partition(".")[0]],
            "text": task.text,
        }
        events.append(
            _event("TaskAssigned", _CONCLUSION_DAY, CITY, data, f"task:{_CONCLUSION}:{task.number}")
        )
        for sequence, (day, unit, status, note) in enumerate(task.reports, start=1):
            events.append(
                _event(
                    "TaskReported",
                    day,
                    unit,
                    {"task_id": task.number, "status": status, "note": note},
                    f"task-report:{_CONCLUSION}:{task.number}:{sequence}",
                )
            )
    return events


# --------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------


def hai_phong_events() -> list[Event]:
    """The demo data set: Hai Phong city, 2023, as JSON Lines dicts.

    Units come first (parents before children, all on 2020-01-01); the other events
    follow in the order of ``occurred_on`` (ties keep the order of the domain blocks),
    so every unit and establishment is registered before any event names it.
    Recording them reproduces every figure of :data:`GOLDEN`.
    """
    tree = _build_tree()
    land = _plan_land(tree)
    facts = [
        *_resolution_events(),
        *_document_events(tree),
        *_dialogue_plan_events(tree),
        *_land_events(land),
        *_dialogue_events(tree),
        *_model_events(tree),
        *_reception_events(tree),
        *_inspection_events(tree),
        *_indicator_events(),
        *_figure_events(tree),
        *_task_events(),
    ]
    facts.sort(key=lambda e: str(e["occurred_on"]))
    return [*_unit_events(tree), *facts]


def late_entries() -> list[Event]:
    """Facts of the 9 months of 2023 that are recorded after the report was generated.

    Three dialogues at commune-level units that had held none (so
    ``dialogue.units_with`` moves too) and one more dossier submitted on 12/9/2023:
    recorded after :func:`hai_phong_events`, they change the current figures (473
    dialogues, 13 dossiers) but not a snapshot taken "as known at" an earlier instant.
    """
    tree = _build_tree()
    rng = random.Random(20230920)
    days = ("2023-09-08", "2023-09-12", "2023-09-14")
    pairs = zip(_without_dialogue(tree)[:3], days, strict=True)
    events = [
        _dialogue(unit, day, rng, f"late:dialogue:{number:03d}")
        for number, (unit, day) in enumerate(pairs, start=1)
    ]
    land = _plan_land(tree)
    establishment, day = land.late_submitted
    where = {e.id: e.unit for e in land.establishments}
    events.append(
        _event(
            "LandDossierSubmitted",
            day,
            where[establishment],
            {"establishment_id": establishment},
            f"late:land-submitted:{establishment}",
        )
    )
    return events


def merge_2025_events() -> list[Event]:
    """The 2025 reorganisation in miniature, to append after :func:`hai_phong_events`.

    Three wards of quận Hồng Bàng hold dialogues in the first half of 2025; on
    2025-07-01 a new ward (:data:`MERGED_WARD`, parent the city: the district level is
    gone) is registered and the three are merged into it; it holds dialogues in the
    second half.
    """
    rng = random.Random(20250701)
    tree = _build_tree()
    by_code = {u.code: u for u in tree.communes}
    refs = _seq("2025:dialogue")
    events = []
    for code in MERGED_WARD_SOURCES:
        for first, last in (
            (dt.date(2025, 2, 10), dt.date(2025, 3, 31)),
            (dt.date(2025, 4, 1), dt.date(2025, 6, 20)),
        ):
            events.append(_dialogue(by_code[code], _day(rng, first, last), rng, next(refs)))
    events.sort(key=lambda e: str(e["occurred_on"]))
    new_ward = _Unit(MERGED_WARD, "phường", "Hồng Bàng", "ward", CITY)
    events.append(
        _event(
            "UnitRegistered",
            "2025-07-01",
            CITY,
            {
                "code": new_ward.code,
                "name": new_ward.name,
                "kind": new_ward.kind,
                "parent": CITY,
                "attributes": {},
            },
            f"2025:unit:{MERGED_WARD}",
        )
    )
    events.append(
        _event(
            "UnitsMerged",
            "2025-07-01",
            CITY,
            {"sources": list(MERGED_WARD_SOURCES), "into": MERGED_WARD},
            f"2025:merge:{MERGED_WARD}",
        )
    )
    for day in ("2025-08-21", "2025-10-16", "2025-12-05"):
        events.append(_dialogue(new_ward, day, rng, next(refs)))
    return events
