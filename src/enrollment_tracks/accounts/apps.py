from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "enrollment_tracks.accounts"
    label = "accounts"
    verbose_name = "Accounts"
