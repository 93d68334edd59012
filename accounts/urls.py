from django.urls import path

from accounts import views
from accounts.privacy import views as privacy_views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("profiel/", views.profile_edit, name="profile"),
    path("gegevens/", privacy_views.my_data, name="my-data"),
    path("gegevens/download.json", privacy_views.my_data_download, name="my-data-download"),
    path("gegevens/wissen/", privacy_views.erase, name="erase"),
]
