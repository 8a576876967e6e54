// SPDX-License-Identifier: MIT
/*
 * DEVMAP, DEVMAP_HASH and CPUMAP in bpfhost alone (kernel_redirect_map_diff_test
 * compares them with Linux): entries with an XDP program of their own (by
 * handle; its id read back), the programs refused, any ifindex accepted
 * (bpfhost has no devices), the DEVMAP_HASH capacity, bpf_redirect_map's
 * report in the trace log, a program's read-only lookup, and the map types
 * bpf_redirect_map refuses.
 */
#include "test.h"
#include "insn_build.h"
#include "prog_run.h"

#include "bpfhost/bpf.h"
#include "bpfhost/uapi.h"

static int xdp_prog(uint32_t attach)
{
	const struct bpf_insn p[] = { MOV64_IMM(0, XDP_PASS), EXIT() };
	BPFHOST_OPTS(bpfhost_prog_load_opts, o, .expected_attach_type = attach);

	return bpfhost_prog_load(BPF_PROG_TYPE_XDP, "entry", "GPL", p, 2, &o);
}

static void t_entry_programs(void)
{
	int devmap = bpfhost_map_create(BPF_MAP_TYPE_DEVMAP, "d", 4, 8, 4, NULL);
	int cpumap = bpfhost_map_create(BPF_MAP_TYPE_CPUMAP, "c", 4, 8, 2, NULL);
	int dprog = xdp_prog(BPF_XDP_DEVMAP), cprog = xdp_prog(BPF_XDP_CPUMAP), plain = xdp_prog(0);
	struct bpf_prog_info info;
	uint32_t key = 0, val[2], out[2], len = sizeof(info);

	ASSERT_GE(devmap, 0, "devmap");
	ASSERT_GE(cpumap, 0, "cpumap");
	memset(&info, 0, sizeof(info));
	ASSERT_OK(bpfhost_obj_get_info_by_fd(dprog, &info, &len), "prog info");
	val[0] = 7, val[1] = (uint32_t)dprog;
	ASSERT_OK(bpfhost_map_update_elem(devmap, &key, val, 0), "ifindex 7 (no device check) with a program");
	ASSERT_OK(bpfhost_map_lookup_elem(devmap, &key, out), "lookup");
	ASSERT_TRUE(out[0] == 7 && out[1] == info.id, "ifindex and the program's id read back");
	val[1] = (uint32_t)plain;
	ASSERT_EQ(bpfhost_map_update_elem(devmap, &key, val, 0), -EINVAL, "a plain XDP program");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "not an XDP program loaded for devmap", "says why");
	val[1] = (uint32_t)cprog;
	ASSERT_EQ(bpfhost_map_update_elem(devmap, &key, val, 0), -EINVAL, "a cpumap program");
	ASSERT_OK(bpfhost_map_update_elem(cpumap, &key, (uint32_t[]){ 64, (uint32_t)cprog }, 0), "cpumap entry");
	ASSERT_EQ(bpfhost_map_update_elem(cpumap, &key, (uint32_t[]){ 64, (uint32_t)dprog }, 0), -ENOMEM,
		  "a devmap program in a cpumap (Linux says -ENOMEM)");
	val[0] = 0, val[1] = (uint32_t)dprog;
	ASSERT_EQ(bpfhost_map_update_elem(devmap, &key, val, 0), -EINVAL, "ifindex 0 with a program");
	/* The entry holds its program: closing the handle leaves it there. */
	bpfhost_close(dprog);
	ASSERT_OK(bpfhost_map_lookup_elem(devmap, &key, out), "still there");
	ASSERT_EQ(out[1], info.id, "same program");
	bpfhost_close(devmap);
	bpfhost_close(cpumap);
	bpfhost_close(cprog);
	bpfhost_close(plain);
}

