"""English service messages of the console pages (orders, storefront, categories, reports).

The services raise these literals; views show them with gettext(err.message). Listing them
here marks them for extraction by pybabel.
"""

from __future__ import annotations

from flask_babel import lazy_gettext

MESSAGES = [
    # portal.customers.orders
    lazy_gettext("per_page must be between 1 and 100."),
    lazy_gettext("The page number must be 1 or more."),
    lazy_gettext("The start date must be on or before the end date."),
    # portal.customers.storefront
    lazy_gettext("This customer has been deleted."),
    lazy_gettext("A blocked customer cannot get a storefront account. Unblock them first."),
    # portal.merchants.categories
    lazy_gettext("Unable to find this category."),
    lazy_gettext("Customers still use this category. Choose a category to move them to."),
    lazy_gettext("A category with this name already exists."),
    lazy_gettext("Built-in categories cannot be renamed or deleted."),
    lazy_gettext("Enter a name for the category."),
    lazy_gettext("The name can be at most 100 characters."),
    lazy_gettext("Choose another existing category to move the customers to."),
    # portal.merchants.reports
    lazy_gettext("months must be between 1 and 120."),
    lazy_gettext("Unknown category."),
    # portal.merchants.bulk and edit_links
    lazy_gettext("Select at most 100 customers at a time."),
    lazy_gettext("This customer has no phone number to send the link to."),
    lazy_gettext("The text message could not be sent. Try again later."),
    lazy_gettext("Unable to find this link."),
    # built-in category names (document 003), shown with _(name)
    lazy_gettext("Customer"),
    lazy_gettext("Reseller"),
    lazy_gettext("Dropshipper"),
]
