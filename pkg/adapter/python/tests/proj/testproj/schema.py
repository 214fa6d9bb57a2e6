"""A small graphene schema (works on graphene 2 and 3)."""
import graphene


class Item(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String()
    tags = graphene.List(graphene.String, first=graphene.Int())

    def resolve_tags(root, info, first=None):
        tags = ["a", "b", "c"]
        return tags[:first] if first is not None else tags


class Color(graphene.Enum):
    RED = 1
    BLUE = 2


class ItemInput(graphene.InputObjectType):
    name = graphene.String(required=True)
    tags = graphene.List(graphene.String)


class Query(graphene.ObjectType):
    hello = graphene.String(name=graphene.String(required=True), times=graphene.Int())
    item = graphene.Field(Item, id=graphene.ID(required=True))
    whoami = graphene.String()
    user_agent = graphene.String()
    color_name = graphene.String(color=Color(required=True))
    fail = graphene.String()

    def resolve_hello(root, info, name, times=1):
        return " ".join(["hello " + name] * times)

    def resolve_item(root, info, id):
        return Item(id=id, name="item " + id)

    def resolve_whoami(root, info):
        return info.context.identity.get("username")

    def resolve_user_agent(root, info):
        return info.context.META.get("HTTP_USER_AGENT")

    def resolve_color_name(root, info, color):
        return {1: "red", 2: "blue"}[getattr(color, "value", color)]

    def resolve_fail(root, info):
        raise PermissionError("not allowed")


class CreateItem(graphene.Mutation):
    class Arguments:
        input = ItemInput(required=True)

    Output = Item

    def mutate(root, info, input):
        return Item(id="new", name=input.name)


class Mutation(graphene.ObjectType):
    create_item = CreateItem.Field()


schema = graphene.Schema(query=Query, mutation=Mutation)
