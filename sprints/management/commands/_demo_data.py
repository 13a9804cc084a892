"""The demo backlog of an online shop, in backlog order. Plain data: seed_demo creates it through
the services, so ranks, keys and history are as real as any other product's."""

PRODUCT = {
    "key": "SHOP",
    "name": "Online shop",
    "vision": """\
**For** people who buy everyday home and kitchen goods online **who** are tired of slow,
cluttered shops that lose their basket, **our online shop** is a fast, calm store that works as
well on a phone as on a desk. **Unlike** the marketplaces, we sell a curated range we stand
behind, deliver in two days and make returns painless.

We will know we are getting there when:

- checkout conversion on mobile matches desktop (today it is 40% lower);
- four out of five visitors who search find a product they open;
- repeat customers make up half of our orders within a year.
""",
}

# email, display name, role
USERS = [
    ("po@example.com", "Paula Owner", "product_owner"),
    ("sm@example.com", "Sam Master", "scrum_master"),
    ("dev@example.com", "Dana Developer", "developer"),
    ("stakeholder@example.com", "Stella Stakeholder", "stakeholder"),
]

# The epics; their children name them as parent.
CHECKOUT = "One-page checkout"
SEARCH = "Search that finds things"
MOBILE = "Mobile shopping that feels native"
ACCESS = "Accessible to everyone"
CATALOG = "A catalogue people enjoy browsing"

