import django.db.models.deletion
from django.db import migrations, models

from actions import revisions

TABLES = [
    ("actions_strategy", "SELECT id FROM {rows}"),
    ("actions_priority", revisions.BY_STRATEGY),
    ("actions_deliverygroup", revisions.BY_STRATEGY),
    ("actions_action", revisions.BY_STRATEGY),
    ("actions_actionupdate", revisions.BY_ACTION),
    ("actions_action_owners", revisions.BY_ACTION),
    ("actions_action_related", "SELECT a.strategy_id FROM {rows} r JOIN actions_action a ON a.id = r.from_action_id"),
    ("actions_snapshot", revisions.BY_STRATEGY),
    ("actions_ratinglevel", "SELECT s.id FROM actions_strategy s WHERE s.scheme_id IN (SELECT scheme_id FROM {rows})"),
    ("people_post", revisions.BY_PARTNERSHIP),
    ("people_organisation", revisions.BY_PARTNERSHIP),
]


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0007_notification_link_notification_message_and_more"),
        ("people", "0005_invitation_role_coproduction"),
    ]

    operations = [
        migrations.CreateModel(
            name="StrategyRevision",
            fields=[
                (
                    "strategy",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="revision",
                        serialize=False,
                        to="actions.strategy",
                    ),
                ),
                ("revision", models.BigIntegerField(default=0)),
                ("changed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunSQL(revisions.FUNCTIONS_SQL, revisions.FUNCTIONS_REVERSE_SQL),
        *(migrations.RunSQL(*revisions.triggers_sql(table, strategies)) for table, strategies in TABLES),
    ]
