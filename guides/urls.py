from django.urls import path

from guides.public import feeds, situations, views
from guides.public.filters import ProcedureFilter
from portal.pagecache import cached_page

app_name = "guides"

# The GET parameters each page reads; any other one is redirected away
# (portal.pagecache.cached_page).
PAGED = ("page",)
# The finder also reads the home page's situation (situations.asked).
FINDER = (*ProcedureFilter.base_filters, "page", situations.PARAMETER)

updates = cached_page(views.UpdateListView.as_view(), query=PAGED)
FEEDS = {"rss": cached_page(feeds.rss), "atom": cached_page(feeds.atom)}
# The updates page and each feed exist for everything, a carrier and a task.
SCOPES = {"carrier": "carriers", "task": "tasks"}

urlpatterns = [
    path("", cached_page(views.HomeView.as_view()), name="home"),
    path("offline/", cached_page(views.OfflineView.as_view()), name="offline"),
    path(
        "guides/",
        cached_page(views.ProcedureListView.as_view(), query=FINDER),
        name="procedure-list",
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
        cached_page(views.CounterCardView.as_view(), query=("who",)),
        name="procedure-counter-card",
    ),
    path("guides/<slug:slug>/report/", views.report_problem, name="report"),
    path(
        "guides/<slug:slug>/report/thanks/",
        views.ReportThanksView.as_view(),
        name="report-thanks",
    ),
    path("guides/<slug:slug>/did-it-work/", views.did_it_work, name="did-it-work"),
    path(
        "guides/<slug:slug>/did-it-work/thanks/",
        views.DidItWorkThanksView.as_view(),
        name="did-it-work-thanks",
    ),
    path("updates/", updates, name="updates"),
    *(
        path(
            f"updates/{part}/<slug:slug>/",
            updates,
            {"kind": kind},
            name=f"updates-{kind}",
        )
        for kind, part in SCOPES.items()
    ),
    *(
        path(f"feeds/{name}/", feed, name=f"feed-{name}")
        for name, feed in FEEDS.items()
    ),
    *(
        path(
            f"feeds/{part}/<slug:slug>/{name}/",
            feed,
            {"kind": kind},
            name=f"feed-{name}-{kind}",
        )
        for kind, part in SCOPES.items()
        for name, feed in FEEDS.items()
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
