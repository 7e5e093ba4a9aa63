/* gst-resilient: one register declaration per element. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

GST_ELEMENT_REGISTER_DECLARE (failoversrc);

G_END_DECLS
