"""Setting the dashboard up for a charity, in the app: its name, the first administrator's account and, if wished,
the area it serves. Offered only while nobody has an account and nothing but the sample is loaded; it starts the
settings afresh, so nothing from before carries over."""

from __future__ import annotations

import duckdb

from pipelines import audit, settings, store, users
from pipelines.audit import Actor


class SetUpRefused(ValueError):
    """Set-up cannot go ahead; the message says what to do instead."""


def needed(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the dashboard still waits to be set up: no account, and none of the charity's own data loaded."""
    return not users.has_accounts(con) and not store.has_own_data(con)


def set_up(
    con: duckdb.DuckDBPyConnection,
    *,
    charity_name: str,
    account: str,
    password: str | None,
    area_codes: list[str] | tuple[str, ...] = (),
) -> Actor:
    """Name the charity and add its first administrator (``password`` None: the identity provider signs them in
    with the e-mail address ``account``), in one transaction; returns the administrator.

    Every setting saved before (colour, logo, footnote, area, volunteer rate, session limits) goes back to its
    default, so nothing typed into an earlier demo is kept."""
    charity = settings.checked_text(charity_name, "The charity's name", settings.MAX_NAME)
    if not charity:
        raise SetUpRefused("Type the charity's name: it goes on every chart and report you download.")
    name, digest = users.checked_account(account, password)
    area = settings.area_of(area_codes)
    with users.WRITING:
        if not needed(con):
            raise SetUpRefused("The dashboard is set up already: sign in with your account.")
        fresh = {key: "" for key in settings.texts(con)} | {
            "charity_name": charity,
            settings.AREA_KEY: ",".join(area.codes),
        }
        with store.transaction(con):
            con.execute("INSERT INTO users (name, role, password_hash) VALUES (?, 'administrator', ?)", [name, digest])
            con.executemany(
                "INSERT INTO settings_history (key, text_value, blob_value, changed_by) VALUES (?, ?, NULL, ?)",
                [[key, text, name] for key, text in fresh.items()],
            )
            audit.record(con, name, "set up", {"charity_name": charity, "area": ",".join(area.codes)})
    return Actor(name, "administrator")