# kind, title, status, estimate (None: unestimated), labels (space-separated), parent epic title
ITEMS = [
    ("epic", CHECKOUT, "refining", None, "checkout", None),
    ("story", "Guest checkout without creating an account", "done", 8, "checkout", CHECKOUT),
    ("story", "Remember the delivery address for returning customers", "done", 5, "checkout", CHECKOUT),
    ("bug", "Basket empties when the session expires during checkout", "done", 3, "checkout", None),
    ("story", "Show delivery date before payment", "ready", 3, "checkout", CHECKOUT),
    ("story", "Edit quantities in the checkout summary", "ready", 2, "checkout", CHECKOUT),
    ("story", "Apply a discount code at checkout", "ready", 5, "checkout payments", CHECKOUT),
    ("bug", "Postcode validation rejects valid Irish Eircodes", "ready", 1, "checkout", None),
    ("story", "Pay with Apple Pay and Google Pay", "ready", 8, "payments mobile", None),
    ("story", "Order confirmation page with a clear next step", "ready", 2, "checkout", CHECKOUT),
    ("chore", "Upgrade the payment provider SDK to v4", "ready", 3, "payments", None),
    ("story", "Address autocomplete while typing", "refining", 5, "checkout mobile", CHECKOUT),
    ("spike", "Can we offer pay-later without a credit check?", "refining", 2, "payments", None),
    ("story", "Save a card for the next order", "refining", 8, "payments", None),
    ("bug", "Currency shown as EUR for UK customers after login", "ready", 2, "payments", None),
    ("epic", SEARCH, "refining", None, "search", None),
    ("story", "Typo-tolerant product search", "refining", 13, "search", SEARCH),
    ("story", "Search suggestions as you type", "refining", 8, "search performance", SEARCH),
    ("story", "Filter search results by price range", "ready", 3, "search catalog", SEARCH),
    ("story", "Filter search results by brand", "ready", 3, "search catalog", SEARCH),
    ("story", "Sort results by rating, price and newest", "new", 5, "search", SEARCH),
    ("story", "Helpful page when a search finds nothing", "new", 2, "search", SEARCH),
    ("spike", "Compare hosted search services against PostgreSQL full-text search", "ready", 3, "search", None),
    ("bug", "Searching for a quote mark shows a server error", "ready", 1, "search", None),
    ("epic", MOBILE, "new", None, "mobile", None),
    ("story", "Sticky add-to-basket button on product pages", "refining", 3, "mobile", MOBILE),
    ("story", "Swipe through product photos", "new", 5, "mobile catalog", MOBILE),
    ("story", "Tap targets of at least 44 pixels everywhere", "refining", 5, "mobile accessibility", None),
    ("bug", "Menu cannot be closed on iOS Safari", "ready", 2, "mobile", None),
    ("story", "Installable web app with an offline basket", "new", 20, "mobile", MOBILE),
    ("story", "Bottom navigation bar on small screens", "new", None, "mobile", MOBILE),
    ("epic", ACCESS, "refining", None, "accessibility", None),
    ("story", "Every product image has a meaningful text alternative", "ready", 5, "accessibility catalog", ACCESS),
    ("story", "Checkout usable with keyboard only", "ready", 5, "accessibility checkout", ACCESS),
    ("bug", "Focus is lost after adding to the basket", "ready", 2, "accessibility", ACCESS),
    ("story", "Colour contrast of at least 4.5:1 on all text", "refining", 3, "accessibility", ACCESS),
    ("story", "Error messages announced to screen readers", "refining", 3, "accessibility checkout", ACCESS),
    ("chore", "Automated accessibility checks in CI", "new", 3, "accessibility", ACCESS),
    ("story", "Product pages load in under a second on 4G", "refining", 13, "performance", None),
    ("chore", "Serve product images as AVIF with WebP fallback", "ready", 3, "performance catalog", None),
    ("chore", "Cache category pages at the edge", "refining", 5, "performance", None),
    ("bug", "Category page runs a query per product", "ready", 2, "performance catalog", None),
    ("spike", "Measure real-user page speed by country", "new", 2, "performance", None),
    ("epic", CATALOG, "new", None, "catalog", None),
    ("story", "Product comparison for up to four products", "new", 13, "catalog", CATALOG),
    ("story", "Recently viewed products", "new", 3, "catalog", CATALOG),
    ("story", "Show stock level when fewer than five are left", "ready", 2, "catalog", None),
    ("story", "Size guide on clothing pages", "new", None, "catalog", CATALOG),
    ("story", "Customer reviews with photos", "new", 20, "catalog", CATALOG),
    ("story", "Back-in-stock email alerts", "refining", 5, "catalog", None),
    ("bug", "Out-of-stock variants can be added to the basket", "ready", 3, "catalog checkout", None),
    ("story", "Bundle offers: buy the set and save", "new", 8, "catalog payments", None),
    ("story", "Wish list shared by link", "new", 5, "catalog", None),
    ("story", "Gift wrapping option with a message", "new", 3, "checkout", None),
    ("story", "Order tracking page without signing in", "refining", 5, None, None),
    ("story", "Self-service returns with a printable label", "refining", 13, None, None),
    ("story", "Refund status visible in the account", "new", 3, "payments", None),
    ("bug", "Invoice PDF shows the wrong VAT rate for books", "ready", 2, "payments", None),
    ("chore", "Rotate the payment provider API keys", "done", 1, "payments", None),
    ("chore", "Move order emails to the new email provider", "done", 3, None, None),
    ("story", "Newsletter sign-in with double opt-in", "done", 2, None, None),
    ("bug", "Newsletter link in footer returns 404", "done", 1, None, None),
    ("story", "Cookie banner that lets people refuse in one click", "done", 3, "accessibility", None),
    ("story", "Loyalty points for every order", "new", 20, "payments", None),
    ("spike", "What would a subscription for consumables need?", "new", None, "payments", None),
    ("story", "Live chat with customer service in opening hours", "new", 8, None, None),
    ("story", "Frequently asked questions page with search", "new", 3, "search", None),
    ("story", "Delivery slots for bulky items", "new", 13, "checkout", None),
    ("story", "Click and collect from partner shops", "new", 40, "checkout", None),
    ("story", "International shipping to the EU", "new", 100, "checkout payments", None),
    ("chore", "Remove the unused legacy promotions module", "new", 2, None, None),
    ("chore", "Upgrade the web framework to the next LTS", "refining", 8, None, None),
    ("chore", "Database backups restored and verified every week", "ready", 3, None, None),
    ("bug", "Password reset email lands in spam for Outlook users", "refining", 2, None, None),
    ("story", "Sign in with a magic link", "new", 5, "mobile", None),
    ("story", "Two-factor authentication for customer accounts", "new", 8, None, None),
    ("bug", "Product page title is cut off on small tablets", "new", 1, "mobile catalog", None),
    ("bug", "Sorting by price ignores sale prices", "refining", 2, "search catalog", None),
    ("story", "Related products on the product page", "new", 5, "catalog", None),
    ("story", "Free delivery threshold shown in the basket", "ready", 2, "checkout", None),
    ("story", "Estimated delivery date on product pages", "refining", 5, "catalog checkout", None),
    ("story", "Basket survives switching from phone to laptop", "new", 8, "mobile checkout", None),
    ("spike", "How many customers abandon at the shipping cost step?", "done", 1, "checkout", None),
    ("story", "Show shipping costs on product pages", "done", 2, "catalog checkout", None),
    ("story", "Store locator for partner shops", "discarded", 8, None, None),
    ("story", "Animated homepage carousel", "discarded", 5, "performance", None),
    ("story", "Sign in with a social network account", "discarded", 5, None, None),
    ("story", "Printable catalogue as PDF", "discarded", None, "catalog", None),
    ("bug", "Breadcrumbs repeat the category on search pages", "new", 1, "search", None),
    ("story", "Search within a category", "new", 3, "search catalog", None),
    ("story", "Voice search on mobile", "new", None, "search mobile", None),
    ("story", "Recommended for you on the homepage", "new", 20, "catalog", None),
    ("chore", "Load test the checkout at five times peak traffic", "refining", 5, "performance checkout", None),
    ("bug", "Payment page times out after 60 seconds on slow networks", "refining", 3, "payments performance", None),
    ("story", "Pay by bank transfer with instant confirmation", "new", 13, "payments", None),
    ("story", "Split payment between a gift card and a card", "new", 8, "payments", None),
    ("story", "Gift cards for sale online", "new", 13, "payments", None),
    ("chore", "Fraud scoring on orders above 500 euros", "refining", 5, "payments", None),
    ("story", "Skip link and landmarks on every page", "done", 2, "accessibility", None),
    ("story", "Zoom to 200% without horizontal scrolling", "new", 5, "accessibility mobile", None),
    ("bug", "Screen reader reads prices twice", "new", 1, "accessibility catalog", None),
    ("story", "Plain-language product care instructions", "new", 2, "catalog", None),
    ("story", "Order history with reorder in one click", "refining", 5, None, None),
    ("story", "Download all invoices of a year", "new", 3, "payments", None),
    ("story", "Business customers can enter a VAT number", "new", 5, "checkout payments", None),
    ("chore", "Structured data for products in search engines", "ready", 2, "catalog search", None),
    ("chore", "Sitemap regenerated nightly", "done", 1, "catalog", None),
    ("bug", "Duplicate order emails when the payment callback retries", "ready", 3, "payments", None),
    ("story", "Notify customers when a delivery is delayed", "new", 5, None, None),
    ("story", "Rate the delivery after it arrives", "new", 2, None, None),
    ("spike", "Which carriers offer evening delivery in our cities?", "new", 2, "checkout", None),
    ("story", "Dark mode that follows the system setting", "new", 3, "accessibility mobile", None),
    ("chore", "Error tracking for the storefront's JavaScript", "ready", 2, "performance", None),
    ("bug", "Image zoom does not work with a trackpad pinch", "new", 2, "catalog", None),
    ("story", "Price drop alerts for wish-listed products", "new", 5, "catalog", None),
    ("story", "Compare delivery options side by side", "new", 3, "checkout", None),
    ("story", "Carbon-neutral delivery option", "new", None, "checkout", None),
    ("chore", "Clean up product categories nobody visits", "new", 1, "catalog", None),
    ("story", "Landing pages for seasonal campaigns", "new", 8, "catalog", None),
    ("story", "Affiliate links with tracked commissions", "new", 13, None, None),
    # Done in the demo's past sprints (see SPRINTS).
    ("story", "Order confirmation email with a clear summary", "done", 3, "checkout", CHECKOUT),
    ("story", "Card brand logos on the payment page", "done", 2, "payments", None),
    ("story", "Saved addresses in the customer account", "done", 5, "checkout", CHECKOUT),
    ("story", "Checkout remembers the chosen delivery option", "done", 3, "checkout", CHECKOUT),
    ("story", "Delivery cost calculator in the basket", "done", 8, "checkout", None),
    ("story", "Free-delivery banner for baskets over 50 euros", "done", 2, "checkout", None),
    ("story", "Delivery estimate by postcode", "done", 5, "checkout", None),
    ("story", "Delivery costs listed on the help pages", "done", 3, None, None),
    ("story", "Basket shows the savings from sale prices", "done", 2, "checkout", None),
    ("bug", "Search results show prices without VAT", "done", 2, "search", SEARCH),
    ("chore", "Search index rebuilt when a product changes", "done", 3, "search", SEARCH),
    ("bug", "Filters are lost when going back to the results", "done", 3, "search catalog", SEARCH),
    ("story", "Category pages show how many products they hold", "done", 2, "catalog", CATALOG),
    ("chore", "Weekly report of searches that find nothing", "done", 3, "search", SEARCH),
    ("story", "Basket drawer that slides in on phones", "done", 5, "mobile checkout", MOBILE),
    ("story", "Payment errors that say what to do next", "done", 3, "payments checkout", None),
    ("story", "Remember the last payment method", "done", 5, "payments", None),
    ("story", "Numeric keyboard for card fields on phones", "done", 2, "payments mobile", MOBILE),
    ("story", "3-D Secure check opens in the page, not a pop-up", "done", 8, "payments mobile", None),
]

