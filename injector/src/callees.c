/* Which kernel functions count as allocators, releases, locks and copies.
 * Tables, not code: a new kernel's renamed helper is a new row. A row ending
 * in '*' matches by prefix. */
#include <string.h>
#include "internal.h"

static const char *const alloc_fns[] = {
	"__kmalloc", "__kmalloc_node", "__kmalloc_node_track_caller", "kmalloc_trace",
	"kmalloc_node_trace", "kmalloc_large", "kmalloc_large_node", "kmem_cache_alloc",
	"kmem_cache_alloc_node", "kmem_cache_alloc_lru", "kmem_cache_alloc_trace",
	"kmalloc_order_trace", "krealloc", "kmemdup", "kstrdup", "kvmalloc_node",
	"devm_kmalloc", "vmalloc", "vzalloc", "vmalloc_node", "vzalloc_node", "__vmalloc",
	"alloc_pages", "__alloc_pages", "alloc_pages_exact", "__get_free_pages",
	"get_zeroed_page", "__folio_alloc", "dma_alloc_attrs", "dmam_alloc_attrs",
	"dma_alloc_pages", "dma_pool_alloc", "__netdev_alloc_skb", "__napi_alloc_skb",
	"__alloc_skb", "napi_build_skb", "build_skb", "__netdev_alloc_frag_align",
	"__napi_alloc_frag_align", "alloc_etherdev_mqs", "napi_get_frags", "skb_clone",
	"skb_copy", "pskb_copy", NULL,
};

static const char *const sync_fns[] = {
	"_raw_spin_lock*", "_raw_spin_unlock*", "_raw_spin_trylock*", "_raw_read_lock*",
	"_raw_read_unlock*", "_raw_write_lock*", "_raw_write_unlock*", "mutex_lock*",
	"mutex_unlock", "mutex_trylock", "down", "down_interruptible", "down_trylock",
	"down_timeout", "up", "down_read*", "up_read", "down_write*", "up_write",
	"rtnl_lock", "rtnl_unlock", "rtnl_trylock", NULL,
};

static const char *const leak_fns[] = {
	"kfree", "kvfree", "vfree", "kfree_sensitive", "kmem_cache_free", "__dev_kfree_skb_any",
	"__dev_kfree_skb_irq", "dev_kfree_skb_any_reason", "dev_kfree_skb_irq_reason",
	"consume_skb", "kfree_skb_reason", "kfree_skb", "napi_consume_skb", "__kfree_skb",
	"dma_free_attrs", "dma_pool_free", "free_pages", "__free_pages", "free_pages_exact",
	"page_frag_free", "free_netdev", "free_irq", "iounmap", "pci_iounmap",
	"dma_unmap_page_attrs", "dma_unmap_single_attrs", "pci_release_selected_regions",
	"pci_release_regions", NULL,
};

/* name -> register that carries the length (canonical 64-bit name) */
static const struct { const char *name; unsigned reg; } copy_fns[] = {
	{ "memcpy", X86_REG_RDX }, { "__memcpy", X86_REG_RDX }, { "memmove", X86_REG_RDX },
	{ "__memmove", X86_REG_RDX }, { "memset", X86_REG_RDX }, { "__memset", X86_REG_RDX },
	{ "memcpy_toio", X86_REG_RDX }, { "memcpy_fromio", X86_REG_RDX },
	{ "memset_io", X86_REG_RDX }, { "ioread8_rep", X86_REG_RDX },
	{ "ioread16_rep", X86_REG_RDX }, { "ioread32_rep", X86_REG_RDX },
	{ "iowrite8_rep", X86_REG_RDX }, { "iowrite16_rep", X86_REG_RDX },
	{ "iowrite32_rep", X86_REG_RDX }, { "strncpy", X86_REG_RDX },
	{ "strscpy", X86_REG_RDX }, { "strlcpy", X86_REG_RDX }, { "strnlen", X86_REG_RSI },
	{ "_copy_from_user", X86_REG_RDX }, { "_copy_to_user", X86_REG_RDX },
	{ "skb_copy_bits", X86_REG_RCX }, { "skb_put_data", X86_REG_RDX },
};

/* never corrupted through "interface": not real callee interfaces */
static const char *const not_interfaces[] = {
	"__fentry__", "__x86_indirect_thunk_*", "__x86_return_thunk", "__SCT__*",
	"__stack_chk_fail", "__x86_indirect_call_thunk_*", "__sanitizer_cov_*", NULL,
};

static bool match(const char *name, const char *const *list)
{
	for (; *list; list++) {
		size_t n = strlen(*list);
		if ((*list)[n - 1] == '*' ? !strncmp(name, *list, n - 1) : !strcmp(name, *list))
			return true;
	}
	return false;
}

bool inj_callee_in(enum inj_type t, const char *name)
{
	switch (t) {
	case INJ_ALLOC: return match(name, alloc_fns);
	case INJ_SYNC: return match(name, sync_fns);
	case INJ_LEAK: return match(name, leak_fns);
	case INJ_INTERFACE: return !match(name, not_interfaces);
	case INJ_COPY_OVERRUN: return inj_copy_len_reg(name) != 0;
	default: return false;
	}
}

unsigned inj_copy_len_reg(const char *name)
{
	for (size_t i = 0; i < sizeof(copy_fns) / sizeof(copy_fns[0]); i++)
		if (!strcmp(copy_fns[i].name, name))
			return copy_fns[i].reg;
	return 0;
}
