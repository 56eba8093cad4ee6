// SPDX-License-Identifier: MIT
/* The overhead module: the arithmetic every MTU the project prints rests on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pmtu/overhead.h"

static void test_wg_overhead(void **state)
{
	(void)state;
	assert_int_equal(ovh_wg_overhead(OVH_IPV4), 60);
	assert_int_equal(ovh_wg_overhead(OVH_IPV6), 80);
	assert_int_equal(OVH_WG_DATA, 32);
}

/* The examples the issue and the story fix. */
static void test_story_numbers(void **state)
{
	(void)state;
	assert_int_equal(ovh_wg_mtu(1454, OVH_IPV4), 1394);
	assert_int_equal(ovh_wg_mtu(1454, OVH_IPV6), 1374);
	assert_int_equal(ovh_wg_mtu(1500, OVH_IPV6), 1420);
	assert_int_equal(ovh_wg_mtu(1500, OVH_IPV4), 1440);
	/* default MTU 1420 over IPv4 makes 1480-byte packets */
	assert_int_equal(ovh_path_for_wg_mtu(1420, OVH_IPV4), 1480);
	assert_int_equal(ovh_mss(1394, OVH_IPV4), 1354);
	assert_int_equal(ovh_mss(1394, OVH_IPV6), 1334);
	assert_int_equal(ovh_mss(1500, OVH_IPV4), 1460);
}

static void test_link_encaps(void **state)
{
	struct ovh_encap_use u[OVH_MAX_ENCAPS];
	char err[128];
	int n;

	(void)state;
	n = ovh_encap_parse("pppoe,dslite", u, OVH_MAX_ENCAPS, err, sizeof(err));
	assert_int_equal(n, 2);
	assert_int_equal(ovh_path_mtu(1500, u, 2, OVH_IPV4), 1452);
	assert_int_equal(ovh_wg_mtu(ovh_path_mtu(1500, u, 2, OVH_IPV4), OVH_IPV4), 1392);
	/* DS-Lite carries IPv4 only: native IPv6 sees just PPPoE */
	assert_int_equal(ovh_path_mtu(1500, u, 2, OVH_IPV6), 1492);

	n = ovh_encap_parse("6in4", u, OVH_MAX_ENCAPS, err, sizeof(err));
	assert_int_equal(n, 1);
	assert_int_equal(ovh_path_mtu(1500, u, 1, OVH_IPV6), 1480);
	assert_int_equal(ovh_path_mtu(1500, u, 1, OVH_IPV4), 1500);

	n = ovh_encap_parse("vlan,gre,vxlan,wireguard,wireguard6", u,
			    OVH_MAX_ENCAPS, err, sizeof(err));
	assert_int_equal(n, 5);
	assert_int_equal(ovh_path_mtu(9000, u, 5, OVH_IPV4), 9000 - 4 - 24 - 50 - 60 - 80);
}

static void test_encap_overrides_and_aliases(void **state)
{
	struct ovh_encap_use u[OVH_MAX_ENCAPS];
	char err[128];

	(void)state;
	assert_int_equal(ovh_encap_parse("ipsec-esp:57,custom:12,DS-Lite,sit", u,
					 OVH_MAX_ENCAPS, err, sizeof(err)), 4);
	assert_int_equal(u[0].bytes, 57);
	assert_int_equal(u[1].bytes, 12);
	assert_string_equal(u[2].e->name, "dslite");
	assert_string_equal(u[3].e->name, "6in4");
	assert_int_equal(ovh_encap_find("esp")->bytes, 73);
	/* blanks around items, as typed in a quoted list */
	assert_int_equal(ovh_encap_parse(" pppoe, dslite ,\tvlan:8", u,
					 OVH_MAX_ENCAPS, err, sizeof(err)), 3);
	assert_string_equal(u[0].e->name, "pppoe");
	assert_string_equal(u[1].e->name, "dslite");
	assert_string_equal(u[2].e->name, "vlan");
	assert_int_equal(u[2].bytes, 8);
}

