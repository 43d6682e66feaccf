"""The words of a job: plan buckets (before it runs) and outcomes (after), with their labels.

Outcome labels for registered-user enrollments are Open edX's Membership-tab messages.
"""

from __future__ import annotations

# Plan buckets (dry run)
WILL_ENROLL = "will_enroll"
ALREADY_ENROLLED = "already_enrolled"
WILL_INVITE = "will_invite"
WILL_UNENROLL = "will_unenroll"
NOT_ENROLLED = "not_enrolled"
WILL_CHANGE = "will_change"
ALREADY_ON = "already_on"
NOT_ON_FROM_TRACK = "not_on_from_track"
INVALID_IDENTIFIER = "invalid_identifier"
UNKNOWN_USER = "unknown_user"
DUPLICATE = "duplicate"
TRACK_NOT_OFFERED = "track_not_offered"

PLAN_LABELS: dict[str, str] = {
    WILL_ENROLL: "Will enroll",
    ALREADY_ENROLLED: "Already enrolled (left as they are)",
    WILL_INVITE: "Will be invited (no account yet)",
    WILL_UNENROLL: "Will unenroll",
    NOT_ENROLLED: "Not enrolled",
    WILL_CHANGE: "Will change track",
    ALREADY_ON: "Already on the target track",
    NOT_ON_FROM_TRACK: "Not on the “from” track (left as they are)",
    INVALID_IDENTIFIER: "Invalid identifier",
    UNKNOWN_USER: "Unknown user",
    DUPLICATE: "Duplicates collapsed",
    TRACK_NOT_OFFERED: "Track not offered by the course",
}

# Outcomes (after the job ran)
ENROLLED = "enrolled"
ALLOWED = "allowed"
AUTOENROLLED = "autoenrolled"
UNENROLLED = "unenrolled"
NOTUNENROLLED = "notunenrolled"
CHANGED = "changed"
ERROR = "error"
CANCELLED = "cancelled"

OUTCOME_LABELS: dict[str, tuple[str, str]] = {
    # outcome: (label with "notify" on, label with it off)
    INVALID_IDENTIFIER: (
        "The following email addresses and/or usernames are invalid:",
        "The following email addresses and/or usernames are invalid:",
    ),
    ERROR: ("There was an error:", "There was an error:"),
    ENROLLED: (
        "Successfully enrolled and sent email to the following users:",
        "Successfully enrolled the following users:",
    ),
    ALREADY_ENROLLED: (
        "Already enrolled (nothing changed):",
        "Already enrolled (nothing changed):",
    ),
    ALLOWED: (
        "Successfully sent enrollment emails to the following users. "
        "They will be allowed to enroll once they register:",
        "These users will be allowed to enroll once they register:",
    ),
    AUTOENROLLED: (
        "Successfully sent enrollment emails to the following users. "
        "They will be enrolled once they register:",
        "These users will be enrolled once they register:",
    ),
    UNENROLLED: (
        "Emails successfully sent. The following users are no longer enrolled in the course:",
        "The following users are no longer enrolled in the course:",
    ),
    NOTUNENROLLED: (
        "These users were not affiliated with the course so could not be unenrolled:",
        "These users were not affiliated with the course so could not be unenrolled:",
    ),
    CHANGED: (
        "Track changed, and the learners were emailed:",
        "Track changed for the following users:",
    ),
    ALREADY_ON: ("Already on the target track:", "Already on the target track:"),
    NOT_ON_FROM_TRACK: (
        "Not on the “from” track, left as they are:",
        "Not on the “from” track, left as they are:",
    ),
    NOT_ENROLLED: (
        "Not enrolled in the course, left as they are:",
        "Not enrolled in the course, left as they are:",
    ),
    UNKNOWN_USER: ("No account matches:", "No account matches:"),
    DUPLICATE: ("Listed more than once (handled once):", "Listed more than once (handled once):"),
    TRACK_NOT_OFFERED: (
        "The track asked for is not offered by the course:",
        "The track asked for is not offered by the course:",
    ),
    CANCELLED: ("Not processed (the job was cancelled):", "Not processed (the job was cancelled):"),
}


def outcome_label(outcome: str, *, notify: bool) -> str:
    with_email, without = OUTCOME_LABELS.get(outcome, (outcome, outcome))
    return with_email if notify else without
