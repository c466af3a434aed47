"""Vietnamese labels of the input tables: event types, their fields, the envelope, enum values.

The CSV and Excel channels accept a column header written as the field's name
(``participants``) or as its label here (``Số người tham dự``); ``dvcore template`` writes
the labels. Matching goes through :func:`fold`, which forgives case, Unicode normal form
and the two ways of placing a tone mark ("hòa"/"hoà", "ủy"/"uỷ").

A plugin labels its own event types without touching this module: a class variable
``label`` on the event class, and ``metadata={"label": …}`` on an ``attrs`` field (see
``docs/plugins.md``); :func:`type_label` and :func:`field_label` look there after the
core tables.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import attrs

__all__ = [
    "ENVELOPE_LABELS",
    "FIELD_LABELS",
    "TEMPLATE_KEYS",
    "TYPE_LABELS",
    "UNIT_FIELDS",
    "VALUE_LABELS",
    "WINDOW_LABELS",
    "field_label",
    "fold",
    "type_label",
    "value_label",
]

#: The envelope columns every table has, before the event's own fields.
ENVELOPE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "occurred_on": "Ngày",
        "unit": "Mã đơn vị",
        "source_ref": "Mã nguồn",
    }
)

#: A ``window`` field is two columns: ``window_from`` and ``window_to``.
WINDOW_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "window_from": "Từ ngày",
        "window_to": "Đến ngày",
    }
)

#: The Vietnamese name of each core event type (a workbook's sheet is still named after
#: the type itself: the label is the sheet's title and the template's help).
TYPE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "UnitRegistered": "Đăng ký đơn vị",
        "UnitChanged": "Thay đổi đơn vị",
        "UnitsMerged": "Hợp nhất đơn vị",
        "UnitClosed": "Giải thể đơn vị",
        "EstablishmentRegistered": "Cơ sở tôn giáo",
        "EstablishmentChanged": "Thay đổi cơ sở tôn giáo",
        "DialogueHeld": "Đối thoại trực tiếp với Nhân dân",
        "DialoguePlanIssued": "Kế hoạch đối thoại",
        "ModelRegistered": "Mô hình “Dân vận khéo” đăng ký",
        "ModelRecognized": "Mô hình “Dân vận khéo” được công nhận",
        "LandDossierFiled": "Lập hồ sơ đăng ký đất đai",
        "LandDossierSubmitted": "Trình hồ sơ đất đai lên UBND",
        "LandUseRightRecognized": "Quyết định công nhận quyền sử dụng đất",
        "LandCertificateIssued": "Cấp giấy chứng nhận quyền sử dụng đất",
        "CitizenReceptionReported": "Tiếp công dân",
        "LettersReported": "Tiếp nhận, xử lý đơn thư",
        "InspectionConducted": "Kiểm tra, giám sát công tác dân vận",
        "SocialSupervisionHeld": "Giám sát xã hội",
        "SocialCritiqueHeld": "Phản biện xã hội",
        "DocumentIssued": "Văn bản ban hành",
        "NarrativeSubmitted": "Nội dung báo cáo của đơn vị",
        "IndicatorDefined": "Khai báo chỉ số",
        "FigureReported": "Số liệu báo cáo",
        "TargetSetAdopted": "Chỉ tiêu của nghị quyết",
        "TaskAssigned": "Giao nhiệm vụ",
        "TaskReported": "Báo cáo tiến độ nhiệm vụ",
        "EventRetracted": "Hủy bỏ sự kiện",
        "EventCorrected": "Đính chính sự kiện",
        "SubmissionReceived": "Tiếp nhận báo cáo",
        "SubmissionReviewed": "Duyệt báo cáo",
    }
)

_LAND = {"establishment_id": "Mã cơ sở"}

#: The label of every field of every core event type: type name → field name → label.
FIELD_LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "UnitRegistered": {
            "code": "Mã đơn vị đăng ký",
            "name": "Tên đơn vị",
            "kind": "Loại đơn vị",
            "parent": "Mã đơn vị cấp trên",
            "attributes": "Thuộc tính",
        },
        "UnitChanged": {
            "code": "Mã đơn vị thay đổi",
            "name": "Tên mới",
            "parent": "Mã đơn vị cấp trên mới",
            "attributes": "Thuộc tính",
        },
        "UnitsMerged": {
            "sources": "Mã các đơn vị được hợp nhất",
            "into": "Mã đơn vị sau hợp nhất",
        },
        "UnitClosed": {"code": "Mã đơn vị giải thể"},
        "EstablishmentRegistered": {
            "id": "Mã cơ sở",
            "name": "Tên cơ sở",
            "religion": "Tôn giáo",
            "uses_land": "Đang sử dụng đất",
        },
        "EstablishmentChanged": {
            "id": "Mã cơ sở",
            "name": "Tên cơ sở mới",
            "religion": "Tôn giáo",
            "uses_land": "Đang sử dụng đất",
            "unit": "Mã đơn vị mới",
        },
        "DialogueHeld": {
            "host": "Người chủ trì",
            "audience": "Đối tượng đối thoại",
            "participants": "Số người tham dự",
            "issues_raised": "Số ý kiến, kiến nghị",
            "title": "Nội dung đối thoại",
        },
        "DialoguePlanIssued": {"year": "Năm", "document": "Số văn bản"},
        "ModelRegistered": {
            "model_id": "Mã mô hình",
            "name": "Tên mô hình",
            "field": "Lĩnh vực",
            "year": "Năm",
        },
        "ModelRecognized": {"model_id": "Mã mô hình", "level": "Cấp công nhận"},
        "LandDossierFiled": _LAND,
        "LandDossierSubmitted": _LAND,
        "LandUseRightRecognized": _LAND,
        "LandCertificateIssued": {**_LAND, "certificate_no": "Số giấy chứng nhận"},
        "CitizenReceptionReported": {
            "window": "Kỳ báo cáo",
            "visits": "Số lượt tiếp công dân",
            "cases_complaint": "Vụ việc khiếu nại",
            "cases_denunciation": "Vụ việc tố cáo",
            "cases_petition": "Vụ việc kiến nghị, phản ánh",
            "mass_groups": "Số đoàn đông người",
            "mass_group_cases": "Vụ việc của đoàn đông người",
        },
        "LettersReported": {
            "window": "Kỳ báo cáo",
            "received": "Đơn thư tiếp nhận",
            "eligible": "Đơn đủ điều kiện xử lý",
            "in_jurisdiction": "Đơn thuộc thẩm quyền giải quyết",
            "resolved": "Đơn đã giải quyết",
        },
        "InspectionConducted": {
            "kind": "Hình thức",
            "subject": "Đối tượng kiểm tra, giám sát",
            "topic": "Nội dung",
        },
        "SocialSupervisionHeld": {"topic": "Nội dung giám sát"},
        "SocialCritiqueHeld": {"topic": "Nội dung phản biện"},
        "DocumentIssued": {
            "number": "Số văn bản",
            "kind": "Loại văn bản",
            "title": "Trích yếu",
            "sets_targets": "Đề ra chỉ tiêu dân vận",
        },
        "NarrativeSubmitted": {
            "section": "Mục của đề cương",
            "text": "Nội dung",
            "window": "Kỳ báo cáo",
            "report": "Loại báo cáo",
        },
        "IndicatorDefined": {
            "code": "Mã chỉ số",
            "title": "Tên chỉ số",
            "aggregation": "Cách tổng hợp",
            "unit_label": "Đơn vị tính",
        },
        "FigureReported": {
            "indicator": "Mã chỉ số",
            "value": "Giá trị",
            "window": "Kỳ báo cáo",
            "by": "Phân theo",
        },
        "TargetSetAdopted": {"resolution": "Số nghị quyết", "targets": "Các chỉ tiêu"},
        "TaskAssigned": {
            "task_id": "Mã nhiệm vụ",
            "conclusion": "Số kết luận",
            "owner": "Đơn vị chủ trì",
            "due": "Hạn hoàn thành",
            "text": "Nội dung nhiệm vụ",
            "co_owners": "Đơn vị cùng chủ trì",
            "recurrence": "Hạn định kỳ",
            "group": "Nhóm nhiệm vụ",
        },
        "TaskReported": {
            "task_id": "Mã nhiệm vụ",
            "status": "Tình trạng",
            "note": "Ghi chú",
            "conclusion": "Số kết luận",
        },
        "EventRetracted": {"event_id": "Mã sự kiện bị hủy", "reason": "Lý do"},
        "EventCorrected": {
            "event_id": "Mã sự kiện được đính chính",
            "data": "Dữ liệu đã đính chính",
            "reason": "Lý do",
        },
        "SubmissionReceived": {
            "period": "Kỳ báo cáo",
            "window": "Thời gian",
            "version": "Lần gửi",
            "files": "Tệp đã gửi",
            "rows": "Các dòng theo loại",
            "added": "Số dòng thêm mới",
            "corrected": "Số dòng đính chính",
            "retracted": "Số dòng rút lại",
            "unchanged": "Số dòng giữ nguyên",
        },
        "SubmissionReviewed": {
            "unit": "Mã đơn vị gửi báo cáo",
            "period": "Kỳ báo cáo",
            "decision": "Kết quả duyệt",
            "version": "Lần gửi",
            "reason": "Lý do trả lại",
        },
    }
)

#: Labels of enumerated values. The channels accept a value or its label; the workbook
#: template's drop-down lists offer the labels.
VALUE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        # unit kinds
        "province": "Tỉnh",
        "city": "Thành phố",
        "district": "Quận, huyện",
        "town": "Thị xã",
        "commune": "Xã",
        "ward": "Phường",
        "township": "Thị trấn",
        "department": "Sở, ban, ngành",
        "armed_force": "Lực lượng vũ trang",
        "mass_org": "Mặt trận, đoàn thể",
        "village": "Thôn, tổ dân phố",
        # dialogue hosts
        "party_secretary": "Bí thư cấp ủy",
        "chairman": "Chủ tịch UBND",
        "standing_committee": "Thường trực cấp ủy",
        "other": "Khác",
        # model fields
        "ntm_model": "Nông thôn mới kiểu mẫu",
        "urban": "Chỉnh trang, hiện đại hóa đô thị",
        "digital": "Chuyển đổi số",
        "security": "Quốc phòng, an ninh",
        "economy": "Phát triển kinh tế",
        "culture_society": "Văn hóa, xã hội",
        # inspections
        "inspection": "Kiểm tra",
        "supervision": "Giám sát",
        # documents
        "resolution": "Nghị quyết",
        "directive": "Chỉ thị",
        "plan": "Kế hoạch",
        "official_letter": "Công văn",
        "conclusion": "Kết luận",
        "regulation": "Quy định",
        "notice": "Thông báo",
        "report": "Báo cáo",
        "circular": "Thông tri",
        "decision": "Quyết định",
        "guidance": "Hướng dẫn",
        "programme": "Chương trình",
        # aggregations
        "sum": "Cộng dồn",
        "last": "Số mới nhất",
        "max": "Lớn nhất",
        "min": "Nhỏ nhất",
        # task status
        "in_progress": "Đang thực hiện",
        "done": "Đã hoàn thành",
        # the report a narrative is written for
        "periodic": "Báo cáo định kỳ",
        "term-commune": "Báo cáo tổng kết nhiệm kỳ",
        "follow-up": "Báo cáo theo dõi thực hiện kết luận",
        # review decisions
        "accepted": "Chấp nhận",
        "returned": "Trả lại",
        # unit groups (the one-stop figures' ``group`` breakdown)
        "departments_districts": "Sở, ban, ngành, quận, huyện",
        "communes": "Xã, phường, thị trấn",
    }
)

#: Fields that hold the code of an existing unit: the workbook template offers the store's
#: unit codes in a drop-down there (``unit``, the envelope's, always).
UNIT_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "UnitRegistered": frozenset({"parent"}),
        "UnitChanged": frozenset({"code", "parent"}),
        "UnitsMerged": frozenset({"into"}),
        "UnitClosed": frozenset({"code"}),
        "EstablishmentChanged": frozenset({"unit"}),
        "TaskAssigned": frozenset({"owner"}),
    }
)

#: Keys of object fields that the template writes as columns of their own
#: (``attributes.ntm_model``); other keys can be added as columns by the user.
TEMPLATE_KEYS: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType(
    {("UnitRegistered", "attributes"): ("ntm_model",)}
)

# --- matching ---------------------------------------------------------------------------

# The five tone marks, as combining characters after NFD.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_WORD = re.compile(r"[\w\u0300-\u036f]+")
_SPACE = re.compile(r"\s+")


def _tone_last(match: re.Match[str]) -> str:
    word = match.group(0)
    tones = [c for c in word if c in _TONES]
    if not tones:
        return word
    return "".join(c for c in word if c not in _TONES) + "".join(tones)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """The form two labels are compared in: NFD with every tone mark moved to the end of
    its word, case-folded, spaces collapsed.

    ``fold("Hòa") == fold("hoà")`` and ``fold("Ủy ban") == fold("uỷ  BAN")``, while
    ``fold("hòa") != fold("hoa")``: only the placement of a tone is forgiven, never its
    absence.
    """
    decomposed = unicodedata.normalize("NFD", text.strip())
    return _SPACE.sub(" ", _WORD.sub(_tone_last, decomposed)).casefold()


def type_label(event_type: type[Any]) -> str:
    """The Vietnamese name of an event type (its wire name when it has none)."""
    name: str = event_type.type_name
    return TYPE_LABELS.get(name) or str(getattr(event_type, "label", "") or name)


def field_label(event_type: type[Any], field: str) -> str:
    """The Vietnamese label of one field of an event type (the field's name when none)."""
    core = FIELD_LABELS.get(event_type.type_name)
    if core is not None and field in core:
        return core[field]
    if attrs.has(event_type):
        for attribute in attrs.fields(event_type):
            if attribute.name == field:
                return str(attribute.metadata.get("label") or field)
    return field


def value_label(value: str) -> str:
    """The Vietnamese label of an enumerated value (the value itself when it has none)."""
    return VALUE_LABELS.get(value, value)
