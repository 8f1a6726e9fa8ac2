from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "fairwatch.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring and privacy"
