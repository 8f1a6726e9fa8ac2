from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "fairwatch.policy"
    label = "policy"
    verbose_name = "The policy: its versions and staff acknowledgement"
