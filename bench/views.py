"""The yardstick for the items API: a plain Django view that runs the same queries (token, product,
role, one page of items in rank order with their labels and parent keys, the first position)
with `.values()` and answers with a JsonResponse. No DRF, no serializer, no pagination class."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F
from django.http import Http404, JsonResponse
from django.urls import reverse

from accounts.models import ApiToken
from accounts.tokens import digest
from backlog.models import Item, Membership, Product

PAGE_SIZE = 50
FIELDS = (
    "id",
    "key",
    "kind",
    "title",
    "description",
    "why",
    "acceptance_criteria",
    "hypothesis",
    "status",
    "estimate",
    "version",
    "rank",
    "created_at",
    "updated_at",
    "archived_at",
)


def plain_items(request, key: str) -> JsonResponse:
    """The first page of a product's backlog, as the API would list it."""
    secret = request.headers.get("Authorization", "").removeprefix("Token ").strip()
    token = ApiToken.objects.select_related("user").filter(digest=digest(secret), revoked_at__isnull=True).first()
    if token is None:
        return JsonResponse({"detail": "Invalid or revoked token.", "code": "authentication_failed"}, status=401)
    product = Product.objects.filter(key=key.upper()).first()
    if product is None or not Membership.objects.filter(product=product, user=token.user).exists():
        raise Http404
    rows = list(
        Item.objects.filter(product=product, archived_at__isnull=True)
        .order_by("rank")
        .values(*FIELDS, parent_key=F("parent__key"))[: PAGE_SIZE + 1]
    )
    more, rows = len(rows) > PAGE_SIZE, rows[:PAGE_SIZE]
    labels: dict[int, list[str]] = defaultdict(list)
    for item_id, name in (
        Item.labels.through.objects.filter(item_id__in=[row["id"] for row in rows])
        .order_by("label__name")
        .values_list("item_id", "label__name")
    ):
        labels[item_id].append(name)
    first = 1
    if rows:
        first += Item.objects.filter(product=product, archived_at__isnull=True, rank__lt=rows[0]["rank"]).count()
    url = request.build_absolute_uri(reverse("bench-plain-items", args=[product.key]))
    results = []
    for offset, row in enumerate(rows):
        results.append(
            {
                "key": row["key"],
                "url": f"{url}{row['key']}/",
                "product": product.key,
                "kind": row["kind"],
                "title": row["title"],
                "description": row["description"],
                "why": row["why"],
                "acceptance_criteria": row["acceptance_criteria"],
                "hypothesis": row["hypothesis"],
                "status": row["status"],
                "estimate": row["estimate"],
                "labels": labels.get(row["id"], []),
                "parent": row["parent_key"],
                "position": first + offset,
                "version": row["version"],
                "created_at": row["created_at"].isoformat(),
                "updated_at": row["updated_at"].isoformat(),
                "archived_at": row["archived_at"].isoformat() if row["archived_at"] else None,
            }
        )
    return JsonResponse({"next": f"{url}?cursor=next" if more else None, "previous": None, "results": results})
