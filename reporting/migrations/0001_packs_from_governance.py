"""Board packs and evidence packs, made by governance's migrations: this records them here, on the same tables."""


import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('actions', '0009_sweep_without_per_row_work'),
        ('governance', '0009_packs_move_to_reporting'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='BoardReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('rendering', 'Rendering'), ('ready', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('stage', models.CharField(blank=True, choices=[('', 'Waiting to start'), ('reading', 'Reading the snapshot'), ('laying_out', 'Laying out the pages'), ('writing', 'Writing and tagging the PDF')], default='', max_length=20)),
                        ('queued_at', models.DateTimeField(default=django.utils.timezone.now, help_text='When the render was last handed to the broker.')),
                        ('requeues', models.PositiveSmallIntegerField(default=0, help_text='Times housekeeping queued it again after it was stuck.')),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('file_name', models.CharField(blank=True, help_text='Under PRIVATE_MEDIA_ROOT/board-reports/.', max_length=200)),
                        ('page_count', models.PositiveIntegerField(blank=True, null=True)),
                        ('render_seconds', models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('meeting', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='board_reports', to='governance.meeting')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('snapshot', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='board_reports', to='actions.snapshot')),
                        ('strategy', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='board_reports', to='actions.strategy')),
                    ],
                    options={
                        'db_table': 'governance_boardreport',
                        'ordering': ['-requested_at'],
                    },
                ),
                migrations.CreateModel(
                    name='EvidencePack',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('requested_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('rendering', 'Rendering'), ('ready', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('attempts', models.PositiveSmallIntegerField(default=0)),
                        ('error', models.TextField(blank=True)),
                        ('pdf_name', models.CharField(blank=True, help_text='Under PRIVATE_MEDIA_ROOT/evidence-packs/.', max_length=200)),
                        ('zip_name', models.CharField(blank=True, help_text='Under PRIVATE_MEDIA_ROOT/evidence-packs/.', max_length=200)),
                        ('page_count', models.PositiveIntegerField(blank=True, null=True)),
                        ('file_count', models.PositiveIntegerField(blank=True, null=True)),
                        ('left_out_count', models.PositiveIntegerField(blank=True, help_text='Files left out to keep the archive within its size.', null=True)),
                        ('zip_bytes', models.PositiveBigIntegerField(blank=True, null=True)),
                        ('render_seconds', models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('finding', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='evidence_packs', to='governance.finding')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('strategy', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evidence_packs', to='actions.strategy')),
                    ],
                    options={
                        'db_table': 'governance_evidencepack',
                        'ordering': ['-requested_at', '-id'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
