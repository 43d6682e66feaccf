"""Forms of the e-commerce pages. None of them has a price or currency field: the server
computes the price, and whatever a client adds to the post is ignored."""

from __future__ import annotations

from django import forms


class CheckoutForm(forms.Form):
    track = forms.CharField(max_length=100, widget=forms.HiddenInput)
    coupon = forms.CharField(
        label="Coupon code",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)


class CardForm(forms.Form):
    card_number = forms.CharField(
        label="Card number",
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "cc-number",
                "placeholder": "4242 4242 4242 4242",
            }
        ),
    )
    authentication = forms.CharField(required=False, widget=forms.HiddenInput)


class RefundForm(forms.Form):
    reason = forms.CharField(
        label="Reason", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class StaffRefundForm(forms.Form):
    reason = forms.CharField(
        label="Reason (kept in the order history and the audit trail)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
