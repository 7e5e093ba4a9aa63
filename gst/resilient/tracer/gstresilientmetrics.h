/* gst-resilient: the `resilientmetrics` tracer (Prometheus metrics and a
 * JSON-lines event log for every gst-resilient element of the process). */
#pragma once

#include <gst/gst.h>
#include <gst/gsttracer.h>

G_BEGIN_DECLS

#define GST_TYPE_RESILIENT_METRICS (gst_resilient_metrics_get_type ())
G_DECLARE_FINAL_TYPE (GstResilientMetrics, gst_resilient_metrics, GST,
                      RESILIENT_METRICS, GstTracer)

G_END_DECLS
