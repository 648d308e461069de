"""A scoring scheme (指标体系 + 评分细则) as data: what an assessor writes in YAML or JSON and adopts.

Points, not percentages, as the bureau's own rules are written: each leaf indicator is worth
``points``; a group is worth the sum of its leaves. Indicators select *facts* — what the assessment
service has learned from the other services' events (see ``METRICS``) — by metric and attributes.
Deductions (扣分, capped: 扣满N分为止), bonuses (加分, only above a threshold) and vetoes (一票否决)
stand beside the tree. A unit with scored units below it (a county and its townships) combines its
own score with its children's mean as ``rollup`` says. City, county and township offices are always
scored; sections and affiliated units only where the scheme names their kind in ``also_scores``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from contracts.inputs import InputModel
from contracts.outreach import Cadence

IndicatorId = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
Label = Annotated[str, Field(min_length=1, max_length=100)]
Points = Annotated[float, Field(gt=0, le=1000)]
AttrValue = str | int | bool


class Metric(StrEnum):
    """The kinds of fact the assessment service keeps, each with the attributes a scheme may select on."""

    ACTIVITY = "activity"  # an activity held (outreach), on its local date
    PUBLICATION = "publication"  # a publication published on an outlet, on its publication date
    OPINION_CASE = "opinion_case"  # a relevant, graded opinion case (drills never), on its captured date
    OPINION_OVERDUE = "opinion_overdue"  # a missed opinion deadline, on the day it was due
    OUTLET = "outlet"  # an outlet (阵地), alive from registration until closed
    COVERAGE_GAP = "coverage_gap"  # an outlet nobody answered for, from opening until closed
    FINDING = "finding"  # an inspection finding against the negative list, on the inspection day
    RECTIFICATION = "rectification"  # a rectification, on its due day


# Which attributes each metric's facts carry (and so which ``where`` keys a selector may use).
METRIC_ATTRS: dict[Metric, frozenset[str]] = {
    Metric.ACTIVITY: frozenset({"kind", "audience"}),
    Metric.PUBLICATION: frozenset({"views", "outlet_id"}),
    Metric.OPINION_CASE: frozenset({"severity", "category", "closed", "closed_on_time", "overdue"}),
    Metric.OPINION_OVERDUE: frozenset({"deadline", "severity"}),
    Metric.OUTLET: frozenset({"kind"}),
    Metric.COVERAGE_GAP: frozenset({"outlet_id"}),
    Metric.FINDING: frozenset({"item", "outlet_id"}),
    Metric.RECTIFICATION: frozenset({"item", "closed", "on_time", "overdue"}),
}
# Facts that are states over time (alive from ``on_date`` until ``until``) rather than dated events.
INTERVAL_METRICS = frozenset({Metric.OUTLET, Metric.COVERAGE_GAP})


class Frozen(InputModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class Selector(Frozen):
    """Facts of one metric whose attributes equal every ``where`` value."""

    metric: Metric
    where: dict[str, AttrValue] = Field(default_factory=dict, max_length=8)

    @model_validator(mode="after")
    def _known_attrs(self) -> Selector:
        unknown = sorted(set(self.where) - METRIC_ATTRS[self.metric])
        if unknown:
            known = ", ".join(sorted(METRIC_ATTRS[self.metric]))
            raise ValueError(
                f"'{self.metric}' facts have no attribute {', '.join(unknown)} (they have {known})"
            )
        return self


class Measure(Frozen):
    """What to add up over selected facts: how many there are, or the sum of a numeric attribute."""

    sum: Literal["audience", "views"] | None = None


class Leaf(Frozen):
    id: IndicatorId
    name: Label
    points: Points
    periods: list[Cadence] = Field(
        default_factory=lambda: list(Cadence), min_length=1, description="the periods it is assessed in"
    )


class Quota(Leaf):
    """Planned against done per sub-period: every missing one costs ``per_missing``, at most ``points``."""

    kind: Literal["quota"]
    select: Selector
    per: Cadence = Field(description="each month (quarter, year) is checked on its own")
    required: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        description="how many each `per` period; omitted: the unit's outreach target",
    )
    per_missing: float = Field(gt=0, le=100)

    @model_validator(mode="after")
    def _target_known(self) -> Quota:
        if self.required is None and (
            self.select.metric is not Metric.ACTIVITY or "kind" not in self.select.where
        ):
            raise ValueError(
                "without `required`, a quota takes the outreach target: select activity facts by kind"
            )
        return self


class Rate(Leaf):
    """``points`` × numerator / denominator over the period's facts."""

    kind: Literal["rate"]
    numerator: Selector
    denominator: Selector
    when_none: Literal["full", "zero"] = Field(default="full", description="the score when nothing is due")

    @model_validator(mode="after")
    def _same_metric(self) -> Rate:
        if self.numerator.metric != self.denominator.metric:
            raise ValueError("numerator and denominator must count the same metric")
        return self


