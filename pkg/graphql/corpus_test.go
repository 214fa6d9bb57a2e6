package graphql

// saleorPath is the real 1 MB graphene schema shared by the project.
const saleorPath = "../../testdata/corpus/saleor.schema.graphql"
