/* Parsing iperf3 -J and ethtool output (toolout.c). */
#include "testutil.h"

#include "toolout.h"

static const char iperf_ok[] =
	"{\"start\":{\"connected\":[]},\"intervals\":[],"
	"\"end\":{\"sum_sent\":{\"start\":0,\"end\":3.0,\"bytes\":113844384,"
	"\"bits_per_second\":306700000.5,\"retransmits\":3,\"sender\":true},"
	"\"sum_received\":{\"start\":0,\"end\":3.0,\"bytes\":113000000,"
	"\"bits_per_second\":302100000,\"sender\":true}}}";

static void test_iperf_summary(void **state)
{
	struct iperf_summary s;
	char why[128];

	(void)state;
	assert_int_equal(iperf_parse_json(iperf_ok, &s, why, sizeof(why)), 0);
	assert_true(s.received_mbps > 302.0 && s.received_mbps < 302.2);
	assert_true(s.sent_mbps > 306.6 && s.sent_mbps < 306.8);
	assert_true(s.retransmits == 3);
	assert_true(s.bytes == 113000000);
}

static void test_iperf_error_and_garbage(void **state)
{
	struct iperf_summary s;
	char why[128];

	(void)state;
	assert_int_equal(iperf_parse_json(
		"{\"start\":{},\"intervals\":[],\"end\":{},"
		"\"error\":\"unable to connect to server: Connection refused\"}",
		&s, why, sizeof(why)), -1);
	assert_string_equal(why, "iperf3:unable_to_connect_to_server:_Connection_refused");
	assert_int_equal(iperf_parse_json("iperf3: error - bad", &s, why, sizeof(why)), -1);
	assert_string_equal(why, "iperf3-output-not-json");
	assert_int_equal(iperf_parse_json("{\"end\":{}}", &s, why, sizeof(why)), -1);
	assert_string_equal(why, "iperf3-no-summary");
	assert_int_equal(iperf_parse_json("", &s, why, sizeof(why)), -1);
}

static const char ethtool_i[] =
	"driver: e1000\nversion: 6.1.0-56-amd64\nfirmware-version: \n"
	"bus-info: 0000:00:02.0\nsupports-statistics: yes\n";

static const char ethtool_g[] =
	"Ring parameters for eth0:\nPre-set maximums:\nRX:\t\t\t4096\n"
	"RX Mini:\t\tn/a\nRX Jumbo:\t\tn/a\nTX:\t\t\t4096\n"
	"Current hardware settings:\nRX:\t\t\t256\nRX Mini:\t\tn/a\n"
	"RX Jumbo:\t\tn/a\nTX:\t\t\t256\n";

static const char ethtool_S[] =
	"NIC statistics:\n     rx_packets: 75122\n     tx_packets: 1234\n"
	"     rx_bytes: 99999999\n     tx_timeout_count: 0\n";

static const char ethtool_k[] =
	"Features for eth0:\nrx-checksumming: on\ntx-checksumming: on\n"
	"\ttx-checksum-ipv4: off [fixed]\nscatter-gather: on\n"
	"tcp-segmentation-offload: on\n";

static void test_ethtool_driver(void **state)
{
	char drv[32];

	(void)state;
	assert_int_equal(ethtool_parse_driver(ethtool_i, drv, sizeof(drv)), 0);
	assert_string_equal(drv, "e1000");
	assert_int_equal(ethtool_parse_driver("Cannot get driver information\n", drv,
					      sizeof(drv)), -1);
	assert_int_equal(ethtool_parse_driver("driver: \n", drv, sizeof(drv)), -1);
}

static void test_ethtool_ring(void **state)
{
	long cur, max;

	(void)state;
	assert_int_equal(ethtool_parse_rx_ring(ethtool_g, &cur, &max), 0);
	assert_int_equal(cur, 256);
	assert_int_equal(max, 4096);
	assert_int_equal(ethtool_parse_rx_ring("netlink error: Operation not supported\n",
					       &cur, &max), -1);
	assert_int_equal(cur, -1);
}

static void test_ethtool_stats_and_features(void **state)
{
	long long rx = 0;

	(void)state;
	assert_int_equal(ethtool_count_stats(ethtool_S, "rx_packets", &rx), 4);
	assert_true(rx == 75122);
	assert_int_equal(ethtool_count_stats(ethtool_S, "nosuch", &rx), 4);
	assert_true(rx == -1);
	assert_int_equal(ethtool_count_stats("", NULL, NULL), 0);
	assert_int_equal(ethtool_count_features(ethtool_k), 5);
	assert_int_equal(ethtool_count_features("no features\n"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iperf_summary),
		cmocka_unit_test(test_iperf_error_and_garbage),
		cmocka_unit_test(test_ethtool_driver),
		cmocka_unit_test(test_ethtool_ring),
		cmocka_unit_test(test_ethtool_stats_and_features),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
