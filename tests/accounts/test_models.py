"""The member table's indexes serve the lookups signing in makes."""

import pytest
from allauth.account.utils import filter_users_by_username
from django.db import connection

from tests.factories import UserFactory


@pytest.mark.postgres
@pytest.mark.django_db
def test_signing_in_by_username_uses_an_index_whatever_the_case():
    member = UserFactory(username="Ada-Lovelace")
    assert list(filter_users_by_username("ada-lovelace")) == [member]
    sql, params = filter_users_by_username("ADA-LOVELACE").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a small test table would be scanned anyway
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "accounts_user_username_ci_idx" in plan
