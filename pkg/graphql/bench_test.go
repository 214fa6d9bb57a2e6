package graphql

import (
	"os"
	"testing"
)

// BenchmarkToAppSyncSaleor converts the 1 MB Saleor schema:
//
//	go test ./pkg/graphql -run '^$' -bench Saleor -benchtime 10x
func BenchmarkToAppSyncSaleor(b *testing.B) {
	sdl, err := os.ReadFile(saleorPath)
	if err != nil {
		b.Skipf("corpus not available: %v", err)
	}
	b.SetBytes(int64(len(sdl)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := ToAppSync("saleor.schema.graphql", sdl); err != nil {
			b.Fatal(err)
		}
	}
}
