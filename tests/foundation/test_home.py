import pytest

pytestmark = pytest.mark.django_db


def test_home_lists_no_quizzes_when_none_are_published(client):
    response = client.get("/")

    assert response.status_code == 200
    assert "No quizzes are published yet." in response.text


def test_home_refuses_post(client):
    response = client.post("/")

    assert response.status_code == 405