DETAILS = {
    "Saved addresses in the customer account": {
        "why": "Returning customers retype their address on every order.",
        "hypothesis": "We believe saved addresses will speed up repeat checkout. "
        "We will know when returning customers finish checkout in under 60 seconds.",
    },
    "Weekly report of searches that find nothing": {
        "hypothesis": "We believe a weekly zero-result report will guide our search work. "
        "We will know when 10 of the top 20 zero-result searches find something within a month.",
    },
    "Payment errors that say what to do next": {
        "why": "'Payment failed' is a dead end: half of the people who see it leave.",
        "hypothesis": "We believe clear payment errors will save failing payments. "
        "We will know when 60% of failed payments succeed on the second try.",
    },
    "3-D Secure check opens in the page, not a pop-up": {
        "why": "Phones block the pop-up, and the payment silently times out.",
    },
    "One-page checkout": {
        "description": "Today checkout takes five pages. Most drop-offs happen between pages 2 and 4.",
        "why": "Every extra step in checkout loses buyers; on mobile the steps hurt most.",
        "hypothesis": "We believe a one-page checkout will raise mobile conversion. "
        "We will know when mobile checkout completion rises from 38% to 50%.",
    },
    "Guest checkout without creating an account": {
        "why": "A third of first-time visitors leave when asked to register.",
        "acceptance_criteria": "- An order can be placed with an email address only\n"
        "- The confirmation email offers to create an account afterwards\n"
        "- No account is created without consent",
    },
    "Show delivery date before payment": {
        "why": "Customers ask customer service 'when will it arrive?' 300 times a week.",
        "acceptance_criteria": "- The earliest delivery date is shown beside each delivery option\n"
        "- Dates skip weekends and public holidays of the delivery country\n"
        "- The date shown is the one in the confirmation email",
    },
    "Edit quantities in the checkout summary": {
        "why": "People go back to the basket to change a quantity and some never come back.",
        "acceptance_criteria": "- Quantity can be changed without leaving checkout\n"
        "- Totals and delivery cost update at once\n- Setting 0 asks to remove the product",
    },
    "Apply a discount code at checkout": {
        "why": "Marketing campaigns rely on codes; today they only work in the basket.",
        "acceptance_criteria": "- A valid code reduces the total and shows the saving\n"
        "- An expired code says it has expired, with its end date\n- Only one code per order",
    },
    "Pay with Apple Pay and Google Pay": {
        "why": "Typing card numbers on a phone is the top complaint in mobile checkout feedback.",
        "hypothesis": "We believe wallet payments will cut mobile payment time in half. "
        "We will know when the median time on the payment step falls below 40 seconds.",
        "acceptance_criteria": "- Wallet buttons appear only on devices that support them\n"
        "- The delivery address from the wallet fills the order\n- Refunds go back to the wallet",
    },
    "Address autocomplete while typing": {
        "why": "One order in twenty has an address error, and each costs a second delivery.",
        "hypothesis": "We believe autocomplete will halve wrong addresses. "
        "We will know when returned-to-sender parcels fall below 1%.",
    },
    "Can we offer pay-later without a credit check?": {
        "description": "Time-box: two days. Talk to two providers, read their terms, list the legal questions.",
        "why": "Competitors offer it; we do not know what it would cost us or our customers.",
    },
    "Search that finds things": {
        "why": "Visitors who search buy three times as often, but one search in four finds nothing.",
        "hypothesis": "We believe a tolerant, suggestive search will turn more searches into sales. "
        "We will know when four out of five searches lead to a product page.",
    },
    "Typo-tolerant product search": {
        "why": "'kettel', 'tostr' and 'blendr' are among our top 50 searches and all find nothing.",
        "acceptance_criteria": "- A search with one typo finds the same products as without it\n"
        "- Exact matches rank above fuzzy ones\n- Results appear within 300 ms",
    },
    "Search suggestions as you type": {
        "acceptance_criteria": "- Suggestions appear after two characters\n"
        "- Arrow keys move through them and Enter opens one\n- Screen readers announce the count",
    },
    "Filter search results by price range": {
        "acceptance_criteria": "- Minimum and maximum can be set independently\n"
        "- The filter stays when the sort order changes\n- The URL holds the filter so it can be shared",
    },
    "Mobile shopping that feels native": {
        "why": "Two thirds of visits are on phones, but only a third of orders.",
    },
    "Tap targets of at least 44 pixels everywhere": {
        "why": "Mis-taps on small links are the second most common complaint from phone users.",
        "acceptance_criteria": "- Every link and button is at least 44×44 CSS pixels\n"
        "- Checked on the five busiest pages",
    },
    "Accessible to everyone": {
        "why": "About one in five people have a disability; the law also requires WCAG 2.2 AA by next year.",
    },
    "Checkout usable with keyboard only": {
        "acceptance_criteria": "- Every step can be completed with Tab, Shift+Tab, Enter and Space\n"
        "- Focus is always visible\n- No keyboard trap in the payment frame",
    },
    "Product pages load in under a second on 4G": {
        "why": "Each extra second of load time costs about 7% of conversions.",
        "hypothesis": "We believe faster product pages will raise add-to-basket rate. "
        "We will know when the 75th percentile load time is under one second and add-to-basket rises by 5%.",
    },
    "Back-in-stock email alerts": {
        "why": "Out-of-stock pages get 20,000 visits a month and we lose all of them.",
        "acceptance_criteria": "- Visitors can leave an email on an out-of-stock variant\n"
        "- One email when it is back, then the alert is deleted",
    },
    "Self-service returns with a printable label": {
        "why": "Returns take 12 minutes of a customer-service agent's time each.",
        "hypothesis": "We believe self-service returns will free customer service for harder questions. "
        "We will know when return-related calls fall by half.",
    },
    "Order tracking page without signing in": {
        "acceptance_criteria": "- The order number and postcode open the tracking page\n"
        "- Carrier status is refreshed at least hourly",
    },
    "Loyalty points for every order": {
        "why": "We want repeat customers to make up half of our orders.",
        "hypothesis": "We believe points will bring customers back sooner. "
        "We will know when the median time between a customer's orders falls from 90 to 60 days.",
    },
    "Click and collect from partner shops": {
        "why": "Many customers are not at home during delivery hours.",
    },
    "International shipping to the EU": {
        "description": "Large: customs, VAT per country, carriers, returns. "
        "Needs slicing before it can be estimated well.",
    },
    "Duplicate order emails when the payment callback retries": {
        "description": "When the provider retries its callback, we send the confirmation email again.",
        "acceptance_criteria": "- One confirmation email per order, whatever the number of callbacks",
    },
    "Fraud scoring on orders above 500 euros": {
        "why": "Chargebacks cost us 4,000 euros last quarter, nearly all on large orders.",
    },
    "Basket empties when the session expires during checkout": {
        "acceptance_criteria": "- The basket is kept for 30 days for signed-in customers and 7 days for guests",
    },
    "Order history with reorder in one click": {
        "why": "Consumables (filters, capsules) are bought again and again.",
        "hypothesis": "We believe one-click reorder will increase repeat orders. "
        "We will know when a tenth of orders come from the reorder button.",
    },
    "Store locator for partner shops": {
        "description": "Discarded: we have no partner shops yet; see click and collect.",
    },
    "Animated homepage carousel": {
        "description": "Discarded: carousels are rarely clicked beyond the first slide and slow the page down.",
    },
}

