import graphene
import not_installed_anywhere  # noqa: F401

schema = graphene.Schema()
