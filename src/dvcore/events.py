"""The core event catalogue: one frozen ``attrs`` class for the data of each fact type.

An event is an envelope (:class:`Event`: when the fact happened, for which unit, its
idempotency key) around the data of one type (a subclass of :class:`EventData`). Each data
class names its wire type and schema version as class variables, never through its class
name, and validates itself on construction: counts are non-negative integers, a window never
runs backwards, enumerated fields take only their listed values.

Once stored, an event comes back as a :class:`RecordedEvent` carrying the store's envelope
(position, stream and version, ``recorded_at``, actor, hash). Events are never updated or
deleted: :class:`EventRetracted` and :class:`EventCorrected` name the event they supersede.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar, get_args

import attrs

from dvcore.errors import FieldError
from dvcore.i18n import _

__all__ = [
    "CORE_EVENT_TYPES",
    "RECURRENCE",
    "TASK_BODIES",
    "CitizenReceptionReported",
    "DialogueHeld",
    "DialoguePlanIssued",
    "DocumentIssued",
    "EstablishmentChanged",
    "EstablishmentRegistered",
    "Event",
    "EventCorrected",
    "EventData",
    "EventRetracted",
    "FigureReported",
    "IndicatorDefined",
    "InspectionConducted",
    "LandCertificateIssued",
    "LandDossierFiled",
    "LandDossierSubmitted",
    "LandUseRightRecognized",
    "LettersReported",
    "ModelRecognized",
    "ModelRegistered",
    "NarrativeReport",
    "NarrativeSubmitted",
    "PopulationFilter",
    "RecordedEvent",
    "SocialCritiqueHeld",
    "SocialSupervisionHeld",
    "SubmissionReceived",
    "SubmissionReviewed",
    "SubmissionRows",
    "SubmittedFile",
    "TargetDefinition",
    "TargetSetAdopted",
    "TaskAssigned",
    "TaskBody",
    "TaskReported",
    "UnitChanged",
    "UnitClosed",
    "UnitKind",
    "UnitRegistered",
    "UnitsMerged",
    "UnknownEventData",
    "Window",
    "new_event_id",
]

UnitKind = Literal[
    "province",
    "city",
    "district",
    "town",
    "commune",
    "ward",
    "township",
    "department",
    "armed_force",
    "mass_org",
    "village",
]
Host = Literal["party_secretary", "chairman", "standing_committee", "other"]
ModelField = Literal[
    "ntm_model", "urban", "digital", "security", "economy", "culture_society", "other"
]
InspectionKind = Literal["inspection", "supervision"]
DocumentKind = Literal[
    "resolution",
    "directive",
    "plan",
    "official_letter",
    "conclusion",
    "regulation",
    "notice",
    "report",
    "circular",
    "decision",
    "guidance",
    "programme",
]
Aggregation = Literal["sum", "last", "max", "min"]
Measure = Literal["count", "units_with"]
Population = Literal["units", "establishments_using_land"]
Rounding = Literal["half_up", "ceil", "floor"]
TaskStatus = Literal["in_progress", "done"]

#: The report a unit's narrative is written for (``NarrativeSubmitted.report``).
NarrativeReport = Literal["periodic", "term-commune", "follow-up"]

#: The attribute values a unit may carry: JSON scalars only, so they hash and compare.
AttributeValue = str | int | bool | None


def _one_of(kind: Any) -> Any:
    choices = get_args(kind)
    allowed = frozenset(choices)

    def check(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
        try:
            ok = value in allowed
        except TypeError:  # an unhashable value
            ok = False
        if not ok:
            raise ValueError(
                _(
                    "'{name}' must be one of: {choices}; got {value}",
                    name=attribute.name,
                    choices=", ".join(choices),
                    value=repr(value),
                )
            )

    return check


class _Refusal(ValueError):
    """A rule over several fields refused the object; ``field`` is the one to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


_SIGNATURE = re.compile(
    r"(?P<kind>missing \d+ required keyword-only arguments?|unexpected keyword argument)"
    r":? (?P<names>.*)$"
)


