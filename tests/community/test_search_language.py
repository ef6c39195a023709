"""RAPPORT_SEARCH_LANGUAGE: read strictly at start-up, applied to documents and queries, on both databases."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from community.search.backends import search_language
from community.search.query import parse_query
from community.search.selectors import search_threads
from config.settings.env import TEXT_SEARCH_CONFIGS, env_text_search_config
from tests.config.test_settings import clean_environment, run_manage
from tests.factories import ask


def found(user, query: str) -> list[int]:
    return [hit.id for hit in search_threads(user=user, query=query).hits]


def rebuild(language: str) -> None:
    with override_settings(RAPPORT_SEARCH_LANGUAGE=language):
        call_command("rebuild_search_index", stdout=io.StringIO())


# --- Reading the setting --------------------------------------------------------------------


@pytest.mark.parametrize("value", ["german", "German", " simple "])
def test_a_configuration_postgresql_ships_is_accepted_in_any_case(monkeypatch, value):
    monkeypatch.setenv("RAPPORT_SEARCH_LANGUAGE", value)
    assert env_text_search_config("RAPPORT_SEARCH_LANGUAGE", "english") == value.strip().lower()


def test_unset_or_empty_is_english(monkeypatch):
    monkeypatch.delenv("RAPPORT_SEARCH_LANGUAGE", raising=False)
    assert env_text_search_config("RAPPORT_SEARCH_LANGUAGE", "english") == "english"
    monkeypatch.setenv("RAPPORT_SEARCH_LANGUAGE", "")
    assert env_text_search_config("RAPPORT_SEARCH_LANGUAGE", "english") == "english"


@pytest.mark.parametrize("value", ["klingon", "en", "english'); DROP TABLE x; --", "pg_catalog.english"])
def test_anything_else_is_refused_naming_the_variable_and_the_choices(monkeypatch, value):
    monkeypatch.setenv("RAPPORT_SEARCH_LANGUAGE", value)
    with pytest.raises(ImproperlyConfigured, match="RAPPORT_SEARCH_LANGUAGE") as error:
        env_text_search_config("RAPPORT_SEARCH_LANGUAGE", "english")
    assert "german" in str(error.value)


def test_a_bad_language_stops_start_up():
    result = run_manage("check", env=clean_environment(RAPPORT_SEARCH_LANGUAGE="klingon"))
    assert result.returncode != 0
    assert "RAPPORT_SEARCH_LANGUAGE must be a text search configuration" in result.stderr


def test_the_sql_never_gets_a_language_that_was_not_checked():
    assert search_language() in TEXT_SEARCH_CONFIGS
    with override_settings(RAPPORT_SEARCH_LANGUAGE="english'--"), pytest.raises(ImproperlyConfigured):
        search_language()


def test_english_stop_words_are_dropped_only_when_searching_in_english():
    assert parse_query("how do I reset my wallet").words() == ["reset", "wallet"]
    with override_settings(RAPPORT_SEARCH_LANGUAGE="simple"):
        assert parse_query("how do I reset my wallet").words() == ["how", "do", "i", "reset", "my", "wallet"]


# --- Applying it ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_without_stemming_after_a_rebuild_only_the_exact_word_is_found_and_back_again(member):
    thread = ask(member, title="Capacitors overheat after an hour")
    assert found(member, "capacitor") == [thread.pk]
    try:
        rebuild("simple")
        with override_settings(RAPPORT_SEARCH_LANGUAGE="simple"):
            assert found(member, "capacitor") == []
            assert found(member, "capacitors") == [thread.pk]
    finally:
        rebuild("english")
    assert found(member, "capacitor") == [thread.pk]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_stems_in_the_configured_language(member):
    thread = ask(member, title="Meine Katzen schlafen den ganzen Tag")
    assert found(member, "Katze") == []  # English does not know that Katzen is the plural of Katze
    try:
        rebuild("german")
        with override_settings(RAPPORT_SEARCH_LANGUAGE="german"):
            assert found(member, "Katze") == [thread.pk]
            assert found(member, "den") == []  # a German stop word
    finally:
        rebuild("english")