# title → [(author email, note)]
NOTES = {
    "One-page checkout": [
        ("dev@example.com", "Payment stays in the provider's frame, so the page is really 'one page plus a frame'."),
        ("po@example.com", "Fine for the first slice: the goal is fewer page loads, not zero."),
    ],
    "Apply a discount code at checkout": [
        ("sm@example.com", "Marketing asked whether codes stack. Answer for now: no, one code per order."),
    ],
    "Pay with Apple Pay and Google Pay": [
        ("dev@example.com", "The provider's SDK v4 is needed first; see the upgrade chore."),
        ("sm@example.com", "Agreed to split off Google Pay if the estimate grows during the sprint."),
    ],
    "Typo-tolerant product search": [
        ("dev@example.com", "Trigram similarity in PostgreSQL gets us most of the way; the spike will tell."),
    ],
    "Address autocomplete while typing": [
        ("dev@example.com", "The address API charges per lookup; debounce keystrokes to keep costs down."),
        ("po@example.com", "Cost ceiling: 300 euros a month. Above that, we revisit."),
    ],
    "Product pages load in under a second on 4G": [
        ("dev@example.com", "Largest contentful paint is the hero image in 80% of cases."),
    ],
    "Tap targets of at least 44 pixels everywhere": [
        ("sm@example.com", "Design review on Thursday with the mobile mock-ups."),
    ],
    "Self-service returns with a printable label": [
        ("dev@example.com", "The carrier can email a QR code instead of a label: no printer needed."),
        ("po@example.com", "Good: QR code first, printable label as the fallback."),
    ],
    "Search that finds things": [
        ("po@example.com", "Top zero-result searches last month: kettel, tostr, air fryer basket, blendr."),
    ],
    "Upgrade the web framework to the next LTS": [
        ("dev@example.com", "Two deprecated APIs in the promotions module; removing it first makes this smaller."),
    ],
    "Back-in-stock email alerts": [
        ("sm@example.com", "Legal says the alert email is transactional, so no marketing opt-in is needed."),
    ],
    "Fraud scoring on orders above 500 euros": [
        ("dev@example.com", "The payment provider has a scoring add-on; pricing requested."),
    ],
}

