"""Pages for concerns about staff and their cases (7.3-7.6). Being written: placeholder."""

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _todo(request: HttpRequest, **_: object) -> HttpResponse:
    raise Http404("not yet")


urlpatterns = [
    path("", _todo, name="concerns"),
    path("raise/", _todo, name="concern_raise"),
    path("mine/", _todo, name="concern_receipts"),
    path("mine/<str:ref>/", _todo, name="concern_receipt"),
    path("<str:ref>/", _todo, name="case_detail"),
]
