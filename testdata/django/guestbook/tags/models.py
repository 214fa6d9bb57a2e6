from django.db import models


class Tag(models.Model):
    name = models.SlugField(unique=True)
    entries = models.ManyToManyField("entries.Entry", related_name="tags", blank=True)
