// SPDX-License-Identifier: GPL-2.0
/*
 * The domain heap. Grants are per page, so a driver object that shares a
 * slab page with kernel objects would expose them. With
 * isolation=pagetable the allocation wrappers' kmalloc calls (gen/wrappers.c
 * is compiled with __kmalloc and kmalloc_trace renamed to these, see Kbuild)
 * round every request up to whole pages: kmalloc of a power of two is
 * naturally aligned, and above 8 KiB it comes from the page allocator, so
 * each object has its pages to itself. Costs up to a page per object.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#include "../nooks_internal.h"
#include "pt.h"

static size_t nooks_heap_size(size_t size)
{
	if (!READ_ONCE(nooks_pt_on))
		return size;
	if (size <= PAGE_SIZE)
		return PAGE_SIZE;
	if (size <= 2 * PAGE_SIZE)
		return 2 * PAGE_SIZE;
	return PAGE_ALIGN(size);
}

void *nooks_dom_kmalloc(size_t size, gfp_t flags)
{
	return __kmalloc(nooks_heap_size(size), flags);
}

void *nooks_dom_kmalloc_trace(struct kmem_cache *s, gfp_t flags, size_t size)
{
	if (READ_ONCE(nooks_pt_on))
		return __kmalloc(nooks_heap_size(size), flags);
	return kmalloc_trace(s, flags, size);
}
