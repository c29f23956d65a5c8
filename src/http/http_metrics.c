/* http_metrics.c - metric names of /api/flows/{key}/series. */
#include "http/http_metrics.h"

#include <string.h>

#include "ojo/events.h"

const http_metric http_metrics[HTTP_METRIC_COUNT] = {
    {"cwnd", OJO_EV_CWND, 0, false, false, true, "bytes"},
    {"ssthresh", OJO_EV_SSTHRESH, 0, false, false, true, "bytes"},
    {"bytes_in_flight", OJO_EV_BYTES_IN_FLIGHT, 0, false, false, true, "bytes"},
    {"rtt_sample", OJO_EV_RTT_SAMPLE, 0, false, false, true, "ns"},
    {"smoothed_rtt", OJO_EV_SMOOTHED_RTT, 0, false, false, true, "ns"},
    {"min_rtt", OJO_EV_MIN_RTT, 0, false, false, true, "ns"},
    {"rtt_var", OJO_EV_RTT_VAR, 0, false, false, true, "ns"},
    {"pacing_rate", OJO_EV_PACING_RATE, 0, false, false, true, "bytes/s"},
    {"max_data", OJO_EV_MAX_DATA, 0, false, false, true, "bytes"},
    {"max_stream_data", OJO_EV_MAX_STREAM_DATA, 0, false, true, true, "bytes"},
    {"data_sent", OJO_EV_DATA_SENT, 0, true, true, true, "bytes"},
    {"data_acked", OJO_EV_DATA_ACKED, 0, true, true, true, "bytes"},
    {"data_lost", OJO_EV_DATA_LOST, 0, true, true, true, "bytes"},
    {"data_retransmitted", OJO_EV_DATA_RETRANSMITTED, 0, true, true, true,
     "bytes"},
    {"data_received", OJO_EV_DATA_RECEIVED, 0, true, true, true, "bytes"},
    {"recovery_state", OJO_EV_RECOVERY_STATE, 0, false, false, true, ""},
    {"packet_lost", OJO_EV_PACKET_LOST_TIMEOUT, OJO_EV_PACKET_LOST_THRESHOLD,
     false, false, false, ""},
};

const http_metric *http_metric_find(const char *name)
{
	for (int i = 0; i < HTTP_METRIC_COUNT; i++)
		if (http_metrics[i].series &&
		    !strcmp(http_metrics[i].name, name))
			return &http_metrics[i];
	return NULL;
}
