"""What the duty page's selects offer, from what the duty view knows: posts by title and holder, outlets
by name and kind, findings and rectifications by outlet, item and date; values are ids, labels never are."""

from __future__ import annotations

from typing import Any

from services.gateway.duty_forms import SEPARATOR
from services.gateway.duty_labels import DutyWords
from services.gateway.labels import local_day

Option = tuple[str, str]


def aside(text: str, lang: str) -> str:
    """A name's gloss in brackets as the page's language writes them."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def post_label(post: dict[str, Any], here: str, names: dict[str, str], d: DutyWords) -> str:
    holder = post["holder"]["person_name"] if post.get("holder") else d("nobody")
    label = post["title"] + aside(holder, d.lang)
    return label if post["unit"] == here else f"{names.get(post['unit'], post['unit'])} · {label}"


def outlet_label(outlet: dict[str, Any], d: DutyWords) -> str:
    return str(outlet["name"]) + aside(d.kind(outlet["kind"]), d.lang)


def duty_options(
    here: str,
    *,
    posts: list[dict[str, Any]],
    outlets: list[dict[str, Any]],
    inspections: list[dict[str, Any]],
    rectifications: list[dict[str, Any]],
    records: dict[str, Any],
    names: dict[str, str],
    d: DutyWords,
) -> dict[str, dict[str, list[Option]]]:
    """Form name → field name → the (value, label) choices the page offers for it."""
    every_post = [(p["post_id"], post_label(p, here, names, d)) for p in posts]
    filled = [(p["post_id"], post_label(p, here, names, d)) for p in posts if p.get("holder")]
    vacant = [(p["post_id"], post_label(p, here, names, d)) for p in posts if not p.get("holder")]
    running = [(o["outlet_id"], outlet_label(o, d)) for o in outlets if o["status"] != "closed"]
    outlet_names = {o["outlet_id"]: outlet_label(o, d) for o in outlets}
    findings = [
        (
            f"{inspection['inspection_id']}{SEPARATOR}{f['finding_id']}",
            f"{outlet_names.get(f['outlet_id'], f['outlet_id'])} · {d.kind(f['item'])}"
            f" · {local_day(inspection['inspected_on'], d.lang)}",
        )
        for inspection in inspections
        for f in inspection["findings"]
        if not f.get("rectification_id")
    ]
    open_ones = [
        (
            r["rectification_id"],
            f"{r.get('outlet_name') or r['outlet_id']} · {d.kind(r['item'])}"
            f" · {d('due')} {local_day(r['due_at'][:10], d.lang)}",
        )
        for r in rectifications
    ]
    # the page's own office's half-years not yet reported on; the organizations of the subtree by name
    unreported = [
        (r["half_year"], d.half_year(r["half_year"]))
        for r in records["reports"]
        if r["unit"] == here and not r.get("reported_at")
    ]
    organizations = [(o["unit"], o["name"]) for o in records["organizations"]]
    return {
        "record_half_year_report": {"half_year": unreported},
        "set_party_coverage": {"organization": organizations},
        "record_organization_inspection": {"organization": organizations},
        "register_outlet": {"owner_post_id": filled},
        "change_outlet_owner": {"outlet_id": running, "to_post_id": filled},
        "fill_post": {"post_id": vacant},
        "vacate_post": {"post_id": filled},
        "hand_over": {"from_post_id": every_post, "to_post_id": filled},
        "record_inspection": {"outlets_checked": running, "finding_outlet": running},
        "open_rectification": {"finding": findings},
        "add_rectification_evidence": {"rectification_id": open_ones},
        "close_rectification": {"rectification_id": open_ones},
    }
