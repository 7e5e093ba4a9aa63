/* gst-resilient: autorestoresink, a publishing sink bin that keeps
 * publishing through server, network and encoder failures.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_AUTO_RESTORE_SINK (gst_auto_restore_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstAutoRestoreSink, gst_auto_restore_sink, GST,
                      AUTO_RESTORE_SINK, GstBin)

G_END_DECLS
