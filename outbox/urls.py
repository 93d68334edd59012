from django.urls import path

from outbox import views

app_name = "outbox"
urlpatterns = [
    path("instellingen/", views.preferences, name="preferences"),
    path("afmelden/<token:token>/", views.unsubscribe, name="unsubscribe"),
]
