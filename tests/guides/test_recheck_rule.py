"""The re-check rule is written twice, once per place that needs it: in Python
(Procedure.lapsed_checks(), what a guide page shows as due) and in SQL
(ProcedureQuerySet.needing_verification(), the editors' queue over every guide).
Generated guides and checks must get the same answer from both."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guides.models import Fact, Procedure, Verification
from guides.models.choices import DEFAULT_RECHECK_DAYS
from tests.factories import make_procedure, make_step

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)
AGES = st.integers(min_value=0, max_value=400)  # days before TODAY
# An age is any, or within a day of the fact's interval: where < and <= differ.
NEAR = st.integers(min_value=-1, max_value=1)
CHECKS = st.lists(
    st.tuples(st.sampled_from(list(Fact)), st.integers(0, 2), st.one_of(AGES, NEAR)),
    max_size=8,
)
INTERVALS = st.fixed_dictionaries(
    {fact: st.integers(min_value=1, max_value=200) for fact in DEFAULT_RECHECK_DAYS}
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    whole_age=st.one_of(AGES, NEAR),
    checks=CHECKS,
    steps=st.lists(st.booleans(), max_size=3),  # one per step: gives a contact?
    fee=st.booleans(),
    duration=st.booleans(),
    days=INTERVALS,
)
def test_python_and_sql_agree_on_what_is_due(
    django_user_model, whole_age, checks, steps, fee, duration, days
):
    with transaction.atomic():
        user = django_user_model.objects.create(username="checker")
        guide = make_procedure(
            fee_amount=Decimal("1.00") if fee else None,
            duration_min=1 if duration else None,
            duration_max=2 if duration else None,
        )
        made = [
            make_step(guide, contact_kind="phone", contact_value="012345678")
            if contact
            else make_step(guide)
            for contact in steps
        ]

        def ago(fact, age):
            # -1, 0 and 1 stand for a day before, at and after the interval.
            return TODAY - timedelta(days=days[fact] - age if age < 2 else age)

        newest_whole = ago(Fact.GUIDE, whole_age)
        for fact, index, age in checks:
            step = made[index % len(made)] if made else None
            if fact in (Fact.STEP, Fact.CONTACT) and step is None:
                continue
            if fact == Fact.CONTACT and not step.contact_kind:
                continue
            checked_on = ago(fact, age)
            Verification.objects.create(
                procedure=guide,
                fact=fact,
                step=step if fact in (Fact.STEP, Fact.CONTACT) else None,
                checked_on=checked_on,
                checked_by=user,
                method="hotline",
            )
            if fact == Fact.GUIDE:
                newest_whole = max(newest_whole, checked_on)
        # As services.verification_record keeps it: the newest whole check.
        Procedure.objects.filter(pk=guide.pk).update(verified_on=newest_whole)
        guide = Procedure.objects.get(pk=guide.pk)

        in_python = bool(guide.lapsed_checks(days=days, today=TODAY))
        in_sql = (
            Procedure.objects.needing_verification(today=TODAY, days=days)
            .filter(pk=guide.pk)
            .exists()
        )
        transaction.set_rollback(True)
    assert in_python == in_sql


def test_a_guide_never_checked_is_due_in_sql_and_has_no_lapse_in_python(db):
    # The one case where the two differ on purpose: never verified is "not yet
    # verified" on the page, and the first thing the queue asks for.
    guide = make_procedure(steps=1)
    assert guide.lapsed_checks(today=TODAY) == {}
    assert Procedure.objects.needing_verification(today=TODAY).filter(pk=guide.pk)
