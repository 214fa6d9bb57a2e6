from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=10)
    slug = models.SlugField()

    class Meta:
        app_label = "shopfront"


class Order(models.Model):
    class Meta:
        app_label = "shopfront"
