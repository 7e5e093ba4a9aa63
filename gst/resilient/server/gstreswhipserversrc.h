/* gst-resilient: reswhipserversrc, a live source serving a WHIP ingest
 * endpoint whose output keeps flowing when the publisher goes. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RES_WHIP_SERVER_SRC (gst_res_whip_server_src_get_type ())
G_DECLARE_FINAL_TYPE (GstResWhipServerSrc, gst_res_whip_server_src, GST,
                      RES_WHIP_SERVER_SRC, GstBin)

G_END_DECLS
