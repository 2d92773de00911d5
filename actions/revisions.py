"""The strategy's revision: raised by the database whenever anything the strategy's pages show changes.

Costly pages (the dashboard) are cached under the revision, so they are built
again exactly when their data changed. The database keeps it, not the code
paths that write: every table a page reads has statement-level triggers that
note which strategies a statement touched, so a bulk update, an import, the
sweep, the admin and a plain SQL fix all count alike, one statement at a time
rather than one row at a time.

Two steps keep writers from waiting on each other: a statement's trigger only
adds a row for the transaction to a note table (no row is shared between
transactions), and a deferred trigger on the note raises the revision when the
transaction commits, after all its other locks are held, so the revision's row
lock can never be part of a deadlock. A reader reads the revision before the
data, so a cached page is never older than its revision.
"""

from __future__ import annotations

from django.db.models import QuerySet

from actions.models import StrategyRevision
from send_tracker.statements import kept_objects

# The note and the raise of a single revision (actions migration 0008, and 0018 undone).
ONE_REVISION_SQL = """
CREATE OR REPLACE FUNCTION strategy_change_note(strategy_ids bigint[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO actions_strategychangenote (strategy_id)
    SELECT DISTINCT id FROM unnest(strategy_ids) AS id WHERE id IS NOT NULL
    ON CONFLICT DO NOTHING
$$;

CREATE OR REPLACE FUNCTION strategy_revision_raise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO actions_strategyrevision (strategy_id, revision, changed_at)
    SELECT s.id, 1, now() FROM actions_strategy s WHERE s.id = NEW.strategy_id
    ON CONFLICT (strategy_id) DO UPDATE SET revision = actions_strategyrevision.revision + 1, changed_at = now();
    DELETE FROM actions_strategychangenote WHERE xact = NEW.xact AND strategy_id = NEW.strategy_id;
    RETURN NULL;
END $$;
"""

# Installed once (actions migration 0008); every table's triggers call it.
FUNCTIONS_SQL = (
    """
CREATE TABLE actions_strategychangenote (
    strategy_id bigint NOT NULL,
    xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
    PRIMARY KEY (xact, strategy_id)
);
"""
    + ONE_REVISION_SQL
    + """
CREATE CONSTRAINT TRIGGER strategy_revision_raise AFTER INSERT ON actions_strategychangenote
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION strategy_revision_raise();
"""
)

FUNCTIONS_REVERSE_SQL = """
DROP TABLE IF EXISTS actions_strategychangenote;
DROP FUNCTION IF EXISTS strategy_revision_raise();
DROP FUNCTION IF EXISTS strategy_change_note(bigint[]);
"""


def trigger_function_sql(table: str, strategies: str, *, beyond_actions: bool = True) -> str:
    """SQL that (re)defines the function the triggers of `table` call: it notes the strategies a statement touched.

    A table of the actions' own (`beyond_actions=False`) raises the strategy's
    revision only; any other raises its `beyond_actions` revision too.
    """
    select = strategies.replace("{rows}", "{}")
    flag = "" if beyond_actions else ", false"
    return f"""
CREATE OR REPLACE FUNCTION {table}_strategy_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM strategy_change_note(ARRAY({select.format("new_rows")}){flag});
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM strategy_change_note(ARRAY({select.format("old_rows")}){flag});
    END IF;
    RETURN NULL;
END $$;
"""


def triggers_sql(table: str, strategies: str) -> tuple[str, str]:
    """SQL (forward, reverse) for the triggers that note the strategies a statement on `table` touched.

    `strategies` is a SELECT of strategy ids from the statement's rows, with
    `rows` standing for them (the new rows of an insert or update, the old rows
    of an update or delete).
    """
    function = f"{table}_strategy_changed"
    forward = (
        trigger_function_sql(table, strategies)
        + f"""
CREATE TRIGGER {table}_changed_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_changed_update AFTER UPDATE ON {table}
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
CREATE TRIGGER {table}_changed_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""
    )
    reverse = f"""
DROP TRIGGER IF EXISTS {table}_changed_insert ON {table};
DROP TRIGGER IF EXISTS {table}_changed_update ON {table};
DROP TRIGGER IF EXISTS {table}_changed_delete ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return forward, reverse


def columns_changed_triggers_sql(table: str, strategies: str, columns: tuple[str, ...]) -> tuple[str, str]:
    """SQL (forward, reverse) for the trigger that notes the strategies an update of `columns` of `table` touched.

    For a table the pages show only a few columns of (a person's name), whose
    other columns change often (their last sign-in): an insert or a delete
    shows nowhere, and an update that leaves `columns` as they were notes
    nothing. `strategies` is as for `triggers_sql`, `rows` standing for the
    updated rows (as they are now) whose `columns` changed.
    """
    function = f"{table}_strategy_changed"
    changed = (
        "(SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id"
        f" WHERE ({', '.join(f'n.{c}' for c in columns)}) IS DISTINCT FROM ({', '.join(f'o.{c}' for c in columns)}))"
    )
    forward = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM strategy_change_note(ARRAY({strategies.replace("{rows}", changed)}));
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_changed_update AFTER UPDATE ON {table}
    REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}();
"""
    reverse = f"""
