"""The demo's 信息报送 year: valid against the contracts, deterministic, never in the future, back-filled
entries with a reason, every adoption of an item sent and not before it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from contracts.inputs import validate_input
from contracts.occurrence import BACKDATE_DAYS
from contracts.outreach_submissions import RecordAdoption, RecordSubmission, SetQuota
from services.cli.demo import demo_units
from services.cli.demo_submissions import quota_bodies, submission_bodies

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 2, tzinfo=UTC)


def test_the_items_and_adoptions_fit_the_contracts_and_stop_at_today() -> None:
    items, adoptions = submission_bodies(demo_units(), TODAY)
    assert (items, adoptions) == submission_bodies(demo_units(), TODAY)
    assert len({item["submission_id"] for item in items}) == len(items)
    for item in items:
        validate_input(RecordSubmission, item, NOW)
        back_filled = (TODAY - date.fromisoformat(item["submitted_on"])).days > BACKDATE_DAYS
        assert ("backdate_reason" in item) == back_filled
    sent = {item["submission_id"]: item for item in items}
    for adoption in adoptions:
        validate_input(RecordAdoption, adoption, NOW)
        item = sent[adoption["submission_id"]]
        assert (adoption["unit"], adoption["level"]) == (item["unit"], item["level"])
        assert adoption["adopted_on"] >= item["submitted_on"]
    assert 0 < len(adoptions) < len(items)
    assert {item["unit"] for item in items} == {
        u.path for u in demo_units() if u.kind in ("department", "county_office")
    }
    early = date(2026, 3, 10)
    items, adoptions = submission_bodies(demo_units(), early)
    assert max(body["submitted_on"] for body in items) <= early.isoformat()
    assert max(body["adopted_on"] for body in adoptions) <= early.isoformat()


def test_the_quotas_fit_the_contract() -> None:
    quotas = quota_bodies(demo_units(), 2026)
    for quota in quotas:
        SetQuota.model_validate(quota)
    assert {quota["measure"] for quota in quotas} == {"submitted", "adopted", "published"}
