from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=40)


class Note(models.Model):
    text = models.TextField()
    tags = models.ManyToManyField(Tag)
