import graphene


class BookType(graphene.ObjectType):
    title = graphene.String()


class Query(graphene.ObjectType):
    all_books = graphene.List(BookType)
    book_count = graphene.Int()

    def resolve_all_books(self, info):
        return []

    def resolve_book_count(self, info):
        return 0


class AddBook(graphene.Mutation):
    class Arguments:
        title = graphene.String()

    ok = graphene.Boolean()

    def mutate(self, info, title):
        return AddBook(ok=True)


class Mutation(graphene.ObjectType):
    add_book = AddBook.Field()


library_schema = graphene.Schema(query=Query, mutation=Mutation)
