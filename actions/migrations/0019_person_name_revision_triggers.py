from django.db import migrations

from actions import revisions


class Migration(migrations.Migration):
    """A person's new name raises the revisions of the strategies whose pages show it (on the updates they made)."""

    dependencies = [
        ("actions", "0018_strategy_revision_beyond_actions"),
        ("accounts", "0004_identity_providers"),
        ("people", "0007_merge_finance_lead_with_chasing_schedule"),
    ]

    operations = [
        migrations.RunSQL(*revisions.columns_changed_triggers_sql("accounts_user", revisions.BY_PERSON, revisions.PERSON_NAME_COLUMNS)),
    ]
