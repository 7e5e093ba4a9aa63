/* gst-resilient: reswhepsrc, a WHEP playback source on webrtcbin. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_RES_WHEP_SRC (gst_res_whep_src_get_type ())
G_DECLARE_FINAL_TYPE (GstResWhepSrc, gst_res_whep_src, GST, RES_WHEP_SRC,
    GstBin)

G_END_DECLS
