from django.apps import AppConfig


class InternetConfig(AppConfig):
    name = "fairwatch.internet"
    label = "internet"
    verbose_name = "Internet use: log files, category rules, alerts and private-use permissions"
