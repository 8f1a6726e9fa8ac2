from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "fairwatch.schools"
    label = "schools"
    verbose_name = "Schools and people"
