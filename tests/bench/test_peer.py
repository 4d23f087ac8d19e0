import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from bench.pages import next_post
from bench.peer.models import PeerResponse
from tests.builders import build_branching_quiz

pytestmark = pytest.mark.usefixtures("bench_apps")


def post_as_a_visitor(client, page):
    post = next_post(page)
    data = {}
    for name, value in post.fields:
        data.setdefault(name, []).append(value)
    return client.post(post.path, data)


def test_the_wizard_asks_every_question_then_saves_the_answers(client):
    built = build_branching_quiz()
    url = reverse("peer_quiz", kwargs={"slug": built.quiz.slug})

    page = client.get(url).content.decode()
    prompts = []
    while next_post(page) is not None:
        prompts.append(next(q.prompt for q in built.questions if q.prompt in page))
        response = post_as_a_visitor(client, page)
        assert response.status_code == 200
        assert 'role="alert"' not in response.content.decode()
        page = response.content.decode()

    assert prompts == [q.prompt for q in built.questions]
    saved = PeerResponse.objects.get()
    assert saved.quiz_slug == built.quiz.slug
    assert set(saved.answers) == {str(q.pk) for q in built.questions}


def test_the_wizard_keeps_its_state_in_a_database_session(client):
    built = build_branching_quiz()
    url = reverse("peer_quiz", kwargs={"slug": built.quiz.slug})

    post_as_a_visitor(client, client.get(url).content.decode())

    assert Session.objects.filter(session_key=client.cookies["sessionid"].value)


def test_an_unanswered_step_is_asked_again(client):
    built = build_branching_quiz()
    url = reverse("peer_quiz", kwargs={"slug": built.quiz.slug})
    post = next_post(client.get(url).content.decode())

    fields = dict(post.fields)
    del fields[f"{built.q1.pk}-answer"]
    response = client.post(post.path, fields)

    assert 'role="alert"' in response.content.decode()
    assert not PeerResponse.objects.exists()
