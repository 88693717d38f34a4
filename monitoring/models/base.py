"""What the logs share: 0–10 scores, and voiding (an entry voided in error stays on record)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

SCORE = [MinValueValidator(0), MaxValueValidator(10)]


def _zero_to_ten(field: str, name: str, nullable: bool = False) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": 0, f"{field}__lte": 10})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)


class VoidableQuerySet(models.QuerySet):
    def voided(self):
        return self.filter(voided_at__isnull=False)


class LiveManager(models.Manager.from_queryset(VoidableQuerySet)):
    """Rows in force: voided rows are left out of every query made through `objects` (and the
    related managers, e.g. athlete.checkins), so gates, charts, rules, lists and exports never
    see them. `all_objects` includes them (the athlete page shows them as voided; privacy
    exports keep everything)."""

    def get_queryset(self):
        return super().get_queryset().filter(voided_at__isnull=True)


class Voidable(models.Model):
    """An entry that can be voided (entered in error), never silently deleted: who, when and
    why stay on the row, and the audit trail keeps its values (PRODUCT.md §2.9)."""

    voided_at = models.DateTimeField(null=True, blank=True, editable=False)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    void_reason = models.TextField(blank=True, max_length=1000, editable=False)

    objects = LiveManager()
    all_objects = models.Manager.from_queryset(VoidableQuerySet)()

    class Meta:
        abstract = True

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None
