from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "fairwatch.policy"
    label = "policy"
    verbose_name = "The policy: its versions and staff acknowledgement"

    def ready(self) -> None:
        # The schools app does not know this one: it signals, and new starters are asked here.
        from fairwatch.schools.signals import roster_imported

        roster_imported.connect(_ask_new_starters, dispatch_uid="policy_ask_new_starters")


def _ask_new_starters(sender, *, school, person_ids, actor=None, **kwargs) -> None:
    from .reminders import ask_new_starters

    ask_new_starters(school, person_ids, actor=actor)
