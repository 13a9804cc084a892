"""HTML views: the product goal. Any member reads the active goal and the past ones; the
product owner sets a new goal or marks the active one achieved or abandoned (the policy in
backlog.permissions decides, through the services)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from accounts.forms import add_service_errors
from config.errors import InvalidInput

from .. import selectors, services
from ..models import ProductGoal
from ..permissions import Action, access_product_for_user, can
from ..services import GOAL_TITLE_MAX, TEXT_MAX

# Kept beside its one view rather than in backlog/forms.py: no other page uses these forms.


class ProductGoalForm(forms.Form):
    title = forms.CharField(max_length=GOAL_TITLE_MAX, label="Goal")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=TEXT_MAX,
        help_text="Markdown. What it means for the product, and how you will know it is reached.",
    )


class CloseGoalForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(ProductGoal.Status.ACHIEVED, "Achieved"), (ProductGoal.Status.ABANDONED, "Abandoned")]
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_goal(request: HttpRequest, key: str) -> HttpResponse:
    """The active product goal and the past ones; POST `action=set` (title, description) sets a
    new goal, `action=close` (status) ends the active one."""
    if request.method == "GET":
        product = access_product_for_user(request.user, key)
        return _page(request, product, ProductGoalForm())
    product = access_product_for_user(request.user, key, Action.MANAGE_PRODUCT)
    form = ProductGoalForm(request.POST) if request.POST.get("action") != "close" else ProductGoalForm()
    if request.POST.get("action") == "close":
        close_form = CloseGoalForm(request.POST)
        goal = selectors.active_product_goal(product)
        if goal is None or not close_form.is_valid():
            messages.error(request, "There is no active goal to end, or the choice was not achieved or abandoned.")
            return _page(request, product, form, status=400)
        try:
            goal = services.close_product_goal(goal=goal, by=request.user, status=close_form.cleaned_data["status"])
        except InvalidInput as error:
            messages.error(request, error.message)
            return _page(request, product, form, status=400)
        messages.success(request, f"“{goal.title}” is marked {goal.get_status_display().lower()}.")
        return redirect("backlog:product-goal", key=product.key)
    if form.is_valid():
        try:
            goal = services.set_product_goal(product=product, by=request.user, **form.cleaned_data)
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{goal.title}” is the product goal now.")
            return redirect("backlog:product-goal", key=product.key)
    return _page(request, product, form, status=400)


def _page(request: HttpRequest, product, form: ProductGoalForm, *, status: int = 200) -> HttpResponse:
    goals = list(selectors.product_goals(product))
    active = next((goal for goal in goals if goal.status == ProductGoal.Status.ACTIVE), None)
    context = {
        "product": product,
        "active_goal": active,
        "past_goals": [goal for goal in goals if goal is not active],
        "form": form,
        "close_choices": CloseGoalForm.base_fields["status"].choices,
        "may_manage": can(request.user, product, Action.MANAGE_PRODUCT),
    }
    return render(request, "backlog/product_goal.html", context, status=status)


urlpatterns = [
    path("p/<str:key>/goal/", product_goal, name="product-goal"),
]
