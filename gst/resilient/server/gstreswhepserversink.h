/* gst-resilient: reswhepserversink, a WHEP server for many viewers from one
 * encode. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RES_WHEP_SERVER_SINK (gst_res_whep_server_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstResWhepServerSink, gst_res_whep_server_sink, GST,
                      RES_WHEP_SERVER_SINK, GstBin)

G_END_DECLS
