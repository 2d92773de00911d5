# Joins two lines of migrations made side by side.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('governance', '0009_meeting_times_calendar_feeds_decisions_and_actions_arising'),
        ('governance', '0010_job_housekeeping_from_settings'),
    ]

    operations = [
    ]
