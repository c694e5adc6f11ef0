"""The generic API test: one subclass per model, NetBox style.

A subclass names its route (`basename`), how to make an object, what to create and what to
change; it inherits list, retrieve, create, update and delete, each for an anonymous client,
a user without the permission, and a user with it.
"""

import pytest
from django.urls import reverse


@pytest.mark.django_db
class APIViewTest:
    basename = None  # route name: api:<basename>-list / -detail
    model = None
    read_only = False  # no create/update/delete through the API
    update_data = {}
    extra_create_perms = ()  # e.g. the permission to add the nested sources of an incident

    def make_object(self):
        raise NotImplementedError

    def create_data(self):
        raise NotImplementedError

    # --- helpers ---------------------------------------------------------------------------------
    def perm(self, action):
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"

    def list_url(self):
        return reverse(f"api:{self.basename}-list")

    def detail_url(self, obj):
        return reverse(f"api:{self.basename}-detail", args=[obj.pk])

    def login(self, client, user_with_perms, *actions, extra=()):
        user = user_with_perms(*(self.perm(a) for a in actions), *extra)
        client.force_authenticate(user)
        return user

    # --- list ------------------------------------------------------------------------------------
    def test_list_anonymous(self, client):
        self.make_object()
        response = client.get(self.list_url())
        assert response.status_code == 401
        assert "detail" in response.json()

    def test_list_unprivileged(self, client, user_with_perms):
        self.make_object()
        self.login(client, user_with_perms)
        assert client.get(self.list_url()).status_code == 403

    def test_list_privileged(self, client, user_with_perms):
        obj = self.make_object()
        self.login(client, user_with_perms, "view")
        response = client.get(self.list_url())
        assert response.status_code == 200
        body = response.json()
        assert {"next", "previous", "results"} <= set(body)
        assert obj.pk in [item["id"] for item in body["results"]]

    # --- retrieve --------------------------------------------------------------------------------
    def test_retrieve_anonymous(self, client):
        assert client.get(self.detail_url(self.make_object())).status_code == 401

    def test_retrieve_unprivileged(self, client, user_with_perms):
        obj = self.make_object()
        self.login(client, user_with_perms)
        assert client.get(self.detail_url(obj)).status_code == 403

    def test_retrieve_privileged(self, client, user_with_perms):
        obj = self.make_object()
        self.login(client, user_with_perms, "view")
        response = client.get(self.detail_url(obj))
        assert response.status_code == 200
        assert response.json()["id"] == obj.pk

    def test_retrieve_missing_is_json_404(self, client, user_with_perms):
        self.login(client, user_with_perms, "view")
        response = client.get(reverse(f"api:{self.basename}-detail", args=[999999]))
        assert response.status_code == 404
        assert "detail" in response.json()

    # --- create ----------------------------------------------------------------------------------
    def test_create_anonymous(self, client):
        if self.read_only:
            pytest.skip("read-only endpoint")
        assert client.post(self.list_url(), self.create_data(), format="json").status_code == 401

    def test_create_unprivileged(self, client, user_with_perms):
        data = self.create_data() if not self.read_only else {}
        before = self.model.objects.count()
        self.login(client, user_with_perms, "view")
        assert client.post(self.list_url(), data, format="json").status_code == 403
        assert self.model.objects.count() == before

    def test_create_privileged(self, client, user_with_perms):
        if self.read_only:
            self.login(client, user_with_perms, "view", "add", "change", "delete")
            assert client.post(self.list_url(), {}, format="json").status_code == 405
            return
        data = self.create_data()
        before = self.model.objects.count()
        self.login(client, user_with_perms, "view", "add", extra=self.extra_create_perms)
        response = client.post(self.list_url(), data, format="json")
        assert response.status_code == 201, response.content
        assert self.model.objects.count() == before + 1
        created = self.model.objects.get(pk=response.json()["id"])
        self.check_created(created, data, response.json())

    def check_created(self, obj, data, body):
        for name, value in data.items():
            if isinstance(value, (str, int, bool)) and name in body:
                assert body[name] == value, name

    def test_create_invalid_is_400(self, client, user_with_perms):
        if self.read_only:
            pytest.skip("read-only endpoint")
        self.login(client, user_with_perms, "view", "add")
        response = client.post(self.list_url(), {"id": "x", "__junk__": [1]}, format="json")
        assert response.status_code == 400
        assert isinstance(response.json(), dict)

    # --- update ----------------------------------------------------------------------------------
    def test_update_anonymous(self, client):
        obj = self.make_object()
        assert client.patch(self.detail_url(obj), self.update_data, format="json").status_code == 401

    def test_update_unprivileged(self, client, user_with_perms):
        obj = self.make_object()
        self.login(client, user_with_perms, "view")
        assert client.patch(self.detail_url(obj), self.update_data, format="json").status_code == 403

    def test_update_privileged(self, client, user_with_perms):
        obj = self.make_object()
        self.login(client, user_with_perms, "view", "change")
        response = client.patch(self.detail_url(obj), self.update_data, format="json")
        if self.read_only:
            assert response.status_code == 405
            return
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        for name, value in self.update_data.items():
            assert response.json()[name] == value
            if not isinstance(getattr(obj, name), list):
                assert str(getattr(obj, name)) == str(value) or getattr(obj, name) == value

    # --- delete ----------------------------------------------------------------------------------
    def test_delete_anonymous(self, client):
        obj = self.make_object()
        assert client.delete(self.detail_url(obj)).status_code == 401
        assert self.model.objects.filter(pk=obj.pk).exists()

    def test_delete_unprivileged(self, client, user_with_perms):
        obj = self.make_object()
        self.login(client, user_with_perms, "view", "change")
        assert client.delete(self.detail_url(obj)).status_code == 403
        assert self.model.objects.filter(pk=obj.pk).exists()

    def test_delete_privileged(self, client, user_with_perms):
        obj = self.make_object()
        self.login(client, user_with_perms, "view", "delete")
        response = client.delete(self.detail_url(obj))
        if self.read_only:
            assert response.status_code == 405
            assert self.model.objects.filter(pk=obj.pk).exists()
            return
        assert response.status_code == 204
        assert not self.model.objects.filter(pk=obj.pk).exists()
