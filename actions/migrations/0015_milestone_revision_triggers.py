from django.db import migrations

from actions import revisions


class Migration(migrations.Migration):
    """A milestone's change raises its strategy's revision, so cached pages (My actions) show the new progress."""

    dependencies = [
        ("actions", "0014_action_milestones"),
    ]

    operations = [migrations.RunSQL(*revisions.triggers_sql("actions_milestone", revisions.BY_ACTION))]