# Items taken off the backlog (the interface's delete); they keep their rank and key.
ARCHIVED = {
    "Newsletter link in footer returns 404",
    "Rotate the payment provider API keys",
    "Animated homepage carousel",
    "Printable catalogue as PDF",
}

# The product goals: a past one (achieved) and the active one. Sprints name theirs by key.
PRODUCT_GOALS = {
    "past": {
        "title": "Checkout people trust",
        "description": "No lost baskets, no surprise costs, no forced accounts: "
        "checkout abandonment below 60% on every device.",
    },
    "active": {
        "title": "Mobile buyers convert like desktop ones",
        "description": "Two thirds of our visits are on phones but only a third of our orders. "
        "We will know we are there when mobile conversion is within 10% of desktop.",
    },
}

# The demo's sprint history, oldest first: five closed two-week sprints and the active one,
# then a planned one. Day numbers count from the sprint's first day. Titles name ITEMS.
SPRINTS = [
    {
        "goal": "Guests can buy without creating an account",
        "product_goal": "past",
        "committed": [
            "Guest checkout without creating an account",
            "Basket empties when the session expires during checkout",
            "Newsletter sign-in with double opt-in",
            "Rotate the payment provider API keys",
            "Order confirmation email with a clear summary",
            "Card brand logos on the payment page",
        ],
        "added": [(3, "Newsletter link in footer returns 404")],
        "removed": [],
        "done": [
            (2, "Rotate the payment provider API keys"),
            (3, "Newsletter link in footer returns 404"),
            (4, "Basket empties when the session expires during checkout"),
            (7, "Card brand logos on the payment page"),
            (8, "Newsletter sign-in with double opt-in"),
            (10, "Guest checkout without creating an account"),
            (11, "Order confirmation email with a clear summary"),
        ],
        "close": ("met", "Guest checkout is live; 28% of orders in the first week were guest orders.", {}),
    },
    {
        "goal": "Returning customers check out in under a minute",
        "product_goal": "past",
        "committed": [
            "Remember the delivery address for returning customers",
            "Saved addresses in the customer account",
            "Checkout remembers the chosen delivery option",
            "Move order emails to the new email provider",
            "Cookie banner that lets people refuse in one click",
            "Upgrade the payment provider SDK to v4",
        ],
        "added": [],
        "removed": [],
        "done": [
            (3, "Move order emails to the new email provider"),
            (4, "Cookie banner that lets people refuse in one click"),
            (7, "Remember the delivery address for returning customers"),
            (9, "Checkout remembers the chosen delivery option"),
            (11, "Saved addresses in the customer account"),
        ],
        "close": (
            "met",
            "Median repeat checkout is 48 seconds. The SDK upgrade waits for the provider's fix.",
            {"Upgrade the payment provider SDK to v4": "keep"},
        ),
    },
    {
        "goal": "Shoppers know what delivery costs before they reach the basket",
        "product_goal": "past",
        "committed": [
            "How many customers abandon at the shipping cost step?",
            "Show shipping costs on product pages",
            "Delivery cost calculator in the basket",
            "Free-delivery banner for baskets over 50 euros",
            "Delivery estimate by postcode",
            "Delivery costs listed on the help pages",
            "Postcode validation rejects valid Irish Eircodes",
        ],
        "added": [(4, "Basket shows the savings from sale prices")],
        "removed": [(5, "Postcode validation rejects valid Irish Eircodes")],
        "done": [
            (1, "How many customers abandon at the shipping cost step?"),
            (4, "Show shipping costs on product pages"),
            (7, "Free-delivery banner for baskets over 50 euros"),
            (8, "Basket shows the savings from sale prices"),
            (10, "Delivery cost calculator in the basket"),
            (11, "Delivery costs listed on the help pages"),
        ],
        "close": (
            "partly",
            "Costs show on product pages and in the basket; the estimate by postcode slipped.",
            {"Delivery estimate by postcode": "next"},
        ),
    },
    {
        "goal": "Search shows what people typed, with honest prices",
        "product_goal": None,
        "committed": [
            "Delivery estimate by postcode",
            "Search results show prices without VAT",
            "Search index rebuilt when a product changes",
            "Filters are lost when going back to the results",
            "Skip link and landmarks on every page",
            "Weekly report of searches that find nothing",
            "Category pages show how many products they hold",
        ],
        "added": [],
        "removed": [],
        "done": [
            (2, "Search results show prices without VAT"),
            (3, "Skip link and landmarks on every page"),
            (4, "Delivery estimate by postcode"),
            (7, "Search index rebuilt when a product changes"),
            (8, "Category pages show how many products they hold"),
            (9, "Filters are lost when going back to the results"),
            (11, "Weekly report of searches that find nothing"),
        ],
        "close": ("met", "", {}),
    },
    {
        "goal": "Paying on a phone is painless",
        "product_goal": "active",
        "committed": [
            "Basket drawer that slides in on phones",
            "Payment errors that say what to do next",
            "Remember the last payment method",
            "Numeric keyboard for card fields on phones",
            "3-D Secure check opens in the page, not a pop-up",
            "Currency shown as EUR for UK customers after login",
        ],
        "added": [(2, "Sitemap regenerated nightly")],
        "removed": [],
        "done": [
            (3, "Numeric keyboard for card fields on phones"),
            (3, "Sitemap regenerated nightly"),
            (7, "Payment errors that say what to do next"),
            (8, "Basket drawer that slides in on phones"),
            (10, "Remember the last payment method"),
            (11, "3-D Secure check opens in the page, not a pop-up"),
        ],
        "close": (
            "met",
            "Card payments on phones take 35 seconds at the median, down from 70.",
            {"Currency shown as EUR for UK customers after login": "top"},
        ),
    },
]

