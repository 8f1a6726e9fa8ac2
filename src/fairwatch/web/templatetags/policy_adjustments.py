"""Numbers about reasonable adjustments (clause 2) for pages other views own: the home page
and the policy reading page. They come from `fairwatch.policy.adjustments`, which knows who
may see what; nothing here names anyone."""

from __future__ import annotations

from django import template

from fairwatch.policy import adjustments

register = template.Library()


def _who(context) -> tuple:
    request = context.get("request")
    return getattr(request, "user", None), context.get("current_school")


@register.simple_tag(takes_context=True)
def adjustments_to_answer(context) -> int:
    """How many requests wait for the viewer's answer (0 unless they are the Headteacher)."""
    user, school = _who(context)
    if user is None or school is None:
        return 0
    return adjustments.waiting_count(user, school)


@register.simple_tag(takes_context=True)
def my_adjustment_count(context) -> int:
    """How many requests the viewer has made themselves at the school."""
    user, school = _who(context)
    if user is None or school is None:
        return 0
    return adjustments.my_count(user, school)