DROP TRIGGER IF EXISTS {table}_changed_update ON {table};
DROP FUNCTION IF EXISTS {function}();
"""
    return forward, reverse


# How each table's rows lead to strategies. `{rows}` is the statement's rows.
BY_STRATEGY = "SELECT strategy_id FROM {rows}"
BY_ACTION = "SELECT a.strategy_id FROM {rows} r JOIN actions_action a ON a.id = r.action_id"
BY_GROUP = "SELECT g.strategy_id FROM {rows} r JOIN actions_deliverygroup g ON g.id = r.group_id"
BY_PARTNERSHIP = "SELECT s.id FROM actions_strategy s WHERE s.partnership_id IN (SELECT partnership_id FROM {rows})"
BY_INDICATOR = "SELECT i.strategy_id FROM {rows} r JOIN kpis_indicator i ON i.id = r.indicator_id"
BY_RELATED = "SELECT a.strategy_id FROM {rows} r JOIN actions_action a ON a.id = r.from_action_id"
# A person (accounts_user) is tied to no one strategy: their name shows on the updates they made, so every
# strategy of their partnerships, and any other whose actions they updated (before they left its partnership).
BY_PERSON = (
    "SELECT s.id FROM actions_strategy s WHERE s.partnership_id IN"
    " (SELECT m.partnership_id FROM people_membership m JOIN {rows} r ON r.id = m.user_id)"
    " UNION SELECT a.strategy_id FROM actions_actionupdate u JOIN actions_action a ON a.id = u.action_id"
    " WHERE u.author_id IN (SELECT r.id FROM {rows} r)"
)
# What of a person the pages show: their name as User.__str__ reads it (the full name, else the email, else the username).
PERSON_NAME_COLUMNS = ("first_name", "last_name", "email", "username")

# The actions' own tables: a change to them (an update saved, a rating, a milestone) raises the
# strategy's revision but not its `beyond_actions` revision, under which the parts of a page
# that show no action (KPIs, findings, the plan's outline) are kept (actions migration 0018).
ACTION_TABLES = [
    ("actions_action", BY_STRATEGY),
    ("actions_actionupdate", BY_ACTION),
    ("actions_action_related", BY_RELATED),
    ("actions_milestone", BY_ACTION),
]

# The two-revision form of FUNCTIONS_SQL (actions migration 0018): each note says whether the
# statement was on a table beyond the actions' own.
BEYOND_ACTIONS_SQL = """
ALTER TABLE actions_strategychangenote ADD COLUMN beyond_actions boolean NOT NULL DEFAULT true;
ALTER TABLE actions_strategychangenote DROP CONSTRAINT actions_strategychangenote_pkey;
ALTER TABLE actions_strategychangenote ADD PRIMARY KEY (xact, strategy_id, beyond_actions);

DROP FUNCTION strategy_change_note(bigint[]);
CREATE FUNCTION strategy_change_note(strategy_ids bigint[], beyond_actions boolean DEFAULT true) RETURNS void LANGUAGE sql AS $$
    INSERT INTO actions_strategychangenote (strategy_id, beyond_actions)
    SELECT DISTINCT id, beyond_actions FROM unnest(strategy_ids) AS id WHERE id IS NOT NULL
    ON CONFLICT DO NOTHING
$$;

CREATE OR REPLACE FUNCTION strategy_revision_raise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO actions_strategyrevision (strategy_id, revision, beyond_actions, changed_at)
    SELECT s.id, 1, NEW.beyond_actions::int, now() FROM actions_strategy s WHERE s.id = NEW.strategy_id
    ON CONFLICT (strategy_id) DO UPDATE SET
        revision = actions_strategyrevision.revision + 1,
        beyond_actions = actions_strategyrevision.beyond_actions + NEW.beyond_actions::int,
        changed_at = now();
    DELETE FROM actions_strategychangenote
    WHERE xact = NEW.xact AND strategy_id = NEW.strategy_id AND beyond_actions = NEW.beyond_actions;
    RETURN NULL;
END $$;
"""

BEYOND_ACTIONS_REVERSE_SQL = (
    """
DROP FUNCTION strategy_change_note(bigint[], boolean);
"""
    + ONE_REVISION_SQL
    + """
ALTER TABLE actions_strategychangenote DROP CONSTRAINT actions_strategychangenote_pkey;
ALTER TABLE actions_strategychangenote DROP COLUMN beyond_actions;
ALTER TABLE actions_strategychangenote ADD PRIMARY KEY (xact, strategy_id);
"""
)


def _revision_row_of(strategy_id: int) -> QuerySet[StrategyRevision]:
    return StrategyRevision.objects.filter(strategy_id=strategy_id).order_by()[:1]


def revision_of(strategy_id: int, *, beyond_actions: bool = False) -> int:
    """The strategy's revision now (0 before its first change). Read it before the data it keys (its SQL compiled once a process).

    With `beyond_actions`, the revision of everything but the actions' own rows (ACTION_TABLES).
    """
    revision, beyond = revisions_of(strategy_id)
    return beyond if beyond_actions else revision


def revisions_of(strategy_id: int) -> tuple[int, int]:
    """The strategy's revision and its `beyond_actions` revision, read together (0 and 0 before its first change)."""
    found = kept_objects(_revision_row_of, strategy_id)
    return (found[0].revision, found[0].beyond_actions) if found else (0, 0)
