import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

PROJECT_APPS = ["rooms", "activities", "scheduler", "api", "audit"]


def project_models() -> list:
    return [m for label in PROJECT_APPS if label in apps.app_configs for m in apps.get_app_config(label).get_models()]


def test_every_project_model_has_an_admin_with_danish_names() -> None:
    missing = [m.__name__ for m in project_models() if m not in admin.site._registry]
    assert missing == []
    for model in project_models():
        assert "verbose_name" in model._meta.original_attrs, f"{model.__name__} lacks a Danish name"


@pytest.mark.django_db
def test_every_admin_list_page_opens_for_the_administrator(django_user_model) -> None:
    user = django_user_model.objects.create_superuser("root", "root@example.dk", "x")
    client = Client()
    client.force_login(user)
    for model in project_models():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