def _refused_field(
    cls: type, exc: BaseException, kwargs: Mapping[str, Any]
) -> tuple[str | None, str]:
    """Which field of ``cls`` the error ``exc`` (raised while building one) is about, and why."""
    field = getattr(exc, "field", None)
    first = exc.args[0] if exc.args else None
    reason = first if isinstance(first, str) else str(exc)
    if isinstance(field, str):
        return field, reason
    for arg in exc.args[1:]:  # attrs' own validators pass the attribute
        if isinstance(arg, attrs.Attribute):
            return arg.name, reason
    fields = attrs.fields(cls)
    names = {a.name for a in fields}
    if reason.startswith("'") and "'" in reason[1:]:
        name = reason[1 : reason.index("'", 1)]
        if name in names:
            return name, reason
    signature = _SIGNATURE.search(reason) if isinstance(exc, TypeError) else None
    if signature is not None:
        quoted = re.findall(r"'([^']*)'", signature.group("names"))
        found = quoted[0] if quoted else None
        if signature.group("kind").startswith("missing"):
            return found, _("is required")
        return found, _("unknown field")
    for a in fields:  # a converter refused: find whose by running each again
        if a.converter is not None and a.alias in kwargs and callable(a.converter):
            try:
                a.converter(kwargs[a.alias])
            except Exception:
                return a.name, reason
    return None, reason


_C = TypeVar("_C", bound=type)


def _checked(cls: _C) -> _C:
    """Make ``cls(...)`` raise :class:`~dvcore.errors.FieldError` (naming the field) where its
    validators, converters or signature raise a bare ``ValueError`` or ``TypeError``."""
    if cls.__dict__.get("__dvcore_checked__"):
        return cls
    init = cls.__dict__["__init__"]
    data = any(base.__name__ == "EventData" for base in cls.__mro__[1:])  # EventData is below
    owner = str(getattr(cls, "type_name", None) or cls.__name__) if data else cls.__name__

    @functools.wraps(init)
    def __init__(self: object, *args: Any, **kwargs: Any) -> None:
        try:
            init(self, *args, **kwargs)
        except FieldError:
            raise
        except (ValueError, TypeError) as exc:
            if args:  # called positionally: a programming error, not a bad field
                raise
            field, reason = _refused_field(cls, exc, kwargs)
            path = f"data.{field}" if data and field is not None else field
            raise FieldError(
                owner, field, reason, path=path, event_type=owner if data else None
            ) from exc

    type.__setattr__(cls, "__init__", __init__)
    type.__setattr__(cls, "__dvcore_checked__", True)
    return cls


