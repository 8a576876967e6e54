// SPDX-License-Identifier: MIT
/*
 * The helpers of XDP programs, Linux's ids, limits and errors (6.18):
 * bpf_xdp_adjust_head/meta/tail move the frame's bounds inside the test
 * run's page, bpf_xdp_load_bytes/store_bytes copy at an offset from data,
 * bpf_csum_diff, and bpf_redirect. Arguments were checked against the
 * prototypes first (the context argument is the run's own context); the
 * adjusting helpers then move the run's packet region with the frame, so
 * later accesses are checked against the new bounds.
 */
#include "xdp.h"
#include "prog_type.h"
#include "trace.h"
#include "../maps/devmap.h"

#define ERR(e) ((uint64_t)(int64_t)-(e))

static struct bh_xdp_ctx *xdp_of(uint64_t ctx)
{
	return u64_to_ptr(ctx);
}

/* The run's packet follows the frame's new bounds. */
static void moved(struct bh_xdp_ctx *c)
{
	bh_xdp_set_packet(c, &bh_run_current()->pkt);
}

/* long bpf_xdp_adjust_head(struct xdp_md *xdp, int delta): metadata moves with data. */
static uint64_t h_adjust_head(uint64_t ctx, uint64_t delta, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_xdp_ctx *c = xdp_of(ctx);
	uintptr_t meta_len = c->data - c->data_meta;
	uintptr_t lowest = (uintptr_t)c->buf + XDP_FRAME_HDR + meta_len;
	uintptr_t data = c->data + (uintptr_t)(intptr_t)(int32_t)delta;

	(void)a3, (void)a4, (void)a5;
	/* Compared as offsets in the page: no pointer past it is formed. */
	if ((intptr_t)(data - (uintptr_t)c->buf) < (intptr_t)(lowest - (uintptr_t)c->buf) ||
	    (intptr_t)(data - (uintptr_t)c->buf) > (intptr_t)(c->data_end - XDP_ETH_HLEN - (uintptr_t)c->buf))
		return ERR(EINVAL);
	if (meta_len)
		__builtin_memmove((void *)(c->data_meta + (uintptr_t)(intptr_t)(int32_t)delta),
			     (const void *)c->data_meta, meta_len);
	c->data_meta += (uintptr_t)(intptr_t)(int32_t)delta;
	c->data = data;
	moved(c);
	return 0;
}

/* long bpf_xdp_adjust_meta(struct xdp_md *xdp, int delta) */
static uint64_t h_adjust_meta(uint64_t ctx, uint64_t delta, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_xdp_ctx *c = xdp_of(ctx);
	intptr_t meta = (intptr_t)(c->data_meta - (uintptr_t)c->buf) + (int32_t)delta;
	intptr_t data = (intptr_t)(c->data - (uintptr_t)c->buf);

	(void)a3, (void)a4, (void)a5;
	if (meta < (intptr_t)XDP_FRAME_HDR || meta > data)
		return ERR(EINVAL);
	if (((data - meta) & 3) || data - meta > (intptr_t)XDP_META_MAX)
		return ERR(EACCES);
	c->data_meta = (uintptr_t)c->buf + (uintptr_t)meta;
	moved(c);
	return 0;
}

/* long bpf_xdp_adjust_tail(struct xdp_md *xdp, int delta): what grows is zeroed. */
static uint64_t h_adjust_tail(uint64_t ctx, uint64_t delta, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_xdp_ctx *c = xdp_of(ctx);
	intptr_t end = (intptr_t)(c->data_end - (uintptr_t)c->buf) + (int32_t)delta;
	intptr_t data = (intptr_t)(c->data - (uintptr_t)c->buf);

	(void)a3, (void)a4, (void)a5;
	if (end > (intptr_t)(XDP_BUF_SIZE - XDP_TAILROOM) || end < data + (intptr_t)XDP_ETH_HLEN)
		return ERR(EINVAL);
	if ((int32_t)delta > 0)
		plat_memset((void *)c->data_end, 0, (size_t)(int32_t)delta);
	c->data_end = (uintptr_t)c->buf + (uintptr_t)end;
	moved(c);
	return 0;
}

/* The frame bytes [off, off + len) from data, or NULL with *err (Linux's bpf_xdp_pointer). */
static uint8_t *frame_at(const struct bh_xdp_ctx *c, uint64_t off, uint64_t len, uint64_t *err)
{
	uint32_t o = (uint32_t)off, n = (uint32_t)len;

	if (o > 0xffff || n > 0xffff) {
		*err = ERR(EFAULT);
		return NULL;
	}
	if (o + n > c->data_end - c->data) {
		*err = ERR(EINVAL);
		return NULL;
	}
	return (uint8_t *)c->data + o;
}

