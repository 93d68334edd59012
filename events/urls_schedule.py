"""Schedule and follow-up pages. events/urls.py includes these under the "events" namespace."""

from django.urls import path

from events.views import schedule

urlpatterns = [
    path("meet-and-match/<slug:slug>/rooster/", schedule.schedule_grid_view, name="schedule-grid"),
    path(
        "meet-and-match/<slug:slug>/rooster/bewerken/",
        schedule.schedule_edit_view,
        name="schedule-edit",
    ),
    path("meet-and-match/<slug:slug>/mijn-rooster/", schedule.my_schedule_view, name="my-schedule"),
    path(
        "meet-and-match/<slug:slug>/mijn-rooster.ics",
        schedule.my_schedule_ics_view,
        name="my-schedule-ics",
    ),
    path("meet-and-match/<slug:slug>/vervolg/", schedule.follow_ups_view, name="follow-ups"),
    path(
        "meet-and-match/<slug:slug>/vervolg/gesprek/<int:meeting_pk>/",
        schedule.follow_up_record_view,
        name="follow-up-record",
    ),
    path(
        "meet-and-match/<slug:slug>/vervolg/<int:pk>/vraagstuk/",
        schedule.follow_up_to_challenge_view,
        name="follow-up-to-challenge",
    ),
    path(
        "meet-and-match/<slug:slug>/vervolg/<int:pk>/koppelen/",
        schedule.follow_up_link_view,
        name="follow-up-link",
    ),
]
