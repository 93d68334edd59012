"""The privacy registry covers every link to a person, and every declaration says what happens.

Enumerated from the models, not from a list: a new model with a foreign key, one-to-one or
many-to-many to the account (or to a row that is a person's own) fails here until its app
declares what the download shows of it and what erasure does with it.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from accounts.privacy.registry import (
    Blank,
    InSection,
    Keep,
    NotInDownload,
    Section,
    declarations,
    undeclared_links,
)

pytestmark = pytest.mark.unit

DOMAIN_APPS = {"partners", "projects", "events", "matching", "outbox", "coordination"}
PRIVACY_PACKAGE = Path(settings.BASE_DIR) / "accounts" / "privacy"


def test_every_link_to_a_person_is_declared():
    assert undeclared_links() == []


def test_a_new_model_with_an_undeclared_link_to_a_person_fails_the_coverage():
    class Scrapbook(models.Model):
        owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
        friends = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")

        class Meta:
            app_label = "accounts"

        def __str__(self) -> str:
            return str(self.owner_id)

    try:
        missing = undeclared_links()
    finally:
        # The class registered itself with the app registry: take it out again.
        for name in ("scrapbook", "scrapbook_friends"):
            apps.all_models["accounts"].pop(name, None)
        apps.clear_cache()

    assert missing == [
        "accounts.Scrapbook.owner",
        "accounts.Scrapbook_friends.user",
    ]


def _resolves_to_the_account(model: type[models.Model], path: str) -> bool:
    if path == "pk":
        return model is get_user_model()
    for step in path.split("__"):
        field = model._meta.get_field(step)
        model = field.related_model
    return model is get_user_model()


@pytest.mark.parametrize(
    "declaration", declarations(), ids=lambda d: f"{d.model}:{d.person or d.address or 'tie'}"
)
def test_each_declaration_is_complete(declaration):
    model = declaration.model_class
    for name in declaration.fields:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            pytest.fail(f"{declaration.model} declares a field it does not have: {name}")
    if declaration.person is not None:
        assert _resolves_to_the_account(model, declaration.person) is True
    if declaration.address is not None:
        assert isinstance(model._meta.get_field(declaration.address), models.EmailField)
    sections = {d.download.name for d in declarations() if isinstance(d.download, Section)}
    match declaration.download:
        case InSection(name=name):
            assert name in sections
        case NotInDownload(reason=reason):
            assert len(reason) > 20
    match declaration.erase:
        case Keep(reason=reason):
            assert len(reason) > 20
        case Blank(values=values):
            assert set(values) <= set(declaration.fields)


def test_accounts_privacy_imports_no_domain_app():
    imported = set()
    for source in PRIVACY_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((source.name, node.module.split(".")[0]))
            elif isinstance(node, ast.Import):
                imported.update((source.name, alias.name.split(".")[0]) for alias in node.names)

    assert {(name, module) for name, module in imported if module in DOMAIN_APPS} == set()
