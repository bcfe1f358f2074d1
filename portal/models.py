"""Imports every model so that Alembic and create_all see the whole schema."""

from portal.core.idempotency import IdempotencyKey
from portal.core.models import AuditEntry, Event, Region
from portal.customers.import_models import CustomerImport
from portal.customers.merge_models import CustomerMerge
from portal.customers.models import (
    Address,
    Customer,
    CustomerNote,
    CustomerTag,
    EditLink,
    Order,
    OrderItem,
    PaymentCard,
    Tag,
)
from portal.customers.segment_models import Segment
from portal.customers.summary import CustomerCount
from portal.merchants.export_models import ExportJob
from portal.merchants.models import Category, Merchant, Partner
from portal.otp.models import OtpChallenge, OtpSend
from portal.staff.models import ApiToken, StaffPasswordReset, StaffUser
from portal.staff.registration_models import ShopRegistration
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Address",
    "ApiToken",
    "AuditEntry",
    "Category",
    "Customer",
    "CustomerCount",
    "CustomerImport",
    "CustomerMerge",
    "CustomerNote",
    "CustomerTag",
    "EditLink",
    "Event",
    "ExportJob",
    "IdempotencyKey",
    "Merchant",
    "Order",
    "OrderItem",
    "OtpChallenge",
    "OtpSend",
    "Partner",
    "PaymentCard",
    "Region",
    "Segment",
    "ShopRegistration",
    "StaffPasswordReset",
    "StaffUser",
    "Tag",
    "WebhookDelivery",
    "WebhookEndpoint",
]
