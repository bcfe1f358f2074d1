"""Demo data for development: one merchant `demo` with staff, a shop and 500 customers."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from portal.core.models import Region
from portal.core.time import utcnow
from portal.customers.models import (
    ActiveState,
    Customer,
    Order,
    OrderItem,
    RegisteredBy,
    RegistrationStatus,
)
from portal.extensions import db
from portal.merchants.models import Category, Merchant
from portal.staff.accounts import create_merchant, create_staff, get_or_create_partner
from portal.staff.models import Permission, Role, StaffUser

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented development-only password
REGIONS: list[tuple[str, str, str, str, str]] = [
    ("BD", "Dhaka", "Dhaka", "Gulshan", "1212"),
    ("BD", "Dhaka", "Dhaka", "Dhanmondi", "1205"),
    ("BD", "Dhaka", "Dhaka", "Mirpur", "1216"),
    ("BD", "Chattogram", "Chattogram", "Panchlaish", "4203"),
    ("BD", "Chattogram", "Cox's Bazar", "Cox's Bazar Sadar", "4700"),
    ("BD", "Khulna", "Khulna", "Sonadanga", "9100"),
    ("BD", "Rajshahi", "Rajshahi", "Boalia", "6100"),
    ("BD", "Sylhet", "Sylhet", "Kotwali", "3100"),
    ("ID", "Jawa Tengah", "Kabupaten Tegal", "Dukuhturi", "52192"),
    ("ID", "Jawa Tengah", "Kabupaten Banjarnegara", "Mandiraja", "53473"),
    ("ID", "DKI Jakarta", "Jakarta Selatan", "Kebayoran Baru", "12110"),
    ("ID", "DKI Jakarta", "Jakarta Pusat", "Menteng", "10310"),
    ("ID", "Jawa Barat", "Kota Bandung", "Coblong", "40132"),
    ("ID", "Jawa Timur", "Kota Surabaya", "Gubeng", "60281"),
    ("ID", "Bali", "Kota Denpasar", "Denpasar Selatan", "80225"),
    ("ID", "Sumatera Utara", "Kota Medan", "Medan Baru", "20153"),
]
FIRST = [
    "Rahim",
    "Karim",
    "Fatema",
    "Ayesha",
    "Nusrat",
    "Tanvir",
    "Sadia",
    "Arif",
    "Budi",
    "Siti",
    "Angga",
    "Dewi",
    "Putri",
    "Agus",
    "Rina",
    "Joko",
    "Maya",
    "Hasan",
    "Nadia",
    "Rafi",
]
LAST = [
    "Ahmed",
    "Hossain",
    "Islam",
    "Rahman",
    "Akter",
    "Chowdhury",
    "Santoso",
    "Wijaya",
    "Saputra",
    "Lestari",
    "Pratama",
    "Kusuma",
    "Hidayat",
    "Uddin",
    "Begum",
    "Nugroho",
]
PRODUCTS = [
    "Sepatu",
    "Kaos Merah",
    "Rice 5kg",
    "Tea 400g",
    "Soap",
    "Batik shirt",
    "Sandal",
    "Cooking oil 1L",
    "Notebook",
    "Umbrella",
]
STATUSES = [RegistrationStatus.REGISTERED] * 6 + [
    RegistrationStatus.UNREGISTERED,
    RegistrationStatus.REQUESTED,
    RegistrationStatus.INACTIVE,
    RegistrationStatus.BLOCKED,
]


def seed_regions() -> int:
    if db.session.scalar(select(func.count(Region.id))):
        return 0
    for country, province, city, district, postal in REGIONS:
        db.session.add(
            Region(
                country_code=country,
                province=province,
                city=city,
                district=district,
                postal_prefix=postal,
            )
        )
    db.session.flush()
    return len(REGIONS)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Merchant.id)))


DEMO_STAFF = (
    # email, role, permission, name
    ("owner@demo.test", Role.OWNER, None, "Demo Owner"),
    ("system@demo.test", Role.STAFF, Permission.SYSTEM, "System Staff"),
    ("overview@demo.test", Role.STAFF, Permission.OVERVIEW, "Overview Staff"),
)
ACTOR = "seed"


def _demo_accounts(merchant: Merchant) -> None:
    """The owner, a SYSTEM and an OVERVIEW staff member, and an assistant of "Demo Shop"."""
    for email, role, permission, name in DEMO_STAFF:
        extra = {"permission": permission} if permission else {}
        create_staff(
            merchant,
            email=email,
            password=DEMO_PASSWORD,
            role=role,
            actor=ACTOR,
            name=name,
            **extra,
        )
    shop = get_or_create_partner(merchant, "Demo Shop")
    create_staff(
        merchant,
        email="assistant@demo.test",
        password=DEMO_PASSWORD,
        role=Role.ASSISTANT,
        partner=shop,
        actor=ACTOR,
        name="Demo Assistant",
    )


def _demo_customer(
    rng: random.Random, i: int, merchant: Merchant, regions: list[Region], now: datetime
) -> Customer:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    region = rng.choice(regions)
    created = now - timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 1439))
    status = rng.choice(STATUSES)
    confirmed = status != RegistrationStatus.UNREGISTERED
    phone = f"+8801711{i:06d}"
    return Customer(
        merchant_id=merchant.id,
        first_name=first,
        last_name=last,
        full_name=f"{first} {last}",
        phone=phone if confirmed else None,
        unconfirmed_phone=None if confirmed else phone,
        country_code="BD",
        email=f"{first}.{last}.{i}@example.com".lower() if i % 3 else None,
        gender=rng.choice(["female", "male"]),
        address=f"House {rng.randint(1, 99)}, Road {rng.randint(1, 30)}, {region.district}",
        region_id=region.id,
        postal_code=region.postal_prefix,
        category_code=rng.choice(["N", "N", "N", "Y", "D", "VIP"]),
        registration_status=status,
        active_state=ActiveState.ACTIVE if confirmed else ActiveState.NON_ACTIVE,
        registered_by=rng.choice([RegisteredBy.SELF, RegisteredBy.MERCHANT]),
        is_otp_verified=confirmed,
        confirmed_at=created if confirmed else None,
        created_at=created,
        created_by=ACTOR,
        language="en",
    )


def _demo_orders(rng: random.Random, customer: Customer, now: datetime, po: int) -> int:
    """A few orders since the customer was created; returns the last PO number used."""
    created = customer.created_at
    last_order = None
    for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
        ordered = created + timedelta(days=rng.randint(0, max(0, (now - created).days)))
        ordered = min(ordered, now)
        picks = rng.sample(PRODUCTS, rng.randint(1, 3))
        po += 1
        order = Order(
            merchant_id=customer.merchant_id,
            customer_id=customer.id,
            po_number=po,
            ordered_at=ordered,
            total_price=rng.randint(5, 300) * 1000,
            product_status=rng.choice(["S", "S", "P", "C"]),
            items_count=len(picks),
        )
        order.items = [OrderItem(product_name=p, quantity=rng.randint(1, 3)) for p in picks]
        db.session.add(order)
        last_order = max(last_order or ordered, ordered)
    customer.last_order_at = last_order
    return po


DEMO_SMS_COUNTRIES = "BD,ID,US,CA"


def seed_demo(customers: int = 500) -> dict[str, int]:
    """Create the demo merchant and its data; a second run changes nothing."""
    seed_regions()
    if db.session.scalar(select(Merchant.id).where(Merchant.slug == "demo")):
        return {"created": 0}
    merchant = create_merchant(
        slug="demo", name="Demo Store", country_code="BD", email="owner@demo.test"
    )
    # The documents' examples text Bangladeshi, Indonesian and North American numbers.
    merchant.sms_countries = DEMO_SMS_COUNTRIES
    # An established shop: the getting-started checklist is for shops made at /register.
    merchant.checklist_dismissed_at = utcnow()
    _demo_accounts(merchant)
    db.session.add(Category(merchant_id=merchant.id, code="VIP", name="VIP"))
    regions = list(db.session.scalars(select(Region)))
    rng = random.Random(20261123)  # noqa: S311 - demo data, not security
    now = utcnow()
    po = 12000
    for i in range(customers):
        customer = _demo_customer(rng, i, merchant, regions, now)
        db.session.add(customer)
        db.session.flush()
        po = _demo_orders(rng, customer, now, po)
    db.session.flush()
    return {"created": customers, "staff": db.session.scalar(select(func.count(StaffUser.id)))}
