import pytest
from django.urls import reverse

from bench.ceiling.models import Hit
from bench.pages import next_post

pytestmark = pytest.mark.usefixtures("bench_apps")


def test_get_renders_the_first_step_with_a_form(client):
    response = client.get(reverse("ceiling_step"))

    post = next_post(response.content.decode())
    assert response.status_code == 200
    assert post.path == "/bench/ceiling/"
    assert post.value("step") == "1"
    assert int(post.value("visit")) > 0


def test_post_stores_one_hit_in_one_query_and_renders_the_next_step(
    client, django_assert_num_queries
):
    data = {"visit": "42", "step": "1", "answer": "3"}

    with django_assert_num_queries(1):
        response = client.post(reverse("ceiling_step"), data)

    assert response.status_code == 200
    assert next_post(response.content.decode()).value("step") == "2"
    assert list(Hit.objects.values_list("visit_key", "step", "choice")) == [(42, 1, 3)]


def test_a_repeated_post_stores_nothing_twice(client):
    data = {"visit": "7", "step": "2", "answer": "1"}

    client.post(reverse("ceiling_step"), data)
    response = client.post(reverse("ceiling_step"), {**data, "answer": "4"})

    assert response.status_code == 200
    assert list(Hit.objects.values_list("choice", flat=True)) == [1]


def test_a_post_without_numbers_is_refused(client):
    response = client.post(reverse("ceiling_step"), {"visit": "x", "step": "1"})

    assert response.status_code == 400
    assert not Hit.objects.exists()
