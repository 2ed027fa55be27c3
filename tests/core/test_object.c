// SPDX-License-Identifier: BSD-3-Clause
/*
 * The object table: ids, two-phase creation, EBUSY on destroying a used
 * object, short-term references, leaf-first teardown, and that nothing
 * leaks on any path.
 */
#include "core_test.h"
#include "core/selftest.h"

static void test_ids_lowest_free_from_one(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();

	assert_int_equal(test_ioas_alloc(ctx), 1);
	assert_int_equal(test_ioas_alloc(ctx), 2);
	assert_int_equal(test_ioas_alloc(ctx), 3);
	assert_int_equal(test_destroy(ctx, 2), 0);
	/* The freed id is reused first, as the kernel's xarray allocator does. */
	assert_int_equal(test_ioas_alloc(ctx), 2);
	assert_int_equal(test_ioas_alloc(ctx), 4);
	assert_int_equal(ufd_object_count(ctx), 4);
	ufd_ctx_put(ctx);
}

static void test_destroy_missing(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();

	assert_int_equal(test_destroy(ctx, 0), -ENOENT);
	assert_int_equal(test_destroy(ctx, 1), -ENOENT);
	assert_int_equal(test_destroy(ctx, UINT32_MAX), -ENOENT);
	assert_int_equal(test_destroy(ctx, test_ioas_alloc(ctx)), 0);
	assert_int_equal(test_destroy(ctx, 1), -ENOENT);
	ufd_ctx_put(ctx);
}

static void test_unfinalized_is_invisible(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	struct ufd_object *obj;

	obj = ufd_object_alloc(ctx, sizeof(struct ufd_selftest_obj),
			       UFD_OBJ_SELFTEST);
	assert_false(IS_ERR(obj));
	assert_int_equal(obj->id, 1);
	/* Reserved: neither found, nor destroyable, nor its id reused. */
	assert_true(IS_ERR(ufd_get_object(ctx, obj->id, UFD_OBJ_ANY)));
	assert_int_equal(test_destroy(ctx, obj->id), -ENOENT);
	assert_int_equal(test_ioas_alloc(ctx), 2);
	ufd_object_finalize(ctx, obj);
	assert_int_equal(test_destroy(ctx, 1), 0);
	ufd_ctx_put(ctx);
}

static void test_abort_releases_id(void **state)
{
	int64_t live = ufd_alloc_live();
	struct ufd_ctx *ctx = test_ctx_open();
	struct ufd_object *obj;

	obj = ufd_object_alloc(ctx, sizeof(struct ufd_selftest_obj),
			       UFD_OBJ_SELFTEST);
	assert_false(IS_ERR(obj));
	ufd_object_abort_and_destroy(ctx, obj);
	assert_int_equal(ufd_object_count(ctx), 0);
	assert_int_equal(test_ioas_alloc(ctx), 1);
	ufd_ctx_put(ctx);
	assert_int_equal(ufd_alloc_live(), live);
}

static void test_typed_lookup(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	int64_t st = ufd_selftest_obj_create(ctx, 0);
	struct ufd_object *obj;

	assert_true(st > 0);
	obj = ufd_get_object(ctx, ioas, UFD_OBJ_IOAS);
	assert_false(IS_ERR(obj));
	assert_int_equal(obj->type, UFD_OBJ_IOAS);
	ufd_put_object(ctx, obj);
	assert_ptr_equal(ufd_get_object(ctx, ioas, UFD_OBJ_HWPT_PAGING),
			 ERR_PTR(-ENOENT));
	assert_ptr_equal(ufd_get_object(ctx, (uint32_t)st, UFD_OBJ_IOAS),
			 ERR_PTR(-ENOENT));
	obj = ufd_get_object(ctx, (uint32_t)st, UFD_OBJ_ANY);
	assert_false(IS_ERR(obj));
	ufd_put_object(ctx, obj);
	ufd_ctx_put(ctx);
}

static void test_destroy_busy(void **state)
{
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ioas = test_ioas_alloc(ctx);
	int64_t st = ufd_selftest_obj_create(ctx, ioas);
	struct ufd_object *obj;

	assert_true(st > 0);
	/* The SELFTEST object uses the IOAS: destroying it is refused... */
	assert_int_equal(test_destroy(ctx, ioas), -EBUSY);
	/* ...and changes nothing: the IOAS is still there and usable. */
	obj = ufd_get_object(ctx, ioas, UFD_OBJ_IOAS);
	assert_false(IS_ERR(obj));
	/* An ioctl in flight holding it also makes destroy EBUSY. */
	assert_int_equal(test_destroy(ctx, (uint32_t)st), 0);
	assert_int_equal(test_destroy(ctx, ioas), -EBUSY);
	ufd_put_object(ctx, obj);
	assert_int_equal(test_destroy(ctx, ioas), 0);
	assert_int_equal(ufd_object_count(ctx), 0);
	ufd_ctx_put(ctx);
}

static void test_teardown_leaf_first(void **state)
{
	int64_t live = ufd_alloc_live();
	struct ufd_ctx *ctx = test_ctx_open();
	uint32_t ids[16];
	int i;

	/*
	 * A chain where every object is used by the one created after it,
	 * with the lowest id the most used: teardown needs one pass per link
	 * if it walks ids in order, and must still finish.
	 */
	ids[0] = test_ioas_alloc(ctx);
	for (i = 1; i < 16; i++) {
		int64_t id = ufd_selftest_obj_create(ctx, ids[i - 1]);

		assert_true(id > 0);
		ids[i] = (uint32_t)id;
	}
	for (i = 0; i < 15; i++)
		assert_int_equal(test_destroy(ctx, ids[i]), -EBUSY);
	ufd_ctx_put(ctx);
	assert_int_equal(ufd_alloc_live(), live);
}

static void test_ctx_refcount(void **state)
{
	int64_t live = ufd_alloc_live();
	struct ufd_ctx *ctx = test_ctx_open();

	test_ioas_alloc(ctx);
	ufd_ctx_get(ctx);
	ufd_ctx_put(ctx);
	/* Still open: the second reference kept it. */
	assert_int_equal(ufd_object_count(ctx), 1);
	ufd_ctx_put(ctx);
	assert_int_equal(ufd_alloc_live(), live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_lowest_free_from_one),
		cmocka_unit_test(test_destroy_missing),
		cmocka_unit_test(test_unfinalized_is_invisible),
		cmocka_unit_test(test_abort_releases_id),
		cmocka_unit_test(test_typed_lookup),
		cmocka_unit_test(test_destroy_busy),
		cmocka_unit_test(test_teardown_leaf_first),
		cmocka_unit_test(test_ctx_refcount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
