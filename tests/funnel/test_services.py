import threading
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.test import RequestFactory

from quizfunnel.funnel.models import Answer, Visit
from quizfunnel.funnel.paths import AnswerData
from quizfunnel.funnel.services import (
    NOT_STARTED,
    StepError,
    answer_record,
    step_show,
    visit_begin_quiz,
    visit_start,
)
from quizfunnel.leads.models import Lead
from quizfunnel.leads.services import LeadData, lead_capture
from quizfunnel.quizzes.selectors import quiz_structure
from quizfunnel.tracking.models import Event
from tests.builders import build_branching_quiz

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0"


def started_visit(quiz):
    request = RequestFactory().get("/", headers={"user-agent": BROWSER_UA})
    visit = visit_start(quiz=quiz, request=request)
    visit_begin_quiz(visit=visit)
    structure = quiz_structure(quiz=quiz)
    step_show(visit=visit, structure=structure, question_id=None)
    return visit, structure


def run_together(count, action):
    """Run action in count threads released at the same moment."""
    barrier = threading.Barrier(count)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            action()
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


@pytest.mark.django_db
def test_answer_before_start_is_refused():
    built = build_branching_quiz()
    request = RequestFactory().get("/", headers={"user-agent": BROWSER_UA})
    visit = visit_start(quiz=built.quiz, request=request)
    structure = quiz_structure(quiz=built.quiz)
    team = built.choice(built.q1, "Team").id

    with pytest.raises(StepError, match=NOT_STARTED):
        answer_record(
            visit=visit,
            structure=structure,
            question=structure.question(built.q1.id),
            answer=AnswerData(built.q1.id, frozenset({team})),
        )

    assert not Answer.objects.exists()


needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL; CI runs this on PostgreSQL",
)


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_from_two_tabs_are_stored_once():
    built = build_branching_quiz()
    visit, structure = started_visit(built.quiz)
    question = structure.question(built.q2.id)
    team = built.choice(built.q1, "Team").id
    answer_record(
        visit=visit,
        structure=structure,
        question=structure.question(built.q1.id),
        answer=AnswerData(built.q1.id, frozenset({team})),
    )
    mail, chat = (built.choice(built.q2, label).id for label in ("Mail", "Chat"))

    def answer_in_a_tab():
        own = Visit.objects.select_related("quiz").get(pk=visit.pk)
        answer_record(
            visit=own,
            structure=structure,
            question=question,
            answer=AnswerData(question.id, frozenset({mail, chat})),
        )

    errors = run_together(6, answer_in_a_tab)

    assert errors == []
    stored = Answer.objects.get(question=built.q2)
    assert sorted(stored.choices.values_list("id", flat=True)) == sorted([mail, chat])
    answered = Event.objects.filter(kind="question_answered", question=built.q2)
    assert answered.count() == 1


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_concurrent_lead_submissions_store_one_lead():
    built = build_branching_quiz(consent_required=False)
    visit, structure = started_visit(built.quiz)
    answers = [
        (
            built.q1,
            AnswerData(built.q1.id, frozenset({built.choice(built.q1, "Solo").id})),
        ),
        (built.q3, AnswerData(built.q3.id, skipped=True)),
        (built.q4, AnswerData(built.q4.id, text="Owner")),
        (built.q5, AnswerData(built.q5.id, number=Decimal(3))),
    ]
    for question, value in answers:
        answer_record(
            visit=visit,
            structure=structure,
            question=structure.question(question.id),
            answer=value,
        )

    def submit():
        own = Visit.objects.select_related("quiz").get(pk=visit.pk)
        lead_capture(
            visit=own, structure=structure, data=LeadData(email="a@example.com")
        )

    errors = run_together(5, submit)

    assert errors == []
    assert Lead.objects.count() == 1
    assert Event.objects.filter(kind="lead_submitted").count() == 1
