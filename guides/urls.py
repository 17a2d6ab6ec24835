from django.urls import path

from guides import feeds, views
from portal.pagecache import cached_page

app_name = "guides"

urlpatterns = [
    path("", cached_page(views.HomeView.as_view()), name="home"),
    path(
        "guides/", cached_page(views.ProcedureListView.as_view()), name="procedure-list"
    ),
    path(
        "guides/<slug:slug>/",
        cached_page(views.ProcedureDetailView.as_view()),
        name="procedure-detail",
    ),
    path(
        "guides/<slug:slug>/print/",
        cached_page(views.ProcedurePrintView.as_view()),
        name="procedure-print",
    ),
    path(
        "guides/<slug:slug>/counter-card/",
        cached_page(views.CounterCardView.as_view()),
        name="procedure-counter-card",
    ),
]

urlpatterns += [
    path(
        "guides/<slug:slug>/report/",
        views.report_problem,
        name="report",
    ),
    path(
        "guides/<slug:slug>/report/thanks/",
        views.ReportThanksView.as_view(),
        name="report-thanks",
    ),
    path("updates/", cached_page(views.UpdateListView.as_view()), name="updates"),
    path(
        "updates/carriers/<slug:slug>/",
        cached_page(views.UpdateListView.as_view()),
        {"kind": "carrier"},
        name="updates-carrier",
    ),
    path(
        "updates/tasks/<slug:slug>/",
        cached_page(views.UpdateListView.as_view()),
        {"kind": "task"},
        name="updates-task",
    ),
    path("feeds/rss/", cached_page(feeds.rss), name="feed-rss"),
    path("feeds/atom/", cached_page(feeds.atom), name="feed-atom"),
    path(
        "feeds/carriers/<slug:slug>/rss/",
        cached_page(feeds.rss),
        {"kind": "carrier"},
        name="feed-rss-carrier",
    ),
    path(
        "feeds/carriers/<slug:slug>/atom/",
        cached_page(feeds.atom),
        {"kind": "carrier"},
        name="feed-atom-carrier",
    ),
    path(
        "feeds/tasks/<slug:slug>/rss/",
        cached_page(feeds.rss),
        {"kind": "task"},
        name="feed-rss-task",
    ),
    path(
        "feeds/tasks/<slug:slug>/atom/",
        cached_page(feeds.atom),
        {"kind": "task"},
        name="feed-atom-task",
    ),
]

# A carrier's page lists its guides, so the guides app serves it; portal/urls.py
# mounts it under carriers/ in the "carriers" namespace.
carrier_urlpatterns = [
    path(
        "<slug:slug>/",
        cached_page(views.CarrierDetailView.as_view()),
        name="carrier-detail",
    ),
]
