import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_index_links_to_the_dashboards(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    client.force_login(user)

    index = client.get(reverse("admin:index"))
    response = client.get(reverse("admin:analytics_quizdashboard_changelist"))

    assert "Drop-off dashboards" in index.text
    assert response.status_code == 302
    assert response.url == reverse("analytics_overview")


def test_staff_without_the_permission_see_no_link(client):
    client.force_login(UserFactory(is_staff=True))

    index = client.get(reverse("admin:index"))
    response = client.get(reverse("admin:analytics_quizdashboard_changelist"))

    assert "Drop-off dashboards" not in index.text
    assert response.status_code == 403


def test_the_dashboards_cannot_be_added_changed_or_deleted(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:analytics_quizdashboard_add"))

    assert response.status_code == 403