/* long bpf_xdp_load_bytes(struct xdp_md *xdp, u32 offset, void *buf, u32 len) */
static uint64_t h_load_bytes(uint64_t ctx, uint64_t off, uint64_t buf, uint64_t len, uint64_t a5)
{
	uint64_t err = 0;
	uint8_t *p = frame_at(xdp_of(ctx), off, len, &err);

	(void)a5;
	if (p)	/* buf may be packet memory too */
		__builtin_memmove(u64_to_ptr(buf), p, (uint32_t)len);
	return err;
}

/* long bpf_xdp_store_bytes(struct xdp_md *xdp, u32 offset, void *buf, u32 len) */
static uint64_t h_store_bytes(uint64_t ctx, uint64_t off, uint64_t buf, uint64_t len, uint64_t a5)
{
	uint64_t err = 0;
	uint8_t *p = frame_at(xdp_of(ctx), off, len, &err);

	(void)a5;
	if (p)
		__builtin_memmove(p, u64_to_ptr(buf), (uint32_t)len);
	return err;
}

/*
 * The 32-bit one's complement sum of @len bytes and @sum, as native 16-bit
 * words, a last odd byte as the low byte of one (x86's csum_partial).
 */
static uint32_t csum_partial(const uint8_t *p, uint32_t len, uint32_t sum)
{
	uint64_t s = sum;
	uint32_t i;

	for (i = 0; i + 1 < len; i += 2) {
		uint16_t w;

		plat_memcpy(&w, p + i, 2);
		s += w;
	}
	if (i < len)
		s += p[i];
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

static uint32_t csum_add(uint32_t a, uint32_t b)
{
	a += b;
	return a + (a < b);
}

/* Linux's csum_from32to16: the 32-bit sum folded to 16 bits, end-around. */
static uint32_t csum_from32to16(uint32_t x)
{
	x += (x >> 16) | (x << 16);
	return x >> 16;
}

/*
 * s64 bpf_csum_diff(__be32 *from, u32 from_size, __be32 *to, u32 to_size,
 * __wsum seed), as Linux 6.18 (observed by kernel_xdp_diff_test): any
 * sizes, the sum of @to less the sum of @from plus @seed, folded to 16 bits
 * (as on every architecture since 6.13); with both sizes 0, @seed folded.
 */
static uint64_t h_csum_diff(uint64_t from, uint64_t from_size, uint64_t to, uint64_t to_size,
			    uint64_t seed)
{
	uint32_t fs = (uint32_t)from_size, ts = (uint32_t)to_size, s = (uint32_t)seed;

	if (fs && ts)
		return csum_from32to16(csum_add(csum_partial(u64_to_ptr(to), ts, s),
						~csum_partial(u64_to_ptr(from), fs, 0)));
	if (ts)
		return csum_from32to16(csum_partial(u64_to_ptr(to), ts, s));
	if (fs)
		return csum_from32to16(~csum_partial(u64_to_ptr(from), fs, ~s));
	return csum_from32to16(s);
}

/*
 * long bpf_redirect(u32 ifindex, u64 flags): XDP_REDIRECT, or XDP_ABORTED
 * with flags. A test run sends nothing (as Linux's): the target goes to
 * the trace log, once per run and target.
 */
static uint64_t h_redirect(uint64_t ifindex, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct bh_run *run = bh_run_current();
	struct bh_xdp_ctx *c = u64_to_ptr(run->ctx.start);

	(void)a3, (void)a4, (void)a5;
	if (flags)
		return XDP_ABORTED;
	c->redirect = (struct bh_redirect){ BPFHOST_REDIRECT_IFINDEX, (uint32_t)ifindex, 0, 0, 0 };
	if (!c->redirect_noted || c->redirect_ifindex != (uint32_t)ifindex) {
		c->redirect_noted = true;
		c->redirect_ifindex = (uint32_t)ifindex;
		bh_trace_note(run->prog->name, "insn %u: bpf_redirect: XDP_REDIRECT to ifindex %u "
			      "(a test run sends nothing)", run->pc, (uint32_t)ifindex);
	}
	return XDP_REDIRECT;
}

#define FUNC_redirect_map 51u	/* Linux's id */
#define F_BROADCAST (1ull << 3)
#define F_EXCLUDE_INGRESS (1ull << 4)

/*
 * long bpf_redirect_map(struct bpf_map *map, u64 key, u64 flags): with a
 * DEVMAP, DEVMAP_HASH or CPUMAP entry for @key (or BPF_F_BROADCAST on a
 * devmap), XDP_REDIRECT and the target goes to the trace log; without one
 * (an XSKMAP never has one: no sockets),
 * the low two bits of @flags are the verdict; unknown flags XDP_ABORTED
 * (Linux's __bpf_xdp_redirect_map). Other map types are refused, as
 * Linux's verifier refuses them at load.
 */
static uint64_t h_redirect_map(uint64_t map_, uint64_t key, uint64_t flags, uint64_t a4, uint64_t a5)
{
	struct bh_run *run = bh_run_current();
	struct bh_xdp_ctx *c = u64_to_ptr(run->ctx.start);
	struct bh_map *map = u64_to_ptr(map_);
	bool dev = map->map_type == BPF_MAP_TYPE_DEVMAP || map->map_type == BPF_MAP_TYPE_DEVMAP_HASH;
	const uint32_t *val;

	(void)a4, (void)a5;
	if (!dev && map->map_type != BPF_MAP_TYPE_CPUMAP && map->map_type != BPF_MAP_TYPE_XSKMAP)
		return bh_run_fail(-EINVAL, "bpf_redirect_map (51): map '%s' has type %u; it takes a "
				   "DEVMAP, DEVMAP_HASH, CPUMAP or XSKMAP", map->name, map->map_type);
	if (flags & ~(3ull | (dev ? F_BROADCAST | F_EXCLUDE_INGRESS : 0)))
		return XDP_ABORTED;
	val = bh_redirect_map_lookup(map, (uint32_t)key);
	if (!val && !(flags & F_BROADCAST))
		return flags & 3;
	/* The target: a devmap entry's ifindex, or the CPU (a cpumap's key). */
	if (flags & F_BROADCAST)
		c->redirect = (struct bh_redirect){ BPFHOST_REDIRECT_BROADCAST, 0, map->obj.id, 0, (uint32_t)flags };
	else
		c->redirect = (struct bh_redirect){ dev ? BPFHOST_REDIRECT_MAP : BPFHOST_REDIRECT_CPU,
						    dev ? val[0] : (uint32_t)key, map->obj.id, (uint32_t)key,
						    (uint32_t)flags };
	bh_trace_note(run->prog->name, "insn %u: bpf_redirect_map: XDP_REDIRECT through map '%s' key %u: %s "
		      "%u (a test run sends nothing)", run->pc, map->name, (uint32_t)key,
		      !val ? "broadcast, no entry" : dev ? "ifindex" : "cpu, qsize", val ? val[0] : 0);
	return XDP_REDIRECT;
}

#define A(x) BPFHOST_ARG_##x
#define R(x) BPFHOST_RET_##x
static const struct bh_helper xdp_helpers[] = {
	{ h_redirect, BPF_FUNC_redirect, R(INTEGER), { A(ANYTHING), A(ANYTHING) }, "bpf_redirect" },
	{ h_redirect_map, FUNC_redirect_map, R(INTEGER), { A(CONST_MAP_PTR), A(ANYTHING), A(ANYTHING) },
	  "bpf_redirect_map" },
	{ h_csum_diff, BPF_FUNC_csum_diff, R(INTEGER),
	  { A(PTR_TO_MEM_OR_NULL), A(CONST_SIZE_OR_ZERO), A(PTR_TO_MEM_OR_NULL), A(CONST_SIZE_OR_ZERO),
	    A(ANYTHING) }, "bpf_csum_diff" },
	{ h_adjust_head, BPF_FUNC_xdp_adjust_head, R(INTEGER), { A(PTR_TO_CTX), A(ANYTHING) },
	  "bpf_xdp_adjust_head", true },
	{ h_adjust_meta, BPF_FUNC_xdp_adjust_meta, R(INTEGER), { A(PTR_TO_CTX), A(ANYTHING) },
	  "bpf_xdp_adjust_meta", true },
	{ h_adjust_tail, BPF_FUNC_xdp_adjust_tail, R(INTEGER), { A(PTR_TO_CTX), A(ANYTHING) },
	  "bpf_xdp_adjust_tail", true },
	{ h_load_bytes, BPF_FUNC_xdp_load_bytes, R(INTEGER),
	  { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_UNINIT_MEM), A(CONST_SIZE) }, "bpf_xdp_load_bytes" },
	{ h_store_bytes, BPF_FUNC_xdp_store_bytes, R(INTEGER),
	  { A(PTR_TO_CTX), A(ANYTHING), A(PTR_TO_MEM), A(CONST_SIZE) }, "bpf_xdp_store_bytes" },
};

const struct bh_helper *bh_xdp_helper(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(xdp_helpers); i++)
		if (xdp_helpers[i].id == id)
			return &xdp_helpers[i];
	return NULL;
}