static void t_hash_capacity(void)
{
	int m = bpfhost_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "h", 4, 4, 3, NULL);
	uint32_t v = 1, next, n = 0;

	ASSERT_GE(m, 0, "create");
	for (uint32_t k = 100; k < 103; k++)
		ASSERT_OK(bpfhost_map_update_elem(m, &k, &v, BPF_NOEXIST), "insert");
	ASSERT_EQ(bpfhost_map_update_elem(m, &(uint32_t){ 7 }, &v, 0), -E2BIG, "full");
	ASSERT_OK(bpfhost_map_update_elem(m, &(uint32_t){ 101 }, &(uint32_t){ 9 }, BPF_EXIST), "replace");
	ASSERT_EQ(bpfhost_map_update_elem(m, &(uint32_t){ 101 }, &v, BPF_NOEXIST), -EEXIST, "exists");
	ASSERT_OK(bpfhost_map_delete_elem(m, &(uint32_t){ 100 }), "delete");
	ASSERT_EQ(bpfhost_map_delete_elem(m, &(uint32_t){ 100 }), -ENOENT, "deleted");
	for (int more = bpfhost_map_get_next_key(m, NULL, &next) == 0; more;
	     more = bpfhost_map_get_next_key(m, &next, &next) == 0)
		n++;
	ASSERT_EQ(n, 2u, "two keys walked");
	bpfhost_close(m);
}

/* bpf_redirect_map: the trace log names the map, key and target; other map types stop the run. */
static void t_redirect_report(void)
{
	int m = bpfhost_map_create(BPF_MAP_TYPE_DEVMAP, "ports", 4, 4, 4, NULL);
	int arr = bpfhost_map_create(BPF_MAP_TYPE_ARRAY, "arr", 4, 4, 4, NULL);
	uint8_t frame[64] = { 0 };
	char log[4096];
	int fd, bad, rd, n;
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame));

	ASSERT_OK(bpfhost_map_update_elem(m, &(uint32_t){ 2 }, &(uint32_t){ 12 }, 0), "entry 2: ifindex 12");
	fd = LOAD_TYPE(BPF_PROG_TYPE_XDP, "rmap", LD_MAP(1, m), MOV64_IMM(2, 2), MOV64_IMM(3, 0), CALL(51), EXIT());
	bad = LOAD_TYPE(BPF_PROG_TYPE_XDP, "rarr", LD_MAP(1, arr), MOV64_IMM(2, 0), MOV64_IMM(3, 0), CALL(51),
			EXIT());
	/* A program's lookup: the value, read-only: the verifier refuses the store, the run faults it. */
	ASSERT_EQ(LOAD_TYPE(BPF_PROG_TYPE_XDP, "rd", ST(BPF_W, 10, -4, 2), LD_MAP(1, m), MOV64_REG(2, 10),
			    ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 3),
			    LDX(BPF_W, 1, 0, 0), ST(BPF_W, 0, 0, 5), MOV64_REG(0, 1), EXIT()),
		  -EACCES, "a store into a devmap value");
	rd = LOAD_UNVERIFIED_TYPE(BPF_PROG_TYPE_XDP, "rd", ST(BPF_W, 10, -4, 2), LD_MAP(1, m), MOV64_REG(2, 10),
		       ALU64_IMM(BPF_ADD, 2, -4), CALL(BPF_FUNC_map_lookup_elem), JMP_IMM(BPF_JEQ, 0, 0, 3),
		       LDX(BPF_W, 1, 0, 0), ST(BPF_W, 0, 0, 5), MOV64_REG(0, 1), EXIT());
	ASSERT_GE(fd, 0, "load");
	ASSERT_GE(bad, 0, "load");
	ASSERT_GE(rd, 0, "load");
	bpfhost_trace_read(log, sizeof(log));	/* drain */
	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "run");
	ASSERT_EQ(o.retval, (uint32_t)XDP_REDIRECT, "verdict");
	n = bpfhost_trace_read(log, sizeof(log) - 1);
	log[n > 0 ? n : 0] = 0;
	ASSERT_STR_CONTAINS(log, "bpf_redirect_map: XDP_REDIRECT through map 'ports' key 2: ifindex 12",
			    "the target is reported");
	o.data_size_out = 0;	/* the run wrote the output sizes back */
	ASSERT_EQ(bpfhost_prog_test_run_opts(bad, &o), -EINVAL, "an array map");
	ASSERT_STR_CONTAINS(bpfhost_last_error(), "bpf_redirect_map (51): map 'arr' has type 2", "says why");
	o.data_size_out = 0;
	ASSERT_EQ(bpfhost_prog_test_run_opts(rd, &o), -EFAULT, "devmap values are read-only to programs");
	bpfhost_close(fd);
	bpfhost_close(bad);
	bpfhost_close(rd);
	bpfhost_close(m);
	bpfhost_close(arr);
}

