from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group, User

from .models import Category, Product, Tag


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    pass


admin.site.register([Category, Tag])
admin.site.unregister(Group)
admin.site.unregister(User)
admin.site.register(User, UserAdmin)


class CategoryAdmin(admin.ModelAdmin):
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)


admin.site.unregister(Category)
admin.site.register(Category, CategoryAdmin)
