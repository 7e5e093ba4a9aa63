/* gst-resilient: reswhipsink, a WHIP publishing sink on webrtcbin. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RES_WHIP_SINK (gst_res_whip_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstResWhipSink, gst_res_whip_sink, GST, RES_WHIP_SINK,
    GstBin)

G_END_DECLS
