import pytest

from bench.queries import ceiling_queries, visit_walk
from quizfunnel.funnel.models import Visit
from quizfunnel.leads.models import Lead
from tests.builders import build_branching_quiz


@pytest.mark.django_db
def test_a_walk_answers_the_path_of_first_choices_and_leaves_a_lead():
    built = build_branching_quiz()

    counts = visit_walk(built.quiz)

    # "Solo", the first choice, branches past the second question.
    assert len(counts.answer_steps) == 4
    assert all(n > 0 for n in counts.answer_steps)
    assert counts.lead > 0
    assert set(counts.statements) == {"answer step", "lead submission"}
    assert Lead.objects.filter(quiz=built.quiz).count() == 1


@pytest.mark.django_db
def test_a_walk_counts_as_a_person_not_a_bot():
    built = build_branching_quiz()

    visit_walk(built.quiz)

    visit = Visit.objects.get(quiz=built.quiz)
    assert visit.counts
    assert visit.device == "desktop"


@pytest.mark.usefixtures("bench_apps")
def test_the_ceiling_makes_a_single_query():
    assert ceiling_queries() == 1
