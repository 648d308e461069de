"""An assessment explanation line as sentences in the page's language ("3月 中心组学习 完成1次，达标"),
built from the line's kind and inputs through the catalog's ``explain_line.`` keys, never from the
scorer's English note."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from services.gateway.catalog import Messages
from services.gateway.period_words import local_date, period_text


def number(value: Any) -> str:
    """Points and counts without trailing zeros: 2, 0.5, 1.25."""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


Say = Messages
Inputs = Mapping[str, Any]


def _quota(say: Say, inputs: Inputs) -> list[str]:
    said = [
        say(
            "quota_met" if check["missing"] == 0 else "quota_short",
            period=period_text(check["period"], say.lang),
            done=check["done"],
            required=check["required"],
            missing=check["missing"],
        )
        for check in inputs.get("checks", [])
    ]
    if inputs.get("missing"):
        said.append(say("quota_off", missing=inputs["missing"], per=number(inputs.get("per_missing"))))
    return said


def _rate(say: Say, inputs: Inputs) -> list[str]:
    if not inputs.get("denominator"):
        return [say("rate_none")]
    return [say("rate", done=inputs.get("numerator", 0), due=inputs["denominator"])]


def _coverage(say: Say, inputs: Inputs) -> list[str]:
    if not inputs.get("population"):
        return [say("coverage_none")]
    day = local_date(str(inputs.get("as_of", "")), say.lang)
    return [say("coverage", day=day, covered=inputs.get("covered", 0), population=inputs["population"])]


def _manual(say: Say, inputs: Inputs) -> list[str]:
    if inputs.get("entered") is None:
        return [say("manual_none")]
    return [say("manual", points=number(inputs["entered"]))]


def _deduction(say: Say, inputs: Inputs) -> list[str]:
    per, cap = number(inputs.get("per_fact")), number(inputs.get("cap"))
    return [say("deduction", facts=inputs.get("facts", 0), per=per, cap=cap)]


def _bonus(say: Say, inputs: Inputs) -> list[str]:
    above = inputs.get("value", 0) > inputs.get("threshold", 0)
    figures = {key: number(inputs.get(key)) for key in ("value", "threshold", "cap")}
    return [say("bonus" if above else "bonus_none", per=number(inputs.get("per_unit")), **figures)]


def _veto(say: Say, _inputs: Inputs) -> list[str]:
    return [say("veto")]


def _adjustment(say: Say, _inputs: Inputs) -> list[str]:
    return [say("adjustment")]


SENTENCES: dict[str, Callable[[Say, Inputs], list[str]]] = {
    "quota": _quota,
    "rate": _rate,
    "coverage": _coverage,
    "manual": _manual,
    "deduction": _deduction,
    "bonus": _bonus,
    "veto": _veto,
}


def line_sentences(line: Mapping[str, Any], lang: str) -> list[str]:
    """What the line's inputs mean, one sentence each, in ``lang`` (an adjustment: that it was adjusted)."""
    explain = SENTENCES.get(str(line.get("kind")), _adjustment)
    return explain(Messages(lang, "explain_line."), line.get("inputs") or {})


def rollup_text(rollup: Mapping[str, Any], lang: str) -> str:
    """``children 0.6 own 0.4`` as 本级占40%，下级平均占60%."""
    own, children = float(rollup.get("own", 0)), float(rollup.get("children", 0))
    return Messages(lang, "explain_line.")("rollup", own=f"{own:.0%}", children=f"{children:.0%}")
