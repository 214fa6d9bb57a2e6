"""A graphene schema for serve's AppSync emulation."""
import graphene


class Tag(graphene.ObjectType):
    name = graphene.String(required=True)
    weight = graphene.Int()


class Item(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String()
    tags = graphene.List(graphene.NonNull(Tag), first=graphene.Int())

    def resolve_tags(self, info, first=None):
        tags = [Tag(name="t%d" % i, weight=i) for i in range(3)]
        return tags if first is None else tags[:first]


class Query(graphene.ObjectType):
    hello = graphene.String(name=graphene.String(default_value="world"))
    item = graphene.Field(Item, id=graphene.ID(required=True))
    fail = graphene.String()
    user_agent = graphene.String()

    def resolve_hello(self, info, name):
        return "hello %s" % name

    def resolve_item(self, info, id):
        return Item(id=id, name="item %s" % id)

    def resolve_fail(self, info):
        raise PermissionError("not allowed here")

    def resolve_user_agent(self, info):
        return info.context.META.get("HTTP_USER_AGENT")


class AddItem(graphene.Mutation):
    class Arguments:
        name = graphene.String(required=True)

    item = graphene.Field(Item)

    def mutate(self, info, name):
        return AddItem(item=Item(id="new", name=name))


class Mutation(graphene.ObjectType):
    add_item = AddItem.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