/* Test-runs @fd on a 64-byte frame: the opts with the run's verdict and redirect target. */
static struct bpfhost_test_run_opts run_redirect(int fd)
{
	static uint8_t frame[64];
	BPFHOST_OPTS(bpfhost_test_run_opts, o, .data_in = frame, .data_size_in = sizeof(frame));

	o.redirect_kind = 99;	/* out only: the run must overwrite it */
	ASSERT_OK(bpfhost_prog_test_run_opts(fd, &o), "run");
	return o;
}

/*
 * The test run reports where a redirect verdict goes: the last redirect
 * helper's choice (bpf_redirect's ifindex, bpf_redirect_map's map, key and
 * entry, or a broadcast), and nothing for any other verdict, even after a
 * redirect helper was called. XDP and TC alike.
 */
static void t_redirect_target(void)
{
	int dev = bpfhost_map_create(BPF_MAP_TYPE_DEVMAP, "ports", 4, 4, 4, NULL);
	int cpu = bpfhost_map_create(BPF_MAP_TYPE_CPUMAP, "cpus", 4, 4, 2, NULL);
	struct bpf_map_info info = { 0 }, cinfo = { 0 };
	uint32_t len = sizeof(info);
	struct bpfhost_test_run_opts r;
	int fd;

	ASSERT_GE(dev, 0, "devmap");
	ASSERT_GE(cpu, 0, "cpumap");
	ASSERT_OK(bpfhost_obj_get_info_by_fd(dev, &info, &len), "devmap id");
	len = sizeof(cinfo);
	ASSERT_OK(bpfhost_obj_get_info_by_fd(cpu, &cinfo, &len), "cpumap id");
	ASSERT_OK(bpfhost_map_update_elem(dev, &(uint32_t){ 3 }, &(uint32_t){ 42 }, 0), "entry 3: ifindex 42");
	ASSERT_OK(bpfhost_map_update_elem(cpu, &(uint32_t){ 1 }, &(uint32_t){ 128 }, 0), "cpu 1, qsize 128");

	fd = LOAD_TYPE(BPF_PROG_TYPE_XDP, "to9", MOV64_IMM(1, 9), MOV64_IMM(2, 0), CALL(BPF_FUNC_redirect), EXIT());
	r = run_redirect(fd);
	ASSERT_EQ(r.retval, (uint32_t)XDP_REDIRECT, "bpf_redirect's verdict");
	ASSERT_EQ(r.redirect_kind, (uint32_t)BPFHOST_REDIRECT_IFINDEX, "to an ifindex");
	ASSERT_EQ(r.redirect_target, 9u, "ifindex 9");
	bpfhost_close(fd);

	/* Two calls: the last one decides, as Linux's per-CPU redirect info. */
	fd = LOAD_TYPE(BPF_PROG_TYPE_XDP, "last", MOV64_IMM(1, 9), MOV64_IMM(2, 0), CALL(BPF_FUNC_redirect),
		       LD_MAP(1, dev), MOV64_IMM(2, 3), MOV64_IMM(3, 0), CALL(51), EXIT());
	r = run_redirect(fd);
	ASSERT_EQ(r.retval, (uint32_t)XDP_REDIRECT, "verdict");
	ASSERT_EQ(r.redirect_kind, (uint32_t)BPFHOST_REDIRECT_MAP, "through a map");
	ASSERT_TRUE(r.redirect_map_id == info.id && r.redirect_key == 3 && r.redirect_target == 42,
		    "the devmap, key 3, its entry's ifindex 42");
	bpfhost_close(fd);

	fd = LOAD_TYPE(BPF_PROG_TYPE_XDP, "tocpu", LD_MAP(1, cpu), MOV64_IMM(2, 1), MOV64_IMM(3, 0), CALL(51), EXIT());
	r = run_redirect(fd);
	ASSERT_TRUE(r.redirect_kind == BPFHOST_REDIRECT_CPU && r.redirect_map_id == cinfo.id &&
		    r.redirect_key == 1 && r.redirect_target == 1, "a cpumap: the target is the CPU (the key)");
	bpfhost_close(fd);

	/* BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS: every entry but the ingress device. */
	fd = LOAD_TYPE(BPF_PROG_TYPE_XDP, "bcast", LD_MAP(1, dev), MOV64_IMM(2, 0), MOV64_IMM(3, 0x18), CALL(51),
		       EXIT());
	r = run_redirect(fd);
	ASSERT_EQ(r.retval, (uint32_t)XDP_REDIRECT, "verdict");
	ASSERT_TRUE(r.redirect_kind == BPFHOST_REDIRECT_BROADCAST && r.redirect_map_id == info.id &&
		    r.redirect_flags == 0x18, "a broadcast through the devmap, with its flags");
	bpfhost_close(fd);

	/* No entry at key 0: the flags' low bits are the verdict (XDP_PASS), nothing redirected. */
	fd = LOAD_TYPE(BPF_PROG_TYPE_XDP, "miss", LD_MAP(1, dev), MOV64_IMM(2, 0), MOV64_IMM(3, XDP_PASS), CALL(51),
		       EXIT());
	r = run_redirect(fd);
	ASSERT_TRUE(r.retval == XDP_PASS && r.redirect_kind == BPFHOST_REDIRECT_NONE, "a miss redirects nothing");
	bpfhost_close(fd);

	/* A redirect helper called, another verdict returned: no redirect. */
	fd = LOAD_TYPE(BPF_PROG_TYPE_XDP, "pass", MOV64_IMM(1, 9), MOV64_IMM(2, 0), CALL(BPF_FUNC_redirect),
		       MOV64_IMM(0, XDP_PASS), EXIT());
	r = run_redirect(fd);
	ASSERT_TRUE(r.retval == XDP_PASS && r.redirect_kind == BPFHOST_REDIRECT_NONE, "XDP_PASS redirects nothing");
	bpfhost_close(fd);

	/* TC: bpf_redirect(5, BPF_F_INGRESS) is TC_ACT_REDIRECT to ifindex 5's ingress. */
	fd = LOAD_TYPE(BPF_PROG_TYPE_SCHED_CLS, "tc", MOV64_IMM(1, 5), MOV64_IMM(2, 1), CALL(BPF_FUNC_redirect), EXIT());
	r = run_redirect(fd);
	ASSERT_EQ(r.retval, 7u, "TC_ACT_REDIRECT");
	ASSERT_TRUE(r.redirect_kind == BPFHOST_REDIRECT_IFINDEX && r.redirect_target == 5 && r.redirect_flags == 1,
		    "ifindex 5, BPF_F_INGRESS");
	bpfhost_close(fd);
	fd = LOAD_TYPE(BPF_PROG_TYPE_SCHED_CLS, "tcok", MOV64_IMM(1, 5), MOV64_IMM(2, 0), CALL(BPF_FUNC_redirect),
		       MOV64_IMM(0, 0), EXIT());
	r = run_redirect(fd);
	ASSERT_TRUE(r.retval == 0 && r.redirect_kind == BPFHOST_REDIRECT_NONE, "TC_ACT_OK redirects nothing");
	bpfhost_close(fd);
	bpfhost_close(dev);
	bpfhost_close(cpu);
}

int main(void)
{
	static const struct test_case cases[] = { TEST(t_entry_programs), TEST(t_hash_capacity),
						   TEST(t_redirect_report), TEST(t_redirect_target) };

	return test_run("redirect_map", cases, sizeof(cases) / sizeof(cases[0]));
}
