"""API URLs of the backlog (under /api/v1/). The trailing slash is optional on every route
(config.api.api_path): a POST, PATCH or DELETE cannot follow APPEND_SLASH's redirect. Keys are
matched narrowly, so odd paths (a NUL byte, a 30-digit id) fall through to the JSON 404 of
config.api_urls instead of reaching the database."""

from config.api import api_path

from . import views

PRODUCT = r"products/(?P<key>[A-Za-z0-9]{1,10})"
MEMBER = rf"{PRODUCT}/members/(?P<user_id>[0-9]{{1,18}})"
INVITATION = r"invitations/(?P<invitation_id>[0-9]{1,18})"
ITEM = r"items/(?P<key>[A-Za-z0-9]{1,10}-[0-9]{1,10})"

urlpatterns = [
    api_path(r"^products/$", views.ProductListView.as_view(), name="api-product-list"),
    api_path(rf"^{PRODUCT}/$", views.ProductDetailView.as_view(), name="api-product-detail"),
    api_path(rf"^{PRODUCT}/members/$", views.MemberListView.as_view(), name="api-member-list"),
    api_path(rf"^{MEMBER}/$", views.MemberDetailView.as_view(), name="api-member-detail"),
    api_path(rf"^{PRODUCT}/items/$", views.ItemListView.as_view(), name="api-item-list"),
    api_path(rf"^{ITEM}/$", views.ItemDetailView.as_view(), name="api-item-detail"),
    api_path(rf"^{ITEM}/restore/$", views.ItemRestoreView.as_view(), name="api-item-restore"),
    api_path(rf"^{ITEM}/move/$", views.ItemMoveView.as_view(), name="api-item-move"),
    api_path(rf"^{ITEM}/notes/$", views.NoteListView.as_view(), name="api-note-list"),
    api_path(r"^invitations/$", views.WaitingInvitationListView.as_view(), name="api-invitation-list"),
    api_path(rf"^{INVITATION}/accept/$", views.WaitingInvitationAcceptView.as_view(), name="api-invitation-accept"),
    api_path(rf"^{INVITATION}/decline/$", views.WaitingInvitationDeclineView.as_view(), name="api-invitation-decline"),
]