class Coverage(Leaf):
    """``points`` × the share of ``population`` alive at the period's end with no ``gaps`` fact alive."""

    kind: Literal["coverage"]
    population: Selector
    gaps: Selector = Field(description="interval facts naming a population fact by their outlet_id")

    @model_validator(mode="after")
    def _intervals(self) -> Coverage:
        for role, selector in (("population", self.population), ("gaps", self.gaps)):
            if selector.metric not in INTERVAL_METRICS:
                raise ValueError(f"{role} must select facts alive over time ({', '.join(INTERVAL_METRICS)})")
        return self


class Manual(Leaf):
    """Scored by an assessor (enter_manual_score), between 0 and ``points``; unscored counts 0."""

    kind: Literal["manual"]


Indicator = Annotated[Quota | Rate | Coverage | Manual, Field(discriminator="kind")]


class Group(Frozen):
    id: IndicatorId
    name: Label
    children: list[Indicator | Group] = Field(min_length=1, max_length=50)

    @property
    def points(self) -> float:
        return sum(child.points for child in self.children)


class Item(Frozen):
    """A deduction, bonus or veto: named, and counting the facts it selects."""

    id: IndicatorId
    name: Label
    select: Selector


class Deduction(Item):
    """``per_fact`` off for every selected fact, at most ``cap`` (扣满N分为止)."""

    per_fact: float = Field(gt=0, le=100)
    cap: float = Field(gt=0, le=1000)


class Bonus(Item):
    """``per_unit`` for every unit of the measure above ``threshold``, at most ``cap``."""

    measure: Measure = Field(default_factory=Measure)
    threshold: float = Field(ge=0)
    per_unit: float = Field(gt=0, le=100)
    cap: float = Field(gt=0, le=1000)


class Veto(Item):
    """Any selected fact fails the unit whatever its points (一票否决)."""


class SectionKind(StrEnum):
    """Units inside an office that a scheme may score besides the offices (duty's unit kinds)."""

    DEPARTMENT = "department"  # 科室
    AFFILIATED_INSTITUTION = "affiliated_institution"  # 局属事业单位


class Rollup(Frozen):
    """A unit with scored units below it: own × ``own`` + mean of its children × ``children``."""

    own: float = Field(ge=0, le=1)
    children: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _sums_to_one(self) -> Rollup:
        if abs(self.own + self.children - 1) > 1e-9:
            raise ValueError("own and children must add up to 1")
        return self


class Scheme(Frozen):
    title: Label
    indicators: list[Indicator | Group] = Field(min_length=1, max_length=50)
    deductions: list[Deduction] = Field(default_factory=list, max_length=50)
    bonuses: list[Bonus] = Field(default_factory=list, max_length=50)
    vetoes: list[Veto] = Field(default_factory=list, max_length=50)
    rollup: Rollup = Field(default_factory=lambda: Rollup(own=0.5, children=0.5))
    appeal_window_days: int = Field(default=10, ge=1, le=60, description="calendar days after a bulletin")
    also_scores: list[SectionKind] = Field(
        default_factory=list,
        max_length=len(SectionKind),
        description="unit kinds scored besides the offices, each on its own facts (none: offices only)",
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> Scheme:
        seen: set[str] = set()
        for item_id in (
            [leaf.id for leaf in self.leaves()]
            + [g.id for g in self.groups()]
            + [d.id for d in self.deductions]
            + [b.id for b in self.bonuses]
            + [v.id for v in self.vetoes]
        ):
            if item_id in seen:
                raise ValueError(f"the id '{item_id}' is used twice in the scheme")
            seen.add(item_id)
        if len(set(self.also_scores)) != len(self.also_scores):
            raise ValueError("also_scores names a unit kind twice")
        return self

    def scores_kind(self, kind: str) -> bool:
        """Whether units of duty's ``kind`` (a section's) are scored under this scheme."""
        return kind in {section.value for section in self.also_scores}

    def nodes(self) -> list[Quota | Rate | Coverage | Manual | Group]:
        """Every node of the indicator tree, depth first in the order written."""
        found: list[Quota | Rate | Coverage | Manual | Group] = []
        pending: list[Quota | Rate | Coverage | Manual | Group] = list(reversed(self.indicators))
        while pending:
            node = pending.pop()
            found.append(node)
            if isinstance(node, Group):
                pending.extend(reversed(node.children))
        return found

    def leaves(self) -> list[Quota | Rate | Coverage | Manual]:
        return [node for node in self.nodes() if not isinstance(node, Group)]

    def groups(self) -> list[Group]:
        return [node for node in self.nodes() if isinstance(node, Group)]

    @property
    def points(self) -> float:
        return sum(node.points for node in self.indicators)
