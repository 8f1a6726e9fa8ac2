from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "fairwatch.web"
    label = "web"
    verbose_name = "Web app"
