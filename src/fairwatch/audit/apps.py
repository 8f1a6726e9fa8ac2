from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fairwatch.audit"
    label = "audit"
    verbose_name = "Audit trail"