# The sprint running today: title → column; the last one was added mid-sprint.
ACTIVE_SPRINT = {
    "goal": "Mobile shoppers can pay with a wallet",
    "product_goal": "active",
    "committed": {
        "Currency shown as EUR for UK customers after login": "done",
        "Upgrade the payment provider SDK to v4": "done",
        "Pay with Apple Pay and Google Pay": "in_progress",
        "Menu cannot be closed on iOS Safari": "todo",
        "Focus is lost after adding to the basket": "todo",
    },
    "added": {"Duplicate order emails when the payment callback retries": "in_progress"},
}
NEXT_SPRINT_GOAL = "Search forgives typos"

# The review of the last closed sprint: (author, body, about title), and the one that became
# an item: (feedback index, position, title).
FEEDBACK = [
    (
        "stakeholder@example.com",
        "Paying on my phone took two taps. But the basket drawer hides the delivery cost until the "
        "last step; I would want to see it straight away.",
        "Basket drawer that slides in on phones",
    ),
    (
        "sm@example.com",
        "Customer service says complaints about 3-D Secure dropped from 40 to 6 this fortnight.",
        "3-D Secure check opens in the page, not a pop-up",
    ),
    ("dev@example.com", "Could we show the remembered card's last four digits? People ask which card it is.", None),
]
FEEDBACK_ITEM = (0, 6, "Show the delivery cost in the mobile basket drawer")
REVIEW_NOTES = (
    "Demoed on three phones to customer service and marketing. Everyone paid in under a minute; "
    "the drawer's missing delivery cost was the one complaint."
)
# (sprint index, item title, verdict, evidence)
HYPOTHESIS_OUTCOMES = [
    (1, "Saved addresses in the customer account", "validated", "Median repeat checkout 48 s over 1,200 orders."),
    (3, "Weekly report of searches that find nothing", "inconclusive", "Seven of the top 20 fixed so far."),
]

# The retrospective of the last closed sprint: (author, column, body, voters).
RETRO_CARDS = [
    ("dev@example.com", "went_well", "Pairing on the 3-D Secure work", ["dev@example.com", "po@example.com"]),
    ("sm@example.com", "went_well", "Customer service joined the demo", ["sm@example.com"]),
    (
        "dev@example.com",
        "to_improve",
        "CI takes 25 minutes, so we batch changes",
        ["dev@example.com", "sm@example.com", "po@example.com"],
    ),
    ("po@example.com", "to_improve", "Two stories reached planning without acceptance criteria", ["sm@example.com"]),
    ("sm@example.com", "ideas", "A short refinement session mid-sprint", ["dev@example.com", "po@example.com"]),
]
# (title, owner, done?): the open one follows the team into the active sprint.
ACTION_ITEMS = [
    ("Get CI under 10 minutes", "dev@example.com", False),
    ("Acceptance criteria written before planning", "po@example.com", True),
]
