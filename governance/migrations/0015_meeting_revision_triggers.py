from django.db import migrations

from actions import revisions


class Migration(migrations.Migration):
    """A meeting's change (held, moved, cancelled, built from another snapshot) raises its strategy's revisions.

    Which snapshot was the last board depends on the meetings built from each:
    the dashboard's comparisons and every "needs an update" are judged from it.
    """

    dependencies = [
        ("governance", "0014_inspection_plan_submitted_and_outcome_wording"),
        ("actions", "0018_strategy_revision_beyond_actions"),
    ]

    operations = [migrations.RunSQL(*revisions.triggers_sql("governance_meeting", revisions.BY_STRATEGY))]
