"""The processors' webhook endpoint: public (no session, no CSRF), trusted only through the
processor's signature. Answers 200 once the event is stored (or was already), 400 when the
delivery is rejected (and stored as rejected), 404 for another processor's path."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from enrollment_tracks.core.errors import DomainError
from enrollment_tracks.ecommerce.webhooks import webhook_receive


@csrf_exempt  # a server-to-server call, authenticated by the processor's signature
@require_POST
def webhook(request: HttpRequest, processor: str) -> JsonResponse:
    headers = dict(request.headers.items())
    try:
        row, created = webhook_receive(processor_name=processor, body=request.body, headers=headers)
    except DomainError as error:
        return JsonResponse(error.as_dict() | {"received": False}, status=error.http_status)
    return JsonResponse({"received": True, "duplicate": not created, "event": row.event_id})
