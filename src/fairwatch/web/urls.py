from django.contrib.auth import views as auth_views
from django.urls import include, path

from fairwatch.api.routes import api

from . import (
    access,
    breaches,
    concerns,
    exercises,
    held,
    internet,
    mailflow,
    policy_adapt,
    policy_adjustments,
    policy_contacts,
    policy_print,
    policy_reminders,
    transparency,
    views,
)
from . import policy as policy_pages

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("school/", views.switch_school, name="switch_school"),
    path("policy/", views.policy, name="policy"),
    path("policy/", include(policy_pages.urlpatterns)),
    path("policy/", include(policy_adapt.urlpatterns)),
    path("policy/", include(policy_adjustments.urlpatterns)),
    path("policy/", include(policy_contacts.urlpatterns)),
    path("policy/", include(policy_print.urlpatterns)),
    path("policy/", include(policy_reminders.urlpatterns)),
    path("people/", views.people, name="people"),
    path("audit/", views.audit, name="audit"),
    path("exercises/", include(exercises.urlpatterns)),
    path("activity/", include(exercises.activity_urlpatterns)),
    path("breaches/", include(breaches.urlpatterns)),
    path("my-data/", include(access.urlpatterns)),
    path("monitoring/", include(transparency.urlpatterns)),
    path("mail/held/", include(held.urlpatterns)),
    path("mail/rules/", include(held.rules_urlpatterns)),
    path("mail/", include(mailflow.urlpatterns)),
    path("internet/", include(internet.urlpatterns)),
    path("concerns/", include(concerns.urlpatterns)),
    path("api/v1/", api.urls),
]
