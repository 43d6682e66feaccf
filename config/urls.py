from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

admin.site.site_header = "Enrollment Tracks administration"
admin.site.site_title = "Enrollment Tracks"

urlpatterns = [
    path("admin/", admin.site.urls),
    # The OpenAPI schema and its docs page: public, read only.
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # OAuth2 for service clients: /oauth2/access_token (client credentials; bearer or JWT).
    path("", include("enrollment_tracks.api.urls")),
    path("", include("enrollment_tracks.membership.api_urls")),
    path("", include("enrollment_tracks.membership.urls")),
    path("", include("enrollment_tracks.certificates.api_urls")),
    path("", include("enrollment_tracks.certificates.urls")),
    path("", include("enrollment_tracks.tracks.api_urls")),
    path("", include("enrollment_tracks.enrollments.api_urls")),
    path("", include("enrollment_tracks.verification.api_urls")),
    path("", include("enrollment_tracks.verification.urls")),
    path("", include("enrollment_tracks.ecommerce.urls")),
    path("", include("enrollment_tracks.web.urls")),
]
