from django.apps import AppConfig


class MailflowConfig(AppConfig):
    name = "fairwatch.mailflow"
    label = "mailflow"
    verbose_name = "Mail flow: the relay's rules, its quarantine and the check API's tokens"
