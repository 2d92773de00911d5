from django.db import migrations

from actions import revisions

BY_INSPECTION = "SELECT i.strategy_id FROM {rows} r JOIN governance_inspection i ON i.id = r.inspection_id"
BY_FINDING = (
    "SELECT i.strategy_id FROM {rows} r JOIN governance_finding f ON f.id = r.finding_id JOIN governance_inspection i ON i.id = f.inspection_id"
)
TABLES = [
    ("governance_inspection", revisions.BY_STRATEGY),
    ("governance_finding", BY_INSPECTION),
    ("governance_finding_actions", BY_FINDING),
]


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0007_signatory_signoff_signoffevent_snapshotsignoff_and_more"),
        ("actions", "0008_strategy_revision"),
    ]

    operations = [migrations.RunSQL(*revisions.triggers_sql(table, strategies)) for table, strategies in TABLES]
