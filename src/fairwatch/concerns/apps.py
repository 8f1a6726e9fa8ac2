from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "fairwatch.concerns"
    label = "concerns"
    verbose_name = "Concerns about staff: cases, the LADO clock and the low-level concerns register"
