from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Ceasefire Compliance Tracker"
admin.site.site_title = "Compliance Tracker"
admin.site.index_title = "Agreements, incidents and compliance"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("dashboard/", include("tracker.urls")),
]
