/* gst-resilient: failoversrc, a live source over an ordered list of
 * candidate inputs with always-present raw `video` and `audio` pads.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_FAILOVER_SRC (gst_failover_src_get_type ())
G_DECLARE_FINAL_TYPE (GstFailoverSrc, gst_failover_src, GST, FAILOVER_SRC,
                      GstBin)

G_END_DECLS
