from django.urls import path

from . import views as dashboard

app_name = "reports"

urlpatterns = [
    path("", dashboard.index, name="dashboard-index"),
    path("reports/<int:pk>/<str:fmt>/", dashboard.report_download, name="report-download"),
    path("<slug:slug>/", dashboard.agreement_dashboard, name="dashboard"),
]
