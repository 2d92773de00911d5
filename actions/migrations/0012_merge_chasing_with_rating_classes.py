# Joins two lines of migrations made side by side.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('actions', '0010_chase_steps_email_preferences_and_escalation_notifications'),
        ('actions', '0011_partnership_rating_schemes'),
    ]

    operations = [
    ]
