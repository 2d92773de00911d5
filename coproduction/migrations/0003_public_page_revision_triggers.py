from django.db import migrations

from actions import revisions

BY_DELIVERABLE = "SELECT d.strategy_id FROM {rows} r JOIN coproduction_deliverable d ON d.id = r.deliverable_id"
BY_PARTNERSHIP_ITSELF = "SELECT s.id FROM actions_strategy s WHERE s.partnership_id IN (SELECT id FROM {rows})"
# What the public page shows beside the tables the dashboard reads: the deliverables with the actions
# that deliver them, and the partnership's name.
TABLES = [
    ("coproduction_deliverable", revisions.BY_STRATEGY),
    ("coproduction_deliverable_actions", BY_DELIVERABLE),
    ("people_partnership", BY_PARTNERSHIP_ITSELF),
]


class Migration(migrations.Migration):
    """The public page is cached under its strategy's revision: a change to what it shows raises it."""

    dependencies = [
        ("coproduction", "0002_strategy_revision_triggers"),
        ("actions", "0018_strategy_revision_beyond_actions"),
        ("people", "0007_merge_finance_lead_with_chasing_schedule"),
    ]

    operations = [migrations.RunSQL(*revisions.triggers_sql(table, strategies)) for table, strategies in TABLES]