def _date(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None and attribute.default is None:
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(
            _(
                "'{name}' must be a date (datetime.date), not {value}",
                name=attribute.name,
                value=repr(value),
            )
        )


def _window(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Window):
        raise TypeError(
            _("'{name}' must be a Window, not {value}", name=attribute.name, value=repr(value))
        )


def _count(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            _(
                "'{name}' must be a whole number, not {value}",
                name=attribute.name,
                value=repr(value),
            )
        )
    if value < 0:
        raise ValueError(
            _("'{name}' must not be negative, got {value}", name=attribute.name, value=value)
        )
    if value >= 10**12:  # facts hold value × 10⁶ in a 64-bit integer
        raise ValueError(_("'{name}' is out of range: {value}", name=attribute.name, value=value))


def _text(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(_("'{name}' must be a non-empty text", name=attribute.name))


def _opt_text(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(_("'{name}' must be a text or null", name=attribute.name))


def _bool(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, bool):
        raise TypeError(
            _("'{name}' must be true or false, not {value}", name=attribute.name, value=repr(value))
        )


def _frozen_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


# One typed converter per sequence field: ``converter=tuple`` would make every caller's
# argument ``Iterable[Any]`` to the type checker.
def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _kinds(value: Iterable[UnitKind]) -> tuple[UnitKind, ...]:
    return tuple(value)


def _filters(value: Iterable[PopulationFilter]) -> tuple[PopulationFilter, ...]:
    return tuple(value)


def _target_tuple(value: Iterable[TargetDefinition]) -> tuple[TargetDefinition, ...]:
    return tuple(value)


@_checked
@attrs.frozen(kw_only=True)
class Window:
    """A closed date interval a reported aggregate covers; on the wire ``[from, to]``."""

    start: dt.date = attrs.field(validator=_date)
    end: dt.date = attrs.field(validator=_date)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise _Refusal(
                "end",
                _(
                    "the window runs backwards: {start} > {end}",
                    start=self.start.isoformat(),
                    end=self.end.isoformat(),
                ),
            )


class EventData:
    """Base class of every event's data. Subclasses set ``type_name`` and ``schema_version``.

    Building an ``attrs`` subclass with a bad field raises :class:`~dvcore.errors.FieldError`
    (a :class:`~dvcore.errors.ValidationError` and a ``ValueError``) that names the field
    as ``data.<field>``, whatever the validator raised.
    """

    type_name: ClassVar[str]
    schema_version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # attrs puts ``__init__`` on the class it returns (a new one for slotted classes);
        # a class not built by attrs yet is checked by EventTypes.add instead
        if "__attrs_attrs__" in cls.__dict__ and "__init__" in cls.__dict__:
            _checked(cls)


@attrs.frozen(kw_only=True)
class UnknownEventData(EventData):
    """The data of a stored event whose type no installed plugin provides.

    The store reads such an event back with its raw payload instead of failing, so a store
    stays readable after a plugin is uninstalled; ``type_name`` is the stored type's wire
    name (per instance, unlike the class variable of known types), ``payload`` the stored
    data as it was, ``schema_version`` its stored version. No indicator counts it.
    """

    type_name: str  # type: ignore[misc]
    payload: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping, hash=False)
    schema_version: int = 1  # type: ignore[misc]


# --- units -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class UnitRegistered(EventData):
    """A unit joins the organisation tree under ``parent`` (``None`` for a root)."""

    type_name: ClassVar[str] = "UnitRegistered"
    code: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    kind: UnitKind = attrs.field(validator=_one_of(UnitKind))
    parent: str | None = attrs.field(default=None, validator=_opt_text)
    attributes: Mapping[str, AttributeValue] = attrs.field(
        factory=dict, converter=_frozen_mapping, eq=True, hash=False
    )


@attrs.frozen(kw_only=True)
class UnitChanged(EventData):
    """A unit is renamed, moved to another parent or given new attributes (merged in)."""

    type_name: ClassVar[str] = "UnitChanged"
    code: str = attrs.field(validator=_text)
    name: str | None = attrs.field(default=None, validator=_opt_text)
    parent: str | None = attrs.field(default=None, validator=_opt_text)
    attributes: Mapping[str, AttributeValue] | None = attrs.field(default=None, hash=False)

    def __attrs_post_init__(self) -> None:
        if self.name is None and self.parent is None and self.attributes is None:
            raise ValueError(
                _("a UnitChanged must change at least one of name, parent, attributes")
            )


@attrs.frozen(kw_only=True)
class UnitsMerged(EventData):
    """Units ``sources`` end and their history continues in ``into`` (a registered unit)."""

    type_name: ClassVar[str] = "UnitsMerged"
    sources: tuple[str, ...] = attrs.field(converter=_texts)
    into: str = attrs.field(validator=_text)

    def __attrs_post_init__(self) -> None:
        if not self.sources:
            raise ValueError(_("'sources' must name at least one unit"))
        if self.into in self.sources:
            raise ValueError(_("'into' ({into}) cannot be one of the sources", into=self.into))
        if len(set(self.sources)) != len(self.sources):
            raise ValueError(_("'sources' names a unit twice"))


@attrs.frozen(kw_only=True)
class UnitClosed(EventData):
    """A unit ends without a successor (its history stays with its last parent)."""

    type_name: ClassVar[str] = "UnitClosed"
    code: str = attrs.field(validator=_text)


# --- religious establishments and the land pipeline --------------------------------------


@attrs.frozen(kw_only=True)
class EstablishmentRegistered(EventData):
    """A religious establishment, standing in the event's unit."""

    type_name: ClassVar[str] = "EstablishmentRegistered"
    id: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    religion: str | None = attrs.field(default=None, validator=_opt_text)
    uses_land: bool = attrs.field(default=True, validator=_bool)


@attrs.frozen(kw_only=True)
class EstablishmentChanged(EventData):
    """An establishment's name, religion, land use or unit changes."""

    type_name: ClassVar[str] = "EstablishmentChanged"
    id: str = attrs.field(validator=_text)
    name: str | None = attrs.field(default=None, validator=_opt_text)
    religion: str | None = attrs.field(default=None, validator=_opt_text)
    uses_land: bool | None = None
    unit: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(kw_only=True)
class LandDossierFiled(EventData):
    """A land registration dossier is filed for an establishment (stage 1)."""

    type_name: ClassVar[str] = "LandDossierFiled"
    establishment_id: str = attrs.field(validator=_text)


@attrs.frozen(kw_only=True)
class LandDossierSubmitted(EventData):
    """The dossier is submitted to the people's committee (stage 2)."""

    type_name: ClassVar[str] = "LandDossierSubmitted"
    establishment_id: str = attrs.field(validator=_text)


@attrs.frozen(kw_only=True)
class LandUseRightRecognized(EventData):
    """A decision recognizes the establishment's land-use right (stage 3)."""

    type_name: ClassVar[str] = "LandUseRightRecognized"
    establishment_id: str = attrs.field(validator=_text)


@attrs.frozen(kw_only=True)
class LandCertificateIssued(EventData):
    """The land-use certificate is issued (stage 4)."""

    type_name: ClassVar[str] = "LandCertificateIssued"
    establishment_id: str = attrs.field(validator=_text)
    certificate_no: str | None = attrs.field(default=None, validator=_opt_text)


# --- dialogues and models ----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class DialogueHeld(EventData):
    """A head of the unit held a direct dialogue with the people (Quy định 11-QĐi/TW).

    Schema version 2 names the head in ``host``; version 1 stored a Vietnamese slug in
    ``chair`` and is read through :func:`dvcore.serialization.upcast_v1_v2`.
    """

    type_name: ClassVar[str] = "DialogueHeld"
    schema_version: ClassVar[int] = 2
    host: Host = attrs.field(validator=_one_of(Host))
    audience: str | None = attrs.field(default=None, validator=_opt_text)
    participants: int | None = attrs.field(default=None, validator=_count)
    issues_raised: int | None = attrs.field(default=None, validator=_count)
    title: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(kw_only=True)
class DialoguePlanIssued(EventData):
    """The unit issued its plan of dialogues for a year."""

    type_name: ClassVar[str] = "DialoguePlanIssued"
    year: int = attrs.field(validator=_count)
    document: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(kw_only=True)
class ModelRegistered(EventData):
    """A "Dân vận khéo" model is registered in a field."""

    type_name: ClassVar[str] = "ModelRegistered"
    model_id: str = attrs.field(validator=_text)
    name: str = attrs.field(validator=_text)
    field: ModelField = attrs.field(validator=_one_of(ModelField))
    year: int | None = attrs.field(default=None, validator=_count)


@attrs.frozen(kw_only=True)
class ModelRecognized(EventData):
    """A registered model is recognized at a level."""

    type_name: ClassVar[str] = "ModelRecognized"
    model_id: str = attrs.field(validator=_text)
    level: str = attrs.field(validator=_text)


# --- reception, letters, inspections, supervision ----------------------------------------


@attrs.frozen(kw_only=True)
class CitizenReceptionReported(EventData):
    """Citizen receptions over a window: visits (lượt), cases (vụ việc) by kind, mass groups."""

    type_name: ClassVar[str] = "CitizenReceptionReported"
    window: Window = attrs.field(validator=_window)
    visits: int = attrs.field(default=0, validator=_count)
    cases_complaint: int = attrs.field(default=0, validator=_count)
    cases_denunciation: int = attrs.field(default=0, validator=_count)
    cases_petition: int = attrs.field(default=0, validator=_count)
    mass_groups: int = attrs.field(default=0, validator=_count)
    mass_group_cases: int = attrs.field(default=0, validator=_count)


@attrs.frozen(kw_only=True)
class LettersReported(EventData):
    """Letters (complaints, denunciations, petitions) over a window."""

    type_name: ClassVar[str] = "LettersReported"
    window: Window = attrs.field(validator=_window)
    received: int = attrs.field(default=0, validator=_count)
    eligible: int = attrs.field(default=0, validator=_count)
    in_jurisdiction: int = attrs.field(default=0, validator=_count)
    resolved: int = attrs.field(default=0, validator=_count)

    def __attrs_post_init__(self) -> None:
        if self.eligible > self.received:
            raise ValueError(
                _(
                    "'eligible' ({eligible}) exceeds 'received' ({received})",
                    eligible=self.eligible,
                    received=self.received,
                )
            )


@attrs.frozen(kw_only=True)
class InspectionConducted(EventData):
    """An inspection or supervision of dân vận work on a party organisation."""

    type_name: ClassVar[str] = "InspectionConducted"
    kind: InspectionKind = attrs.field(validator=_one_of(InspectionKind))
    subject: str | None = attrs.field(default=None, validator=_opt_text)
    topic: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(kw_only=True)
class SocialSupervisionHeld(EventData):
    """A social supervision by the Fatherland Front or a mass organisation."""

    type_name: ClassVar[str] = "SocialSupervisionHeld"
    topic: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(kw_only=True)
class SocialCritiqueHeld(EventData):
    """A social critique (phản biện xã hội) by the Fatherland Front or a mass organisation."""

    type_name: ClassVar[str] = "SocialCritiqueHeld"
    topic: str | None = attrs.field(default=None, validator=_opt_text)


@attrs.frozen(kw_only=True)
class DocumentIssued(EventData):
    """A document issued by the unit; ``sets_targets`` when it sets dân vận targets."""

    type_name: ClassVar[str] = "DocumentIssued"
    number: str = attrs.field(validator=_text)
    kind: DocumentKind = attrs.field(validator=_one_of(DocumentKind))
    title: str | None = attrs.field(default=None, validator=_opt_text)
    sets_targets: bool = attrs.field(default=False, validator=_bool)


#: A section id of a report's outline: a Roman numeral (``I`` … ``VI``), optionally with one
#: or two numbers (``II.1``, ``V.2``), or a part (``P1``, ``P2``).
SECTION_ID = re.compile(r"(?:P[1-9]|(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})(?:\.[1-9][0-9]?){0,2})")


def _section(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or SECTION_ID.fullmatch(value) is None:
        raise ValueError(
            _(
                "'{name}' must be a section id of the outline (I, II.1 … V.2, VI, P2), not {value}",
                name=attribute.name,
                value=repr(value),
            )
        )


@attrs.frozen(kw_only=True)
class NarrativeSubmitted(EventData):
    """A unit's own text for one section of its report over ``window``: ``section`` is the
    outline's id (``I``, ``II.1`` … ``V.2``, ``VI``, ``P2``), ``text`` its paragraphs in
    Markdown (see :mod:`dvcore.narrative`), ``report`` the report whose outline the id is of
    (``periodic``, ``term-commune`` or ``follow-up``). The event's unit is the unit that
    wrote it; its parent's draft of the same report compiles it under the same section."""

    type_name: ClassVar[str] = "NarrativeSubmitted"
    section: str = attrs.field(validator=_section)
    text: str = attrs.field(validator=_text)
    window: Window = attrs.field(validator=_window)
    #: the report it is written for: a section id means another thing in each outline
    report: NarrativeReport = attrs.field(default="periodic", validator=_one_of(NarrativeReport))


# --- reported aggregates -----------------------------------------------------------------


@attrs.frozen(kw_only=True)
class IndicatorDefined(EventData):
    """Declares an indicator that :class:`FigureReported` events report.

    ``aggregation`` says how values combine across time: ``sum`` adds, ``last`` keeps the
    latest (a stock), ``max`` and ``min`` keep the extreme.
    """

    type_name: ClassVar[str] = "IndicatorDefined"
    code: str = attrs.field(validator=_text)
    title: str = attrs.field(validator=_text)
    aggregation: Aggregation = attrs.field(validator=_one_of(Aggregation))
    unit_label: str | None = attrs.field(default=None, validator=_opt_text)


def _decimal_value(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(
            _(
                "'{name}' must be a finite number, not {value}",
                name=attribute.name,
                value=repr(value),
            )
        )
    if value.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ValueError(
            _("'{name}' has more than 6 decimal places: {value}", name=attribute.name, value=value)
        )
    if abs(value) >= Decimal(10) ** 12:
        raise ValueError(_("'{name}' is out of range: {value}", name=attribute.name, value=value))


@attrs.frozen(kw_only=True)
class FigureReported(EventData):
    """An aggregate a subordinate unit reports for a window, by optional dimensions."""

    type_name: ClassVar[str] = "FigureReported"
    indicator: str = attrs.field(validator=_text)
    value: Decimal = attrs.field(validator=_decimal_value)
    window: Window = attrs.field(validator=_window)
    by: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen_mapping, hash=False)


# --- targets -----------------------------------------------------------------------------


@_checked
@attrs.frozen(kw_only=True)
class PopulationFilter:
    """One alternative of a target's population: units of these kinds with these attributes."""

    kinds: tuple[UnitKind, ...] = attrs.field(factory=tuple, converter=_kinds)
    attributes: Mapping[str, AttributeValue] = attrs.field(
        factory=dict, converter=_frozen_mapping, hash=False
    )

    def __attrs_post_init__(self) -> None:
        allowed = frozenset(get_args(UnitKind))
        for kind in self.kinds:
            if kind not in allowed:
                raise ValueError(_("'{kind}' is not a unit kind", kind=kind))


def _threshold(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Decimal) or not (Decimal(0) <= value <= Decimal(1)):
        raise ValueError(
            _(
                "'{name}' must be a fraction from 0 to 1, not {value}",
                name=attribute.name,
                value=repr(value),
            )
        )


@_checked
@attrs.frozen(kw_only=True)
class TargetDefinition:
    """A resolution's measurable target (DESIGN.md §5)."""

    code: str = attrs.field(validator=_text)
    title: str = attrs.field(validator=_text)
    indicator: str = attrs.field(validator=_text)
    measure: Measure = attrs.field(validator=_one_of(Measure))
    population: Population = attrs.field(validator=_one_of(Population))
    population_filter: tuple[PopulationFilter, ...] = attrs.field(factory=tuple, converter=_filters)
    threshold: Decimal = attrs.field(validator=_threshold)
    period: str = attrs.field(validator=_text)
    rounding: Rounding = attrs.field(default="half_up", validator=_one_of(Rounding))


@attrs.frozen(kw_only=True)
class TargetSetAdopted(EventData):
    """The unit's resolution adopts a set of targets."""

    type_name: ClassVar[str] = "TargetSetAdopted"
    resolution: str = attrs.field(validator=_text)
    targets: tuple[TargetDefinition, ...] = attrs.field(converter=_target_tuple)

    def __attrs_post_init__(self) -> None:
        codes = [t.code for t in self.targets]
        if len(set(codes)) != len(codes):
            raise ValueError(_("two targets share one code"))


# --- follow-up of conclusions ------------------------------------------------------------

#: The bodies of a unit that may own a task (``"HP.TN:people_committee"``): its party
#: committee (Thành ủy, Huyện ủy, Đảng ủy xã), the committee's standing board (Ban Thường
#: vụ), the standing body of its people's council (Thường trực HĐND), its people's committee
#: (UBND), the committee's mass mobilization board (Ban Dân vận), its Fatherland Front
#: committee (Ủy ban MTTQ), and the Front with the socio-political organisations together.
TaskBody = Literal[
    "party_committee",
    "standing_committee",
    "people_council",
    "people_committee",
    "mass_mobilization",
    "fatherland_front",
    "front_and_unions",
]
TASK_BODIES: tuple[str, ...] = get_args(TaskBody)

#: The metadata of a field added to an event type after events of it were stored: the
#: payload leaves it out while it holds its default, so an event sent again in its old
#: shape is still the same event (the content a ``source_ref`` names).
_ADDED: Mapping[str, Any] = {"omit_if_default": True}

#: A task's recurring due rule: ``monthly:N`` (before the Nth of each month, N from 1 to
#: 28), ``quarterly`` (before each quarter's first day: by the end of the quarter) or
#: ``yearly`` (before 1 January: by the end of the year).
RECURRENCE = re.compile(r"monthly:(?:[1-9]|1[0-9]|2[0-8])|quarterly|yearly")
RECURRENCE_RULES = ("monthly:1 … monthly:28", "quarterly", "yearly")


def _owner_problem(value: object) -> bool:
    if not isinstance(value, str) or not value.strip():
        return True
    unit, colon, body = value.rpartition(":")
    if not colon:
        return len(value) > 64
    return not unit.strip() or len(unit) > 64 or body not in TASK_BODIES


def _owner(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if _owner_problem(value):
        raise ValueError(
            _(
                "'{name}' must be one of: {choices}; got {value}",
                name=attribute.name,
                choices="CODE, " + ", ".join(f"CODE:{b}" for b in TASK_BODIES),
                value=repr(value),
            )
        )


def _owners(_inst: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]) -> None:
    for item in value:
        _owner(_inst, attribute, item)


def _recurrence(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str) or RECURRENCE.fullmatch(value) is None:
        raise ValueError(
            _(
                "'{name}' must be one of: {choices}; got {value}",
                name=attribute.name,
                choices=", ".join(RECURRENCE_RULES),
                value=repr(value),
            )
        )


@attrs.frozen(kw_only=True)
class TaskAssigned(EventData):
    """A conclusion assigns a task to its owners, due once or by a recurring rule.

    ``task_id`` is the task's number in its conclusion as the conclusion gives it
    (``1.5``, ``2.3``): unique within ``conclusion``, its first part names the task's group,
    whose title ``group`` gives (``Nhiệm vụ chung``; the first task of a group that gives
    one names it). ``owner`` is the first owner and ``co_owners`` the others sharing the
    task, in the conclusion's order: each a unit's code (``HP.MTTQ``) or a body of a unit
    (``HP.TN:people_committee``, see :data:`TaskBody`). ``due`` is a one-off due date;
    ``recurrence`` a rule instead (``monthly:10``, ``quarterly``, ``yearly``): a recurring
    task is overdue when the latest of its due days on or before the day asked has no
    report since the one before (see :mod:`dvcore.tasks`).
    """

    type_name: ClassVar[str] = "TaskAssigned"
    task_id: str = attrs.field(validator=_text)
    conclusion: str = attrs.field(validator=_text)
    owner: str = attrs.field(validator=_owner)
    due: dt.date | None = attrs.field(default=None, validator=_date)
    text: str = attrs.field(validator=_text)
    # added after the first version: left out of the payload while empty (serialization)
    co_owners: tuple[str, ...] = attrs.field(
        factory=tuple, converter=_texts, validator=_owners, metadata=_ADDED
    )
    recurrence: str | None = attrs.field(default=None, validator=_recurrence, metadata=_ADDED)
    group: str | None = attrs.field(default=None, validator=_opt_text, metadata=_ADDED)

    def __attrs_post_init__(self) -> None:
        if self.due is not None and self.recurrence is not None:
            raise _Refusal("recurrence", _("a task has a 'due' date or a 'recurrence', not both"))
        if len(set(self.owners)) != len(self.owners):
            raise _Refusal("co_owners", _("a task names one owner twice"))

    @property
    def owners(self) -> tuple[str, ...]:
        """Every owner of the task: ``owner``, then ``co_owners``."""
        return (self.owner, *self.co_owners)


@attrs.frozen(kw_only=True)
class TaskReported(EventData):
    """An owner reports progress on a task; a recurring task's report answers its current
    due day, and ``done`` ends it. ``conclusion`` names the task's conclusion where its
    ``task_id`` is assigned in more than one."""

    type_name: ClassVar[str] = "TaskReported"
    task_id: str = attrs.field(validator=_text)
    status: TaskStatus = attrs.field(validator=_one_of(TaskStatus))
    note: str | None = attrs.field(default=None, validator=_opt_text)
    conclusion: str | None = attrs.field(default=None, validator=_opt_text, metadata=_ADDED)


# --- corrections -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class EventRetracted(EventData):
    """The named event no longer counts, from the moment this one is recorded."""

    type_name: ClassVar[str] = "EventRetracted"
    event_id: uuid.UUID
    reason: str = attrs.field(validator=_text)


@attrs.frozen(kw_only=True)
class EventCorrected(EventData):
    """The named event counts with ``data`` instead of its own, from now on.

    ``data`` is the whole corrected data in the named event's type, validated by the store.
    """

    type_name: ClassVar[str] = "EventCorrected"
    event_id: uuid.UUID
    data: Mapping[str, Any] = attrs.field(converter=_frozen_mapping, hash=False)
    reason: str = attrs.field(validator=_text)


# --- submissions ---------------------------------------------------------------------------

Decision = Literal["accepted", "returned"]


def _keys(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@_checked
@attrs.frozen(kw_only=True)
class SubmittedFile:
    """One file of a submission: its name, SHA-256 and the channel that read it."""

    name: str = attrs.field(validator=_text)
    sha256: str = attrs.field(validator=_text)
    channel: str = attrs.field(validator=_text)


@_checked
@attrs.frozen(kw_only=True)
class SubmissionRows:
    """The rows one version of a submission holds of one event type: their stored keys."""

    type: str = attrs.field(validator=_text)
    keys: tuple[str, ...] = attrs.field(factory=tuple, converter=_keys)


def _rows_tuple(value: Iterable[SubmissionRows]) -> tuple[SubmissionRows, ...]:
    return tuple(value)


def _files_tuple(value: Iterable[SubmittedFile]) -> tuple[SubmittedFile, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class SubmissionReceived(EventData):
    """One version of what the event's unit sent for ``period``: the files, the forms (event
    types) they carry, the keys of the rows of each form, and what the version changed
    against the one before (rows added, corrected, retracted, left unchanged).

    Recorded by the import, in the transaction of the rows' own events, and dated at the
    period's last day. ``version`` counts from 1 per unit and period.
    """

    type_name: ClassVar[str] = "SubmissionReceived"
    period: str = attrs.field(validator=_text)
    window: Window = attrs.field(validator=_window)
    version: int = attrs.field(validator=_count)
    files: tuple[SubmittedFile, ...] = attrs.field(factory=tuple, converter=_files_tuple)
    rows: tuple[SubmissionRows, ...] = attrs.field(factory=tuple, converter=_rows_tuple)
    added: int = attrs.field(default=0, validator=_count)
    corrected: int = attrs.field(default=0, validator=_count)
    retracted: int = attrs.field(default=0, validator=_count)
    unchanged: int = attrs.field(default=0, validator=_count)

    def __attrs_post_init__(self) -> None:
        if self.version < 1:
            raise ValueError(_("'version' counts from 1"))

    @property
    def forms(self) -> tuple[str, ...]:
        """The event types this version carries (a form with no rows says 'none')."""
        return tuple(r.type for r in self.rows)


@attrs.frozen(kw_only=True)
class SubmissionReviewed(EventData):
    """A unit above ``unit`` accepts or returns ``unit``'s submission for ``period``
    (its ``version``); a returned one says why in ``reason``."""

    type_name: ClassVar[str] = "SubmissionReviewed"
    unit: str = attrs.field(validator=_text)
    period: str = attrs.field(validator=_text)
    decision: Decision = attrs.field(validator=_one_of(Decision))
    version: int = attrs.field(validator=_count)
    reason: str | None = attrs.field(default=None, validator=_opt_text)

    def __attrs_post_init__(self) -> None:
        if self.decision == "returned" and not (self.reason or "").strip():
            raise _Refusal("reason", _("a returned submission needs a 'reason'"))


#: Every core event data class, in catalogue order.
CORE_EVENT_TYPES: tuple[type[EventData], ...] = (
    UnitRegistered,
    UnitChanged,
    UnitsMerged,
    UnitClosed,
    EstablishmentRegistered,
    EstablishmentChanged,
    DialogueHeld,
    DialoguePlanIssued,
    ModelRegistered,
    ModelRecognized,
    LandDossierFiled,
    LandDossierSubmitted,
    LandUseRightRecognized,
    LandCertificateIssued,
    CitizenReceptionReported,
    LettersReported,
    InspectionConducted,
    SocialSupervisionHeld,
    SocialCritiqueHeld,
    DocumentIssued,
    NarrativeSubmitted,
    IndicatorDefined,
    FigureReported,
    TargetSetAdopted,
    TaskAssigned,
    TaskReported,
    EventRetracted,
    EventCorrected,
    SubmissionReceived,
    SubmissionReviewed,
)


def _unit_code(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise ValueError(
            _("'{name}' must be a unit code of 1 to 64 characters", name=attribute.name)
        )


def _source_ref(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value or len(value) > 512):
        raise ValueError(
            _("'{name}' must be a text of 1 to 512 characters or null", name=attribute.name)
        )


def _event_data(_inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, EventData):
        raise TypeError(
            _(
                "'{name}' must be an event's data (an EventData), not {value}",
                name=attribute.name,
                value=repr(value),
            )
        )


def _occurred_on(value: dt.date | str) -> dt.date:
    """The day of an event: a date, or its ISO text ``YYYY-MM-DD``; a datetime is refused
    (which day it is depends on a time zone the caller must choose)."""
    if isinstance(value, dt.datetime):
        raise TypeError(
            _("'occurred_on' must be a date, not a datetime: {value}", value=repr(value))
        )
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(_("'occurred_on' must be a date YYYY-MM-DD, not {value}", value=repr(value)))


def _event_id(value: uuid.UUID | str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise ValueError(_("'id' must be an event id (a UUID), not {value}", value=repr(value)))


class _RandomBytes(threading.local):
    pool: bytes = b""
    at: int = 0


_random = _RandomBytes()


def _forget_random_bytes() -> None:  # a forked child must not reuse its parent's bytes
    _random.pool, _random.at = b"", 0


os.register_at_fork(after_in_child=_forget_random_bytes)


def new_event_id() -> uuid.UUID:
    """A fresh event id: a time-ordered UUID, version 7 (RFC 9562).

    The first 48 bits are the Unix time in milliseconds and the next 12 the fraction of
    that millisecond (the RFC's method 3), so ids made one after the other sort in that
    order: the store's unique index on ``event_id`` then grows at its end, like the one
    on ``position``, where random (version 4) ids landed anywhere in it (2 µs an event
    of a large import). The last 62 bits are random: two ids made in the same quarter
    of a microsecond still differ, and the store needs no lookup to trust a fresh id.

    The random bytes come from ``os.urandom`` 4 KiB at a time (per thread) instead of
    one system call per id: on these machines the call cost a tenth of a large import.
    """
    at = _random.at
    if at + 8 > len(_random.pool):
        _random.pool, at = os.urandom(4096), 0
    _random.at = at + 8
    random = int.from_bytes(_random.pool[at : at + 8]) & _RANDOM_62
    ms, ns = divmod(time.time_ns(), 1_000_000)
    return uuid.UUID(
        int=ms << 80 | _VERSION_7 | (ns * 4096 // 1_000_000) << 64 | _RFC_VARIANT | random
    )


_RANDOM_62 = (1 << 62) - 1
_VERSION_7 = 7 << 76
_RFC_VARIANT = 2 << 62


@_checked
@attrs.frozen(kw_only=True)
class Event:
    """An event to append: a fact's data, the day it happened and the unit it belongs to.

    ``source_ref`` is the idempotency key: appending an event whose key the store already
    holds appends nothing. ``stream`` defaults to the unit's code.
    """

    data: EventData = attrs.field(validator=_event_data)
    occurred_on: dt.date = attrs.field(converter=_occurred_on)
    unit: str = attrs.field(validator=_unit_code)
    source_ref: str | None = attrs.field(default=None, validator=_source_ref)
    id: uuid.UUID = attrs.field(factory=lambda: new_event_id(), converter=_event_id)
    stream: str | None = attrs.field(default=None, validator=_source_ref)

    @property
    def type(self) -> str:
        """The wire name of the event's type."""
        return self.data.type_name

    @property
    def stream_name(self) -> str:
        """The stream the event is appended to: ``stream`` or else the unit's code."""
        return self.stream or self.unit


@attrs.frozen(kw_only=True)
class RecordedEvent:
    """An event as the store holds it, with the store's envelope around it."""

    position: int
    id: uuid.UUID
    stream: str
    version: int
    type: str
    schema_version: int
    occurred_on: dt.date
    unit: str
    recorded_at: dt.datetime
    actor: str | None
    source_ref: str | None
    data: EventData
    hash: str
