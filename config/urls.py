from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Enrollment Tracks administration"
admin.site.site_title = "Enrollment Tracks"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("enrollment_tracks.membership.api_urls")),
    path("", include("enrollment_tracks.membership.urls")),
    path("", include("enrollment_tracks.web.urls")),
]
