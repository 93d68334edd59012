from django.urls import include, path

from events.views import calendars, public, registration

app_name = "events"
urlpatterns = [
    path("meet-and-match/", public.event_list_view, name="list"),
    path(
        "meet-and-match/registratie/<int:pk>/annuleren/",
        registration.cancel_view,
        name="cancel",
    ),
    path("meet-and-match/<slug:slug>/", public.event_detail_view, name="detail"),
    path("meet-and-match/<slug:slug>/agenda.ics", public.event_ics_view, name="event-ics"),
    path("meet-and-match/<slug:slug>/aanmelden/", registration.register_view, name="register"),
    path("meet-and-match/<slug:slug>/check-in/", registration.check_in_view, name="check-in"),
    path("mijn/meet-and-match/", registration.mine_view, name="mine"),
    path("mijn/meet-and-match/agenda/", calendars.feed_page_view, name="calendar-feed"),
    path(
        "mijn/meet-and-match/agenda/nieuw-adres/",
        calendars.feed_reset_view,
        name="calendar-feed-reset",
    ),
    path("agenda/<token:token>.ics", calendars.feed_view, name="feed"),
    # The schedule part (schedules, follow-ups) lives in its own URLconf.
    path("", include("events.urls_schedule")),
]
