import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("events", "0001_initial"),
        ("partners", "0002_organisations_and_challenges"),
        ("pghistory", "0007_auto_20250421_0444"),
        ("projects", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChallengeAudit",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("title", models.CharField(max_length=120, verbose_name="title")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("in_review", "In review"),
                            ("needs_info", "More information needed"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("in_progress", "In progress"),
                            ("closed", "Closed"),
                        ],
                        default="draft",
                        max_length=12,
                        verbose_name="state",
                    ),
                ),
                (
                    "decision_reason",
                    models.TextField(blank=True, verbose_name="reason for the decision"),
                ),
                (
                    "desired_start",
                    models.DateField(blank=True, null=True, verbose_name="start from"),
                ),
                ("desired_end", models.DateField(blank=True, null=True, verbose_name="finish by")),
                (
                    "desired_level",
                    models.CharField(
                        blank=True,
                        choices=[("low", "Low"), ("medium", "Medium"), ("intensive", "Intensive")],
                        max_length=10,
                        verbose_name="CSL level",
                    ),
                ),
                (
                    "hours_per_week",
                    models.PositiveSmallIntegerField(
                        blank=True, null=True, verbose_name="hours per week of support"
                    ),
                ),
                (
                    "resident_contacts_per_month",
                    models.PositiveSmallIntegerField(
                        default=0, verbose_name="resident contact moments per month"
                    ),
                ),
                (
                    "is_public",
                    models.BooleanField(default=False, verbose_name="may be shown publicly"),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="partners.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="audit_events",
                        to="partners.challenge",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="CohortAudit",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("number", models.PositiveSmallIntegerField(verbose_name="number")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("open", "Open for registration"),
                            ("closed", "Registration closed"),
                            ("running", "Running"),
                            ("handover", "Handing over"),
                            ("completed", "Completed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("starts_on", models.DateField(verbose_name="starts")),
                ("ends_on", models.DateField(verbose_name="ends")),
                ("registration_opens_at", models.DateTimeField(verbose_name="registration opens")),
                (
                    "registration_closes_at",
                    models.DateTimeField(verbose_name="registration closes"),
                ),
                (
                    "min_size",
                    models.PositiveSmallIntegerField(default=3, verbose_name="minimum team size"),
                ),
                ("max_size", models.PositiveSmallIntegerField(default=8, verbose_name="places")),
                (
                    "admission_mode",
                    models.CharField(
                        choices=[
                            ("first_come", "First come, first served"),
                            ("application", "Application with motivation"),
                            ("preference", "Ranking of preferences"),
                        ],
                        default="first_come",
                        max_length=12,
                        verbose_name="admission",
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="audit_events",
                        to="projects.cohort",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="projects.project",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="EnrolmentAudit",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("applied", "Applied"),
                            ("member", "Member"),
                            ("waitlisted", "On the waiting list"),
                            ("withdrawn", "Withdrawn"),
                            ("rejected", "Not admitted"),
                            ("completed", "Completed"),
                        ],
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                (
                    "vog_confirmed",
                    models.BooleanField(
                        default=False,
                        verbose_name="student confirms a certificate of conduct (VOG)",
                    ),
                ),
                (
                    "cohort",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="projects.cohort",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="audit_events",
                        to="projects.enrolment",
                    ),
                ),
                (
                    "student",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="EventAudit",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                ("title", models.CharField(max_length=150, verbose_name="title")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("published", "Open for registration"),
                            ("registration_closed", "Registration closed"),
                            ("scheduled", "Schedule published"),
                            ("held", "Held"),
                            ("closed", "Closed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="state",
                    ),
                ),
                ("starts_at", models.DateTimeField(verbose_name="starts")),
                ("ends_at", models.DateTimeField(verbose_name="ends")),
                (
                    "venue",
                    models.CharField(
                        blank=True,
                        default="Op Locatie, Leiden-Noord",
                        max_length=200,
                        verbose_name="place",
                    ),
                ),
                ("capacity", models.PositiveSmallIntegerField(default=40, verbose_name="places")),
                ("registration_deadline", models.DateTimeField(verbose_name="register before")),
                ("rounds", models.PositiveSmallIntegerField(default=4, verbose_name="rounds")),
                ("tables", models.PositiveSmallIntegerField(default=10, verbose_name="tables")),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="audit_events",
                        to="events.event",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="RegistrationAudit",
            fields=[
                ("pgh_id", models.AutoField(primary_key=True, serialize=False)),
                ("pgh_created_at", models.DateTimeField(auto_now_add=True)),
                ("pgh_label", models.TextField(help_text="The event label.")),
                (
                    "role_at_event",
                    models.CharField(
                        choices=[
                            ("researcher", "Researcher"),
                            ("lecturer", "Lecturer"),
                            ("practitioner", "Practitioner (partner organisation)"),
                            ("student", "Student"),
                        ],
                        max_length=12,
                        verbose_name="you come as",
                    ),
                ),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("registered", "Registered"),
                            ("waitlisted", "On the waiting list"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=12,
                        verbose_name="state",
                    ),
                ),
                (
                    "checked_in_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="checked in"),
                ),
                (
                    "event",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to="events.event",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        related_query_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pgh_context",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pghistory.context",
                    ),
                ),
                (
                    "pgh_obj",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="audit_events",
                        to="events.registration",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
    ]
