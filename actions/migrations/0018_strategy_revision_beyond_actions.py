from django.db import migrations, models

from actions import revisions


class Migration(migrations.Migration):
    """A second revision, not raised by changes to the actions' own rows: parts of a page that show no action are kept under it."""

    dependencies = [
        ("actions", "0017_notification_milestone_kinds"),
    ]

    operations = [
        migrations.AddField(model_name="strategyrevision", name="beyond_actions", field=models.BigIntegerField(default=0)),
        migrations.RunSQL(revisions.BEYOND_ACTIONS_SQL, revisions.BEYOND_ACTIONS_REVERSE_SQL),
        *(
            migrations.RunSQL(
                revisions.trigger_function_sql(table, strategies, beyond_actions=False),
                revisions.trigger_function_sql(table, strategies),
            )
            for table, strategies in revisions.ACTION_TABLES
        ),
    ]
