from django.db import models


class Entry(models.Model):
    author = models.CharField(max_length=100)
    text = models.TextField()
    email = models.EmailField(null=True, blank=True)
    rating = models.IntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
