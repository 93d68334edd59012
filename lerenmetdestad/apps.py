from django.apps import AppConfig


class LerenMetDeStadConfig(AppConfig):
    name = "lerenmetdestad"
    verbose_name = "Leren met de Stad"