static void test_encap_errors(void **state)
{
	struct ovh_encap_use u[2];
	char err[128];

	(void)state;
	assert_int_equal(ovh_encap_parse("pppoe,bogus", u, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(ovh_encap_parse("", u, 2, err, sizeof(err)), -1);
	assert_int_equal(ovh_encap_parse("pppoe,,vlan", u, 2, err, sizeof(err)), -1);
	assert_int_equal(ovh_encap_parse("pppoe, ,vlan", u, 2, err, sizeof(err)), -1);
	assert_int_equal(ovh_encap_parse(" ", u, 2, err, sizeof(err)), -1);
	assert_int_equal(ovh_encap_parse("pppoe,", u, 2, err, sizeof(err)), -1);
	assert_int_equal(ovh_encap_parse("custom", u, 2, err, sizeof(err)), -1);
	assert_int_equal(ovh_encap_parse("vlan:x", u, 2, err, sizeof(err)), -1);
	assert_int_equal(ovh_encap_parse("vlan:0", u, 2, err, sizeof(err)), -1);
	assert_int_equal(ovh_encap_parse("vlan:-4", u, 2, err, sizeof(err)), -1);
	assert_int_equal(ovh_encap_parse("vlan,vlan,vlan", u, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too many"));
}

static void test_padding(void **state)
{
	(void)state;
	assert_int_equal(ovh_wg_padded(0, 1420), 0);     /* keepalive */
	assert_int_equal(ovh_wg_padded(1, 1420), 16);
	assert_int_equal(ovh_wg_padded(84, 1420), 96);
	assert_int_equal(ovh_wg_padded(1416, 1420), 1420); /* capped at MTU */
	assert_int_equal(ovh_wg_padded(1420, 1420), 1420);
	assert_int_equal(ovh_wg_padded(1393, 1394), 1394);
	assert_int_equal(ovh_wg_padded(1380, 1394), 1392);
}

static void test_layout_sums_to_path(void **state)
{
	struct ovh_field f[OVH_LAYOUT_FIELDS];

	(void)state;
	for (int fam = OVH_IPV4; fam <= OVH_IPV6; fam <<= 1) {
		for (int p = 1280; p <= 9000; p += 37) {
			size_t n = ovh_layout(p, (enum ovh_family)fam, f, OVH_LAYOUT_FIELDS);
			int sum = 0;

			assert_int_equal(n, OVH_LAYOUT_FIELDS);
			for (size_t i = 0; i < n; i++) {
				assert_int_equal(f[i].offset, sum);
				sum += f[i].size;
			}
			assert_int_equal(sum, p);
			assert_int_equal(f[5].size, ovh_wg_mtu(p, (enum ovh_family)fam));
		}
	}
}

static void test_family_parse(void **state)
{
	enum ovh_family f;

	(void)state;
	assert_int_equal(ovh_family_parse("ipv4", &f), 0);
	assert_int_equal(f, OVH_IPV4);
	assert_int_equal(ovh_family_parse("IPv6", &f), 0);
	assert_int_equal(f, OVH_IPV6);
	assert_int_equal(ovh_family_parse("both", &f), 0);
	assert_int_equal(f, OVH_BOTH);
	assert_int_equal(ovh_family_parse("ipv5", &f), -1);
	assert_int_equal(ovh_min_mtu(OVH_IPV4), 576);
	assert_int_equal(ovh_min_mtu(OVH_IPV6), 1280);
	assert_int_equal(ovh_min_mtu(OVH_BOTH), 1280);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wg_overhead),
		cmocka_unit_test(test_story_numbers),
		cmocka_unit_test(test_link_encaps),
		cmocka_unit_test(test_encap_overrides_and_aliases),
		cmocka_unit_test(test_encap_errors),
		cmocka_unit_test(test_padding),
		cmocka_unit_test(test_layout_sums_to_path),
		cmocka_unit_test(test_family_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
