package django

/*
#include <stdlib.h>

// Declared by tree-sitter's core library, which go-tree-sitter links in.
extern void ts_set_allocator(void *(*new_malloc)(size_t), void *(*new_calloc)(size_t, size_t),
	void *(*new_realloc)(void *, size_t), void (*new_free)(void *));

static void use_libc_allocator(void) {
	ts_set_allocator(malloc, calloc, realloc, free);
}
*/
import "C"

import "sync"

var libcAllocator sync.Once

// useLibcAllocator points tree-sitter's allocations straight at libc.
// go-tree-sitter routes every malloc through a Go callback that itself
// calls C.malloc; skipping the round trip makes parsing much cheaper.
// Memory from either path comes from the same libc heap, so blocks
// allocated before the switch are still freed correctly.
func useLibcAllocator() { libcAllocator.Do(func() { C.use_libc_allocator() }) }
